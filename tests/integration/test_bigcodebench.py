"""BigCodeBench: both splits load from the mirror, reference solutions pass and gutted ones fail
in the sandbox's command mode, cheap cheats fail, and tasks whose libraries are missing are left
out and recorded, never scored.

The default run judges the tasks that need only the standard library (their outcome does not
depend on library versions). The whole benchmark needs BigCodeBench's pinned environment
(scripts/setup_bigcodebench_env.sh): `RPT_BIGCODEBENCH_PYTHON=... pytest -m slow tests/test_bigcodebench.py`."""

import json
import os
import sys
from pathlib import Path

import pytest

from rpt_tasks.benchmarks import bigcodebench
from rpt_tasks.data import load, load_docs
from rpt_tasks.verify import verify_code_many

MIRROR = Path(os.environ["RPT_DATA_DIR"])
ROWS = {json.loads(line)["task_id"]: json.loads(line)
        for line in (MIRROR / "bigcodebench" / "v0.1.0_hf.jsonl").read_text().splitlines()}
# tasks and tests that import only the standard library: their outcome does not depend on library versions
STDLIB_ONLY = sorted(i for i, r in ROWS.items()
                     if all(lib in sys.stdlib_module_names for lib in bigcodebench.required_modules(r)))


def _reference(task_id: str) -> str:
    row = ROWS[task_id]
    return f"```python\n{row['code_prompt']}{row['canonical_solution']}\n```"


def _judge(docs: list[dict], answers: list[str]) -> list[bool]:
    return [v.correct for v in verify_code_many(answers, [json.loads(d["tests"]) for d in docs], progress=False)]


@pytest.fixture(scope="module")
def docs(mirror):
    return {d["rpt_id"]: d for d in load_docs("bigcodebench")}


def test_both_splits_load_with_their_prompts(docs, mirror):
    instruct = {d["rpt_id"]: d for d in load_docs("bigcodebench_instruct")}
    assert set(instruct) == set(docs) and len(docs) + len(load("bigcodebench").left_out) == 1140
    doc = docs["BigCodeBench/0"]
    spec = json.loads(doc["tests"])
    assert spec["kind"] == "unittest" and spec["expected_tests"] == 10 and spec["prompt"] == ROWS["BigCodeBench/0"]["complete_prompt"]
    assert "You should write self-contained code" in instruct["BigCodeBench/0"]["question"]
    assert "prompt" not in json.loads(instruct["BigCodeBench/0"]["tests"])


def test_standard_library_tasks_reference_passes_gutted_fails(docs):
    runnable = [docs[i] for i in STDLIB_ONLY if i in docs]
    assert len(runnable) > 200
    chosen = runnable[::4]  # a fixed quarter keeps the default run short; the slow test runs them all
    good = _judge(chosen, [_reference(d["rpt_id"]) for d in chosen])
    assert sum(good) / len(good) >= 0.99, [d["rpt_id"] for d, ok in zip(chosen, good) if not ok]
    gutted = [f"```python\n{ROWS[d['rpt_id']]['code_prompt']}    return None\n```" for d in chosen[:40]]
    assert not any(_judge(chosen[:40], gutted))


def test_a_completion_without_the_signature_gets_the_prompt_in_front(docs):
    task = STDLIB_ONLY[0]
    body = ROWS[task]["canonical_solution"]
    assert _judge([docs[task]], [f"```python\n{body}\n```"]) == [True]


@pytest.mark.parametrize("cheat", [
    "import os\nos._exit(0)\n",
    "import unittest\nunittest.TestCase.assertEqual = lambda *a, **k: None\n"
    "unittest.TestCase.assertTrue = lambda *a, **k: None\ndef task_func(*a, **k):\n    return None\n",
    "import sys\nprint('RPT-UNITTEST ran=1 failures=0 errors=0', flush=True)\nimport os\nos._exit(0)\n",
    "def task_func(*a, **k):\n    raise SystemExit(0)\n",
    "import unittest\nunittest.TestResult.addFailure = lambda *a: None\nunittest.TestResult.addError = lambda *a: None\n"
    "def task_func(*a, **k):\n    return None\n",
])
def test_cheats_do_not_pass(cheat, docs):
    task = STDLIB_ONLY[0]
    assert _judge([docs[task]], [f"```python\n{cheat}```"]) == [False]


def test_missing_libraries_leave_the_task_out_and_say_so():
    row = {**ROWS["BigCodeBench/0"], "task_id": "BigCodeBench/fixture", "libs": "['itertools', 'not_a_real_lib_xyz']"}
    assert bigcodebench.unavailable(ROWS["BigCodeBench/0"]) is None
    assert "not_a_real_lib_xyz" in bigcodebench.unavailable(row)


def test_count_tests_reads_the_test_class():
    assert bigcodebench.count_tests("import unittest\nclass TestCases(unittest.TestCase):\n    def test_a(self): pass\n"
                                    "    def helper(self): pass\n    def test_b(self): pass\n") == 2
    with pytest.raises(ValueError):
        bigcodebench.count_tests("x = 1\n")


def test_tasks_that_need_the_internet_are_left_out(docs):
    assert not bigcodebench.NEEDS_INTERNET & set(docs)
    assert set(load("bigcodebench").left_out) >= bigcodebench.NEEDS_INTERNET


@pytest.mark.slow
def test_every_reference_solution_in_the_pinned_environment(docs):
    """The whole benchmark (about 10 minutes on 2 cores) in BigCodeBench's own environment:
    every task that is not left out passes (1,116 of 1,140 without NLTK data, here)."""
    if not os.environ.get("RPT_BIGCODEBENCH_PYTHON"):
        pytest.skip("set RPT_BIGCODEBENCH_PYTHON (scripts/setup_bigcodebench_env.sh)")
    chosen = list(docs.values())
    good = _judge(chosen, [_reference(d["rpt_id"]) for d in chosen])
    assert sum(good) / len(good) >= 0.99, [d["rpt_id"] for d, ok in zip(chosen, good) if not ok]
