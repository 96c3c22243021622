"""Code (structured): HumanEval, MBPP, LiveCodeBench, Codeforces, USACO (and the LeetCode contest
stand-in), judged by running the program in the sandbox (rpt_tasks.sandbox)."""

from __future__ import annotations

import json

from rpt_tasks.benchmarks.spec import FUNCTION_PROMPT, STDIO_PROMPT, Benchmark, Group, Hub, Mirror, Variant, template

FOLDER = "code"
VERSION = 2.0  # 2.0: the hardened judge of issue 14 (trusted namespace, report channel, IPC namespace)
TITLE = "rpt code tasks"
INTRO = ("The code domain of \"Breaking Barriers: Do Reinforcement Post Training Gains Transfer To Unseen "
         "Domains?\" (Hu et al., arXiv 2506.19733). All tasks are `unsafe_code: true`: pass "
         "`--confirm_run_unsafe_code` to `lm_eval` or `rpt eval`.")
NOTES = """\
Group `rpt_code`: HumanEval, MBPP, LiveCodeBench (acc weighted by size), which run anywhere.
`rpt_suite_full` adds Codeforces, BigCodeBench and Aider Polyglot, which need hub data, a
library environment or toolchains; USACO needs its data converted (`scripts/convert_usaco.py`).
Offline (`RPT_DATA_DIR` set), `rpt_livecodebench` reads the LeetCode contest mirror
(`leetcode_contests`, 180 problems), the same kind of problems LiveCodeBench collects.

Metrics: `acc` (= pass@1: every test passes), `no_answer` (no code found), `truncated`.
The answer is the last complete fenced code block after any `<think>` block; for HumanEval a
block without the entry point is a body, and an output without a block is a continuation of the
prompt (base models). LeetCode-style problems get the usual import header (`from typing import *`...).

## Execution (`rpt_tasks.sandbox`)
- Each candidate process runs as its own throw-away uid, in its own network namespace (no
  network) and IPC namespace, in a private filesystem view with a fresh, empty working folder
  (no dataset, cache or test file is reachable), with limits on CPU time, address space (2 GB),
  file size (64 MB), processes and open files, a scrubbed environment and no inherited file
  descriptors.
- Function tests run in a separate trusted judge whose namespace holds only builtins, the
  prompt's own helpers and the tests; it calls the candidate's entry point over a pipe and
  compares values rebuilt as exact builtin types, so no shadowed builtin, redefined helper,
  exit code, printed marker or `__eq__` override can make a test pass. Stdin/stdout programs are
  compiled once and each case forked from that process, locked down further, stopping at the
  first failure. What each mode can and cannot promise: `rpt_tasks/sandbox/README.md`;
  `rpt_tasks/testing/sandbox_attacks.py` lists the attacks the tests check.
- Only preloaded modules can be imported inside the chroot: the standard library and numpy by
  default; set `RPT_SANDBOX_PRELOAD=numpy,pandas,...` to preload more (third-party ones must be
  installed in the evaluating environment).
- Needs root (for the uid switch, chroot and network namespace). Without it, an unprivileged user+network
  namespace is used where the kernel allows it, else a socket guard; the active isolation is
  reported in each result.

## Data layout for Codeforces/USACO (and any stdin/stdout set)
`$RPT_DATA_DIR/<codeforces|usaco>/test.jsonl`, one problem per line:
`{"id": "...", "question": "statement", "tests": [{"input": "...", "output": "..."}], "time_limit_s": 2.0, "float_tolerance": null}`.
Rows in the `open-r1/codeforces` layout (`description`, `input_format`, `output_format`,
`official_tests`, `time_limit`) are read too."""

METRIC = "acc = pass@1: every unit test passes in the sandbox"
# What LeetCode-style harnesses put above a solution (DeepSeek-Coder's LeetCode eval does the same),
# so `List[int]` and friends in the starter code resolve.
LEETCODE_PREFIX = ("from typing import *\nfrom collections import *\nfrom functools import *\n"
                   "from itertools import *\nfrom heapq import *\nfrom bisect import *\nfrom math import *\n"
                   "from string import *\nimport re, math, collections, heapq, bisect, itertools, functools\n"
                   "inf = float('inf')\n")
MBPP_PROMPT = ("You are an expert Python programmer, and here is your task: {question}\n\n"
               "Give your solution in a single ```python code block.")
CLASS_PROMPT = ("Solve the following programming problem in Python 3. Give the complete solution, including the "
                "class and method signature given, in a single ```python code block.\n\n{question}")


def function_spec(program: str, entry_point: str | None = None, prompt: str = "", prefix: str = "",
                  calls: list[str] | None = None) -> str:
    spec = {"kind": "function", "program": program, "entry_point": entry_point, "prompt": prompt, "prefix": prefix}
    if calls:
        spec["calls"] = calls
    return json.dumps(spec)


def reference_calls(tests: str, reference: str) -> list[str]:
    """The functions of the reference solution that the tests call: the candidate provides these,
    even one named like a builtin (MBPP's task 126 is `sum`); no other candidate name is bound."""
    import ast

    from rpt_tasks.sandbox.modes import global_names

    try:
        module = ast.parse(reference)
    except SyntaxError:
        return []
    defined = {node.name for node in module.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    return sorted(global_names(ast.parse(tests)) & defined)


def humaneval_row(row: dict) -> dict:
    return {"question": row["prompt"], "gold": row["canonical_solution"], "id": row["task_id"],
            "tests": function_spec(row["test"] + "\ncheck(candidate)\n", row["entry_point"], row["prompt"])}


def mbpp_row(row: dict) -> dict:
    """MBPP's usual prompt: the task text plus its tests (they name the function to write)."""
    setup = [row.get("test_setup_code") or ""] + list(row.get("test_imports") or [])
    question = (row.get("prompt") or row["text"]) + "\nYour code should pass these tests:\n\n" + "\n".join(row["test_list"])
    program = "\n".join(setup + list(row["test_list"])) + "\n"
    return {"question": question, "gold": row["code"], "id": row["task_id"],
            "tests": function_spec(program, calls=reference_calls(program, row["code"]))}


def leetcode_mirror_row(row: dict) -> dict:
    """DeepSeek-Coder's LeetCode contest set (the mirror's LiveCodeBench stand-in)."""
    return {"question": row["prompt"], "id": row["task_id"],
            "tests": function_spec(row["test"], prefix=LEETCODE_PREFIX)}


def livecodebench_row(row: dict) -> dict:
    """LiveCodeBench code_generation_lite: public tests as JSON, private ones as
    base64(zlib(pickle(json))). Functional problems call Solution().<func_name>(*args)."""
    import base64
    import pickle
    import zlib

    starter = row.get("starter_code") or ""
    question = row["question_content"] + (f"\n\nStarter code:\n```python\n{starter}\n```" if starter.strip() else "")
    cases = json.loads(row["public_test_cases"])
    private = row.get("private_test_cases") or "[]"
    try:
        cases += json.loads(private)
    except ValueError:
        cases += json.loads(pickle.loads(zlib.decompress(base64.b64decode(private.encode()))))  # noqa: S301 - LCB's own format
    if cases and cases[0].get("testtype") == "functional":
        func = json.loads(row["metadata"])["func_name"]
        lines = ["_solution = Solution()"]
        for case in cases:
            args = [json.loads(arg) for arg in case["input"].split("\n") if arg.strip()]
            lines.append(f"assert _solution.{func}(*{args!r}) == {json.loads(case['output'])!r}")
        tests = function_spec("\n".join(lines) + "\n", prefix=LEETCODE_PREFIX)
    else:
        tests = json.dumps({"kind": "stdio", "cases": [[c["input"], c["output"]] for c in cases],
                            "float_tolerance": None, "time_limit_s": 6.0})
    return {"question": question, "id": row["question_id"], "tests": tests}


def stdio_row(row: dict) -> dict:
    """Our stdin/stdout schema (also the mirror layout for Codeforces/USACO data you supply):
    question, tests [{input, output}], time_limit_s, float_tolerance. open-r1/codeforces rows
    (description + formats, official_tests, time_limit in seconds) map onto it too."""
    question = row.get("question")
    if not question:
        parts = [row.get("description"), "Input\n" + (row.get("input_format") or ""),
                 "Output\n" + (row.get("output_format") or ""), row.get("note")]
        question = "\n\n".join(p for p in parts if p and p.strip())
    tests = row.get("tests") or row.get("official_tests") or []
    return {"question": question, "id": row["id"], "tests": json.dumps({
        "kind": "stdio", "cases": [[t["input"], t["output"]] for t in tests],
        "float_tolerance": row.get("float_tolerance"),
        "time_limit_s": float(row.get("time_limit_s") or row.get("time_limit") or 2.0)})}


def codeforces_row(row: dict) -> dict:
    """open-r1/codeforces: stdio_row, and a flag where the official tests are incomplete (the
    results then say so per sample: a pass there is weaker evidence)."""
    doc = stdio_row(row)
    if row.get("official_tests_complete") is False:
        doc["rpt_tests_incomplete"] = True
    return doc


def codeforces_unavailable(row: dict) -> str | None:
    """Problems output comparison cannot judge: interactive ones (they need an interactor) and
    ones with a checker (several outputs are right); and problems without tests."""
    if (row.get("interaction_format") or "").strip():
        return "interactive problem: needs its interactor, which the sandbox does not run"
    if (row.get("generated_checker") or "").strip():
        return "checker problem: several outputs are correct, output comparison would mis-score it"
    if not (row.get("tests") or row.get("official_tests")):
        return "no tests"
    return None


def code_prompt(doc: dict) -> str:
    """Class-style problems (LeetCode) get their starter code; stdin/stdout ones the stdio style."""
    style = STDIO_PROMPT if json.loads(doc["tests"])["kind"] == "stdio" else CLASS_PROMPT
    return style.format(question=doc["question"])


_CODE = dict(domain="code", kind="code", metric=METRIC)

MBPP_REVISION = "4bb6404fdc6cacfda99d4ac4205087b89d32030c"
BENCHMARKS = [
    Benchmark(name="humaneval", adapter=humaneval_row, hub=Hub("openai/openai_humaneval", "test", revision="7dce6050a7d6d172f3cc5c32aa97f52fa1a2e544"),
              mirror=Mirror("humaneval", "test"), size=164, prompt=template(FUNCTION_PROMPT), **_CODE),
    Benchmark(name="mbpp", adapter=mbpp_row, hub=Hub("google-research-datasets/mbpp", "test", name="sanitized", revision=MBPP_REVISION),
              mirror=Mirror("mbpp_sanitized", "test"), size=257, prompt=template(MBPP_PROMPT), **_CODE),
    Benchmark(name="mbpp_full", adapter=mbpp_row, hub=Hub("google-research-datasets/mbpp", "test", name="full", revision=MBPP_REVISION),
              mirror=Mirror("mbpp", "test"), size=500, prompt=template(MBPP_PROMPT), **_CODE),
    Benchmark(name="livecodebench", adapter=livecodebench_row,
              hub=Hub("livecodebench/code_generation_lite", "test", name="release_v5", revision="0fe84c3912ea0c4d4a78037083943e8f0c4dd505",
                  # the repository ships a loading script; release_v5 is its first five data files
                  data_files=(("test", ("test.jsonl", "test2.jsonl", "test3.jsonl", "test4.jsonl", "test5.jsonl")),)),
              mirror=Mirror("leetcode_contests", "test", size=180, adapter=leetcode_mirror_row), size=880,
              prompt=code_prompt, **_CODE),
    Benchmark(name="leetcode", adapter=leetcode_mirror_row, mirror=Mirror("leetcode_contests", "test"), size=180,
              prompt=code_prompt, **_CODE),
    Benchmark(name="codeforces", adapter=stdio_row,
              hub=Hub("open-r1/codeforces", "test", revision="8fd706e298b713125ac8df18cd5d847440fe3fb9",
                      adapter=codeforces_row),
              mirror=Mirror("codeforces", "test"), prompt=code_prompt, unavailable=codeforces_unavailable, **_CODE),
    Benchmark(name="usaco", adapter=stdio_row, mirror=Mirror("usaco", "test"), size=307, prompt=code_prompt, **_CODE),
]
VARIANTS = [
    Variant("humaneval_pass10", "humaneval", comment="20 samples per problem for the unbiased pass@k estimator "
            "(pass@1 = acc, pass@5, pass@10).", task_yaml={
                "repeats": 20, "process_results": "utils.process_pass_at_k",
                "generation_kwargs": {"do_sample": True, "temperature": 0.8, "top_p": 0.95},
                "metric_list": ["acc", "pass@5", "pass@10", "no_answer", "truncated"]}),
]
GROUPS = [Group("rpt_code", ("rpt_humaneval", "rpt_mbpp", "rpt_livecodebench"),
                "Codeforces and USACO join once their data is available offline (see README.md).")]
CITATIONS = {
    "humaneval": "@article{chen2021codex, title={Evaluating Large Language Models Trained on Code}, author={Chen, Mark and others}, journal={arXiv:2107.03374}, year={2021}}",
    "mbpp": "@article{austin2021program, title={Program Synthesis with Large Language Models}, author={Austin, Jacob and others}, journal={arXiv:2108.07732}, year={2021}}",
}
