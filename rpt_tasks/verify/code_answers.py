"""Code answers: the program (or files) in an output, run against the doc's tests in the sandbox.

A doc's `tests` is a JSON spec (it travels inside lm-eval docs and GRPO rows):
  {"kind": "function", "program", "entry_point", "prompt", "prefix"[, "calls"]}  HumanEval/MBPP-style asserts
  {"kind": "stdio", "cases": [[stdin, stdout], ...], "float_tolerance", "time_limit_s"}
  {"kind": "project", "language", "files", "solution_files", "test_files", "expected_tests"}
      whole files judged by the language's own test runner (Aider Polyglot)
  {"kind": "unittest", "program", "entry_point", "expected_tests", "libs"[, "prompt"]}
      a unittest class run with the solution in one module (BigCodeBench)
The sandbox (rpt_tasks.sandbox) is imported only when code is actually run.
"""

from __future__ import annotations

import json
import re

from rpt_tasks.verify.extract import extract_code, extract_files, strip_reasoning
from rpt_tasks.verify.verdict import Verdict

CODE_TIMEOUT_S = 10.0  # per program in function mode (all of its tests together)


def code_program(prediction: str | None, tests: dict) -> str | None:
    """The program to run for a code answer, or None when the output holds no code.

    The last fenced block is the answer. For HumanEval-style specs (with a `prompt`), a block
    that does not define the entry point is a function body, and an output without any block
    is a plain continuation of the prompt (base models): both get the prompt in front.
    """
    if tests["kind"] == "project":  # whole files, as JSON {path: content}
        files = extract_files(prediction, tests)
        return json.dumps(files) if files else None
    code = extract_code(prediction)
    prompt = tests.get("prompt") or ""
    if code is None:
        if not prompt or not isinstance(prediction, str) or strip_reasoning(prediction) is None:
            return None
        code = prompt + strip_reasoning(prediction)
    elif prompt and not re.search(rf"def\s+{re.escape(tests.get('entry_point') or '')}\s*\(", code):
        code = prompt + code
    return (tests.get("prefix") or "") + code


def sandbox_job(program: str, tests: dict):
    """A tests spec as sandbox arguments: (code, tests, limits)."""
    from rpt_tasks.sandbox import FunctionTests, Limits, StdioTests, runners

    if tests["kind"] == "function":
        # the prompt's own code (HumanEval's helpers) is trusted: the tests see it, not the candidate's copy
        return (program, FunctionTests(tests["program"], tests.get("entry_point"), tests.get("prompt") or "",
                                       tuple(tests.get("calls") or ())), Limits(timeout_s=CODE_TIMEOUT_S))
    if tests["kind"] == "project":
        return (program, *runners.project_tests(tests, json.loads(program)))
    if tests["kind"] == "unittest":
        return (program, *runners.unittest_tests(program, tests))
    cases = tuple((str(i), str(o)) for i, o in tests["cases"])
    return (program, StdioTests(cases, tests.get("float_tolerance")),
            Limits(timeout_s=float(tests.get("time_limit_s") or CODE_TIMEOUT_S)))


def verify_code(prediction: str | None, tests: dict) -> Verdict:
    """Does the program in `prediction` pass every test?"""
    return verify_code_many([prediction], [tests])[0]


def verify_code_many(predictions: list, tests: list[dict], progress=None) -> list[Verdict]:
    """verify_code over many outputs at once, in parallel on the machine's cores. `progress`, if
    given, wraps the iterable of jobs as they are submitted (e.g. tqdm)."""
    return verify_programs([code_program(p, t) for p, t in zip(predictions, tests)], tests, progress)


def verify_programs(programs: list, tests: list[dict], progress=None) -> list[Verdict]:
    """Run programs already extracted (None: no code) against their tests in the sandbox."""
    jobs = [(i, prog, t) for i, (prog, t) in enumerate(zip(programs, tests)) if prog is not None]
    futures = {}
    if jobs:
        from rpt_tasks.sandbox import default_sandbox

        sandbox = default_sandbox()
        for i, prog, t in (progress(jobs) if progress else jobs):
            futures[i] = sandbox.submit(*sandbox_job(prog, t))
    verdicts = []
    for i, program in enumerate(programs):
        if program is None:
            verdicts.append(Verdict(False, None, "no code"))
            continue
        result = futures[i].result()
        detail = f"{result.status}: {result.detail}".strip(": ")
        if result.output:  # a test runner's output: the feedback of a second attempt
            detail += "\n" + result.output
        verdicts.append(Verdict(result.passed, program, detail))
    return verdicts
