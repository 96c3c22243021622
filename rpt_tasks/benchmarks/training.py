"""RL training sources (never evaluated) and what each domain trains on: the paper's hub sets, or
what the offline mirror and reasoning-gym provide."""

from __future__ import annotations

from rpt_tasks.benchmarks.code import code_prompt
from rpt_tasks.benchmarks.math import math_row
from rpt_tasks.benchmarks.mini import EASY_SUMS
from rpt_tasks.benchmarks.spec import Benchmark, Hub, Mirror

BOXED_SUFFIX = "Let's think step by step and output the final answer within \\boxed{}."


def verl_row(row: dict) -> dict:
    """uiuc-kang-lab/* RL sets (verl layout, as PRIME-RL/Eurus-2-RL-Data): `prompt` is a chat,
    `reward_model.ground_truth` the answer. Our prompt adds its own instruction, so the set's
    own 'think step by step ... \\boxed{}' suffix is dropped."""
    user = [m["content"] for m in row["prompt"] if m["role"] == "user"][-1]
    return {"question": user.replace(BOXED_SUFFIX, "").strip(), "gold": str(row["reward_model"]["ground_truth"])}


def verl_code_row(row: dict) -> dict:
    """Code ground truth as JSON test cases: {"inputs", "outputs"} for stdin/stdout programs, plus
    "fn_name" for call-based problems (APPS/TACO convention: inputs are argument lists)."""
    import json

    doc = verl_row(row)
    truth = row["reward_model"]["ground_truth"]
    cases = json.loads(truth) if isinstance(truth, str) else truth
    if cases.get("fn_name"):
        fn = cases["fn_name"]
        lines = [f"_out = {fn}(*{list(args)!r})\nassert _out == {out!r} or [_out] == {out!r}"
                 for args, out in zip(cases["inputs"], cases["outputs"])]
        tests = {"kind": "function", "program": "\n".join(lines) + "\n", "entry_point": None, "prompt": "", "prefix": ""}
    else:
        tests = {"kind": "stdio", "cases": [[str(i), str(o)] for i, o in zip(cases["inputs"], cases["outputs"])],
                 "float_tolerance": None, "time_limit_s": 6.0}
    return {"question": doc["question"], "tests": json.dumps(tests)}


SOURCES = [
    Benchmark(name="eurus_math", domain="math", kind="math", hub=Hub("uiuc-kang-lab/eurus-2-math-100k", "train"),
              mirror=Mirror("eurus_math", "train"), size=100_000, metric="math reward", adapter=verl_row),
    Benchmark(name="eurus_code", domain="code", kind="code", hub=Hub("uiuc-kang-lab/code-100k-rl", "train"),
              mirror=Mirror("eurus_code", "train"), size=100_000, metric="code reward", adapter=verl_code_row,
              prompt=code_prompt),
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
