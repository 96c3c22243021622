"""Code tasks without an offline mirror, on problems written here: the stdin/stdout runner
(Codeforces, USACO) and LiveCodeBench's hub format; plus `rpt eval --tasks rpt_code`."""

import base64
import json
import pickle
import sys
import zlib
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from rpt_tasks.data import load_docs
from rpt_tasks.benchmarks import get_benchmark
from rpt_tasks.benchmarks.code import livecodebench_row
from rpt_tasks.verify import verify_code, verify_code_many

RPT = str(Path(sys.executable).parent / "rpt")

SUM_PROBLEM = {
    "id": "sum-1", "question": "Read n and then n integers; print their sum.",
    "tests": [{"input": "3\n1 2 3\n", "output": "6\n"}, {"input": "1\n-5\n", "output": "-5"}],
    "time_limit_s": 2.0,
}
AREA_PROBLEM = {  # open-r1/codeforces layout, float answer with tolerance
    "id": "1A", "description": "Print the area of a circle of radius r.", "input_format": "One integer r.",
    "output_format": "The area, absolute or relative error 1e-6.", "time_limit": 1.0, "float_tolerance": 1e-6,
    "official_tests": [{"input": "1\n", "output": "3.14159265"}, {"input": "2\n", "output": "12.5663706"}],
}
SUM_SOLUTION = "```python\nn = int(input())\nprint(sum(map(int, input().split())))\n```"
AREA_SOLUTION = "```python\nimport math\nr = int(input())\nprint(math.pi * r * r)\n```"


@pytest.fixture()
def stdio_mirror(tmp_path, monkeypatch):
    for folder in ("codeforces", "usaco"):
        (tmp_path / folder).mkdir()
        with (tmp_path / folder / "test.jsonl").open("w") as f:
            for row in (SUM_PROBLEM, AREA_PROBLEM):
                f.write(json.dumps(row) + "\n")
    monkeypatch.setenv("RPT_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("name", ["codeforces", "usaco"])
def test_stdio_benchmarks_load_and_judge(name, stdio_mirror):
    docs = load_docs(name)
    assert [d["rpt_id"] for d in docs] == ["sum-1", "1A"]
    assert "Input\nOne integer r." in docs[1]["question"]
    specs = [json.loads(d["tests"]) for d in docs]
    assert specs[1]["time_limit_s"] == 1.0 and specs[1]["float_tolerance"] == 1e-6
    verdicts = verify_code_many([SUM_SOLUTION, AREA_SOLUTION], specs, progress=False)
    assert all(verdicts), [v.detail for v in verdicts]
    wrong = verify_code_many([AREA_SOLUTION, "```python\nprint(3)\n```"], specs, progress=False)
    assert not any(wrong)
    slow = verify_code("```python\nwhile True: pass\n```", specs[1])
    assert not slow and "timeout" in slow.detail


def livecodebench_tests(row: dict) -> dict:
    return json.loads(livecodebench_row({"question_content": "Add k.", "question_id": "1", **row})["tests"])


def test_livecodebench_hub_rows_become_tests():
    functional = {"public_test_cases": json.dumps([{"input": "[1, 2]\n3", "output": "[4, 5]", "testtype": "functional"}]),
                  "private_test_cases": base64.b64encode(zlib.compress(pickle.dumps(json.dumps(
                      [{"input": "[]\n1", "output": "[]", "testtype": "functional"}])))).decode(),
                  "metadata": json.dumps({"func_name": "addAll"})}
    spec = livecodebench_tests(functional)
    solution = "```python\nclass Solution:\n    def addAll(self, nums: List[int], k: int) -> List[int]:\n        return [x + k for x in nums]\n```"
    assert spec["kind"] == "function" and verify_code(solution, spec)
    assert not verify_code(solution.replace("x + k", "x - k"), spec)
    stdin = {"public_test_cases": json.dumps([{"input": "2 3\n", "output": "5\n", "testtype": "stdin"}]),
             "private_test_cases": "[]", "metadata": "{}"}
    spec = livecodebench_tests(stdin)
    assert spec["kind"] == "stdio" and spec["time_limit_s"] == 6.0
    assert verify_code("```python\nprint(sum(map(int, input().split())))\n```", spec)


def test_leetcode_mirror_problem_with_helper_classes(mirror):
    docs = [d for d in load_docs("leetcode") if "ListNode" in d["question"]]
    doc = docs[0]  # "double a number represented as a linked list"
    solution = ("```python\nclass Solution:\n    def doubleIt(self, head: Optional[ListNode]) -> Optional[ListNode]:\n"
                "        digits = []\n        while head:\n            digits.append(str(head.val))\n"
                "            head = head.next\n        value = str(int(''.join(digits)) * 2)\n"
                "        node = None\n        for ch in reversed(value):\n            node = ListNode(int(ch), node)\n"
                "        return node\n\nclass ListNode:\n    def __init__(self, val=0, next=None):\n"
                "        self.val = val\n        self.next = next\n```")
    assert doc["rpt_id"].endswith("double-a-number-represented-as-a-linked-list")
    assert verify_code(solution, json.loads(doc["tests"])), verify_code(solution, json.loads(doc["tests"])).detail


def test_rpt_eval_code_group_runs_offline(tiny_model, tmp_path, mirror):
    run_cli(RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks", "rpt_code",
            "--limit", "2", "--confirm_run_unsafe_code", "--gen_kwargs", "max_gen_toks=8",
            "--output_path", str(tmp_path), "--log_samples")
    (results_file,) = tmp_path.rglob("results_*.json")
    results = json.loads(results_file.read_text())
    assert set(results["results"]) == {"rpt_code", "rpt_humaneval", "rpt_mbpp", "rpt_livecodebench"}
    for task in ("rpt_humaneval", "rpt_mbpp", "rpt_livecodebench"):
        assert results["n-samples"][task]["effective"] == 2
    sample = json.loads(next(tmp_path.rglob("samples_rpt_humaneval_*.jsonl")).read_text().splitlines()[0])
    (records,) = sample["filtered_resps"]
    assert set(json.loads(records[0])) == {"output", "passed", "program", "detail"}


def test_code_tasks_refuse_without_confirmation(tiny_model, tmp_path, mirror):
    import subprocess

    proc = subprocess.run([RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}",
                           "--tasks", "rpt_humaneval", "--limit", "1"], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "confirm_run_unsafe_code" in (proc.stdout + proc.stderr)


def test_registry_marks_the_paper_code_benchmarks():
    for name in ("humaneval", "mbpp", "livecodebench", "codeforces", "usaco"):
        assert get_benchmark(name).domain == "code"


def test_usaco_download_converts_to_the_stdio_layout(tmp_path, monkeypatch):
    sys.path.insert(0, str(REPO / "scripts"))
    from convert_usaco import convert

    problems = {"1_bronze_sum": {"problem_id": "1_bronze_sum", "description": "Print a + b.", "runtime_limit": 1,
                                 "memory_limit": 256},
                "2_silver_none": {"problem_id": "2_silver_none", "description": "No tests here."}}
    (tmp_path / "problems.json").write_text(json.dumps(problems))
    tests = tmp_path / "tests" / "1_bronze_sum"
    tests.mkdir(parents=True)
    (tests / "1.in").write_text("1 2\n")
    (tests / "1.out").write_text("3\n")
    (tests / "I.2").write_text("5 5\n")
    (tests / "O.2").write_text("10\n")
    rows, missing = convert(tmp_path / "problems.json", tmp_path / "tests")
    assert missing == ["2_silver_none"] and len(rows) == 1 and len(rows[0]["tests"]) == 2
    (tmp_path / "mirror" / "usaco").mkdir(parents=True)
    (tmp_path / "mirror" / "usaco" / "test.jsonl").write_text(json.dumps(rows[0]) + "\n")
    monkeypatch.setenv("RPT_DATA_DIR", str(tmp_path / "mirror"))
    (doc,) = load_docs("usaco")
    spec = json.loads(doc["tests"])
    assert spec["time_limit_s"] == 1.0
    assert verify_code("```python\na, b = map(int, input().split())\nprint(a + b)\n```", spec)
    assert not verify_code("```python\nprint(3)\n```", spec)
