"""RL training sources (never evaluated) and what each domain trains on: the paper's hub sets, or
what the offline mirror and reasoning-gym provide."""

from __future__ import annotations

import json

from rpt_tasks.benchmarks.code import code_prompt
from rpt_tasks.benchmarks.math import math_row
from rpt_tasks.benchmarks.mini import EASY_SUMS
from rpt_tasks.benchmarks.spec import Benchmark, Hub, Mirror

BOXED_SUFFIX = "Let's think step by step and output the final answer within \\boxed{}."


# The answer instructions the sets carry in their user turn; our prompt adds its own, so they go.
PROMPT_SUFFIXES = (BOXED_SUFFIX, "Present the answer in LaTex format: \\boxed{Your answer}",
                   "Let's think step by step and output the final answer within: \\boxed{}.")


def _user_text(row: dict) -> str:
    user = [m["content"] for m in row["prompt"] if m["role"] == "user"][-1]
    for suffix in PROMPT_SUFFIXES:
        user = user.replace(suffix, "")
    return user.strip()


def _ground_truths(truth) -> list[str]:
    """One answer, or several equivalent forms (mlvr-100k-rl keeps a list; parquet gives arrays)."""
    if hasattr(truth, "tolist"):
        truth = truth.tolist()
    if isinstance(truth, (list, tuple)):
        return [str(t) for t in truth if str(t).strip()]
    return [str(truth)]


def verl_row(row: dict) -> dict:
    """uiuc-kang-lab/* RL sets (verl layout, as PRIME-RL/Eurus-2-RL-Data): `prompt` is a chat,
    `reward_model.ground_truth` the answer (or a list of equivalent forms: any of them counts,
    `golds`). The set's own answer instruction is dropped; our prompt adds one."""
    truths = _ground_truths(row["reward_model"]["ground_truth"])
    if not truths:
        raise ValueError("empty ground truth")
    doc = {"question": _user_text(row), "gold": truths[0],
           # the set's own chat, as the paper trained on it (train_prompt: dataset)
           "dataset_prompt": [{"role": m["role"], "content": m["content"]} for m in row["prompt"]]}
    if len(truths) > 1:
        doc["golds"] = truths
    return doc


def code_tests(cases) -> dict | None:
    """A tests spec from code-100k-rl's `tests`: JSON of {"inputs", "outputs"[, "fn_name"]} or of a
    list of {"input", "output"} pairs (both occur); None when there are no cases."""
    if isinstance(cases, str):
        cases = json.loads(cases) if cases.strip() else None
    if not cases:
        return None
    if isinstance(cases, list):
        cases = {"inputs": [c["input"] for c in cases], "outputs": [c["output"] for c in cases]}
    if not cases.get("inputs"):
        return None
    if cases.get("fn_name"):
        fn = cases["fn_name"]
        lines = [f"_out = {fn}(*{list(args)!r})\nassert _out == {out!r} or [_out] == {out!r}"
                 for args, out in zip(cases["inputs"], cases["outputs"])]
        return {"kind": "function", "program": "\n".join(lines) + "\n", "entry_point": None, "prompt": "", "prefix": ""}
    return {"kind": "stdio", "cases": [[str(i), str(o)] for i, o in zip(cases["inputs"], cases["outputs"])],
            "float_tolerance": None, "time_limit_s": 6.0}


# code-100k-rl's data sources: the paper's code runs train on these; lcbv5 problems are
# LiveCodeBench's own (the evaluation set), so they never enter training.
CODE_SOURCES_KEPT = ("eurus", "apps", "taco", "codecontests", "primeintellect", "kodcode", "leetcode")
CODE_SOURCES_DROPPED = ("lcbv5", "livecodebench")


def code_rl_row(row: dict) -> dict:
    """uiuc-kang-lab/code-100k-rl: `problem`, `tests` (JSON, two encodings) and `data_source`.
    Rows without test cases are an error here and left out by `code_rl_unavailable`."""
    tests = code_tests(row["tests"])
    if tests is None:
        raise ValueError("no test cases")
    return {"question": row["problem"], "tests": json.dumps(tests)}


def code_rl_unavailable(row: dict) -> str | None:
    source = str(row.get("data_source") or "").lower()
    if any(source.startswith(d) for d in CODE_SOURCES_DROPPED):
        return f"data_source {source}: LiveCodeBench problems are evaluated, never trained on"
    try:
        if code_tests(row.get("tests")) is None:
            return "no test cases"
    except (ValueError, TypeError, KeyError):
        return "tests are not valid JSON"
    return None


def verl_code_row(row: dict) -> dict:
    """Code ground truth in verl layout (`prompt` + `reward_model.ground_truth`, the mirror's copy)."""
    truth = row["reward_model"]["ground_truth"]
    cases = json.loads(truth) if isinstance(truth, str) else truth
    return {"question": _user_text(row), "tests": json.dumps(code_tests(cases))}


SOURCES = [
    Benchmark(name="eurus_math", domain="math", kind="math", hub=Hub("uiuc-kang-lab/eurus-2-math-100k", "train"),
              mirror=Mirror("eurus_math", "train"), size=100_000, metric="math reward", adapter=verl_row),
    Benchmark(name="eurus_code", domain="code", kind="code",
              hub=Hub("uiuc-kang-lab/code-100k-rl", "train", adapter=code_rl_row),
              mirror=Mirror("eurus_code", "train"), size=100_000, metric="code reward", adapter=verl_code_row,
              prompt=code_prompt, unavailable=code_rl_unavailable),
    Benchmark(name="mlvr", domain="knowledge", kind="math", hub=Hub("uiuc-kang-lab/mlvr-100k-rl", "train"),
              mirror=Mirror("mlvr", "train"), size=100_000,
              metric="free-form answer: exact, numeric or option-letter equivalence", adapter=verl_row),
    Benchmark(name="arithmetic_easy", domain="math", kind="math", size=1000, generator="basic_arithmetic", seed=7,
              generator_config=EASY_SUMS, metric="acc: math-verify equivalence"),
    Benchmark(name="math_train", domain="math", kind="math", mirror=Mirror("math_train", "train"), size=4500,
              metric="math reward", adapter=math_row),
]

# What each domain trains on: the paper's hub sets, or what the offline mirror and reasoning-gym
# provide. Entries: (source, split) for files, or (generator benchmark, seed) for puzzles, whose
# training seed differs from the evaluation seed (42).
TRAINING: dict[str, dict[str, list[tuple[str, str | int]]]] = {
    "math": {"hub": [("eurus_math", "train")], "offline": [("gsm8k", "train"), ("math_train", "train")]},
    "code": {"hub": [("eurus_code", "train")], "offline": [("mbpp_full", "train"), ("mbpp_full", "validation")]},
    "knowledge": {"hub": [("mlvr", "train")],
                  "offline": [("tabfact", "validation"), ("pubmedqa", "train"), ("pubmedqa", "validation")]},
    "science": {"hub": [("arc_challenge", "validation")], "offline": [("arc_challenge", "validation")]},
    "logic": {"hub": [("knights_knaves", 1000), ("zebra", 1000), ("syllogism", 1000), ("folio", "train")],
              "offline": [("knights_knaves", 1000), ("zebra", 1000), ("syllogism", 1000), ("folio", "train")]},
}
