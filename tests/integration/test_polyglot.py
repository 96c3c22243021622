"""Aider Polyglot: exercises load per language, reference solutions pass and stubs fail under each
language's own test runner in the sandbox, answers are read as whole files, missing toolchains
are reported (never scored), and `rpt eval` runs the second attempt with the test feedback."""

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from rpt_tasks.benchmarks import polyglot
from rpt_tasks.sandbox import runners
from rpt_tasks.verify.extract import extract_files
from rpt_tasks.data import DataError, load_docs
from rpt_tasks.verify import verify_code_many

MIRROR = Path(os.environ["RPT_DATA_DIR"])
RPT = str(Path(sys.executable).parent / "rpt")


def _rows(language: str) -> list[dict]:
    return [r for r in polyglot.reference_rows(MIRROR) if r["language"] == language]


def _judge(language: str, answers: dict[str, str]) -> dict[str, bool]:
    docs = {d["rpt_id"]: d for d in load_docs(f"aider_polyglot_{language}")}
    ids = sorted(answers)
    verdicts = verify_code_many([answers[i] for i in ids], [json.loads(docs[i]["tests"]) for i in ids], progress=False)
    return {i: v.correct for i, v in zip(ids, verdicts)}


def test_each_language_loads_its_exercises(mirror):
    sizes = {}
    for language in ("python", "rust"):
        docs = load_docs(f"aider_polyglot_{language}")
        assert len({d["rpt_id"] for d in docs}) == len(docs)
        sizes[language] = len(docs)
        spec = json.loads(docs[0]["tests"])
        assert spec["kind"] == "project" and set(spec["test_files"]) <= set(spec["files"])
        assert not any(p.startswith(".meta/") for p in spec["files"])  # the example solution stays hidden
        assert "Don't change the names of existing functions" in docs[0]["question"]
    assert sizes == {"python": 34, "rust": 27}  # 30 Rust exercises, 3 need crates.io packages: left out


@pytest.mark.parametrize("language", ["python", "rust"])
def test_reference_solutions_pass_and_stubs_fail(language, mirror):
    problem = polyglot.toolchain_problem(language)
    if problem:
        pytest.skip(f"{language} toolchain missing on this machine: {problem}")
    # Examples that need crates.io packages cannot build offline (a model's answer may not use them).
    rows = [r for r in _rows(language) if not polyglot.unavailable(r) and not polyglot.reference_needs_crates(r)]
    ids = [f"{language}/{r['exercise']}" for r in rows]
    good = _judge(language, {i: polyglot.answer_with(polyglot.reference_files(r)) for i, r in zip(ids, rows)})
    assert sum(good.values()) / len(good) >= 0.99, [i for i, ok in good.items() if not ok]
    stubs = {i: polyglot.answer_with({p: f["content"] for f in r["files"] for p in r["solution_files"]
                                      if f["path"] == p and p != "Cargo.toml"}) for i, r in zip(ids, rows)}
    assert not any(_judge(language, stubs).values())


def _python_exercise(name="proverb"):
    return next(r for r in _rows("python") if r["exercise"] == name)


@pytest.mark.parametrize("cheat", [
    "import os\nos._exit(0)\n",  # leave before any test runs, with status 0
    "import sys\nprint('1 passed in 0.01s')\nsys.stdout.flush()\nimport os\nos._exit(0)\n",  # a summary, wrong count
    "import unittest\nunittest.TestCase.assertEqual = lambda *a, **k: None\ndef proverb(*args, **kwargs):\n    return 0\n",
    "import atexit, os\natexit.register(lambda: os._exit(0))\ndef proverb(*args, **kwargs):\n    return 0\n",
    "def proverb(*args, **kwargs):\n    raise SystemExit(0)\n",
])
def test_cheats_do_not_pass(cheat, mirror):
    row = _python_exercise()
    answer = polyglot.answer_with({row["solution_files"][0]: cheat})
    assert _judge("python", {"python/proverb": answer}) == {"python/proverb": False}


def test_model_cannot_replace_the_tests(mirror):
    row = _python_exercise()
    test_file = row["test_files"][0]
    answer = polyglot.answer_with({row["solution_files"][0]: "def proverb(*args, **kwargs):\n    return 0\n",
                                   test_file: "def test_nothing():\n    pass\n"})
    spec = json.loads(next(d for d in load_docs("aider_polyglot_python") if d["rpt_id"] == "python/proverb")["tests"])
    assert test_file not in extract_files(answer, spec)
    assert _judge("python", {"python/proverb": answer}) == {"python/proverb": False}


SPEC = {"language": "java", "solution_files": ["src/main/java/Bowling.java"],
        "test_files": ["src/test/java/BowlingTest.java"]}


@pytest.mark.parametrize("answer, files", [
    ("src/main/java/Bowling.java\n```java\nclass Bowling {}\n```", {"src/main/java/Bowling.java": "class Bowling {}\n"}),
    ("**Bowling.java**\n```java\nA\n```\n\nsrc/main/java/Frame.java\n```java\nB\n```",
     {"src/main/java/Bowling.java": "A\n", "src/main/java/Frame.java": "B\n"}),
    ("Here it is:\n```java\nonly\n```", {"src/main/java/Bowling.java": "only\n"}),  # one file: the block is it
    ("<think>```java\nscratch\n```</think>\nsrc/main/java/Bowling.java\n```java\nfinal\n```",
     {"src/main/java/Bowling.java": "final\n"}),
    ("build.gradle\n```\nhacked\n```\nsrc/test/java/BowlingTest.java\n```java\nno\n```", None),
    ("no code at all", None),
])
def test_whole_file_answers(answer, files):
    assert extract_files(answer, SPEC) == files


def test_missing_toolchains_are_reported_not_scored(mirror, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(runners, "which", lambda tool: None)
    monkeypatch.setattr(runners, "catch2_header", lambda: None)
    with pytest.raises(DataError, match="rpt_aider_polyglot_go cannot be judged on this machine: go not found"):
        load_docs("aider_polyglot_go")
    assert "Catch2" in polyglot.toolchain_problem("cpp")
    monkeypatch.setattr(runners, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.delenv("RPT_POLYGLOT_NODE_MODULES", raising=False)
    monkeypatch.delenv("RPT_POLYGLOT_GRADLE_CACHE", raising=False)
    assert "RPT_POLYGLOT_NODE_MODULES" in polyglot.toolchain_problem("javascript")
    assert "RPT_POLYGLOT_GRADLE_CACHE" in polyglot.toolchain_problem("java")


def test_second_attempt_asks_again_with_the_test_output(tmp_path):
    doc = {"rpt_id": "python/x", "question": "Write x.", "tests": "{}"}
    records = [{"output": "x.py\n```python\nbad\n```", "passed": False, "program": "{}", "detail": "failed: E   NameError"},
               {"output": "fine", "passed": True, "program": "{}", "detail": "passed"}]
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps({"doc": {**doc, "rpt_id": f"python/{i}"}, "filtered_resps": [json.dumps(r)]})
                               + "\n" for i, r in enumerate(records)))
    docs = polyglot.second_attempt_docs(str(samples))
    assert [d["rpt_id"] for d in docs] == ["python/0"]
    assert "E   NameError" in docs[0]["question"] and "bad" in docs[0]["question"]
    assert docs[0]["question"].startswith("Write x.") and "The tests are correct" in docs[0]["question"]


def test_rpt_eval_runs_two_attempts_and_skips_missing_toolchains(tiny_model, tmp_path, mirror):
    out = tmp_path / "run"
    result = run_cli(RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks", "rpt_aider_polyglot",
                     "--limit", "2", "--gen_kwargs", "max_gen_toks=8", "--output_path", str(out),
                     "--confirm_run_unsafe_code")
    attempts = json.loads((out / "polyglot_attempts.json").read_text())
    judged = [t for t in polyglot.LANGUAGES if not polyglot.toolchain_problem(t)]
    assert set(attempts["tasks"]) == {f"rpt_aider_polyglot_{t}" for t in judged}
    for row in attempts["tasks"].values():
        assert row["exercises"] == 2 and row["pass_rate_2"] >= row["pass_rate_1"]
        assert (out / row["first_attempt_samples"]).is_file()
    results = json.loads(next(out.rglob("results_*.json")).read_text())
    skipped = {t for t in polyglot.LANGUAGES if polyglot.toolchain_problem(t)}
    assert {f"rpt_aider_polyglot_{t}" for t in skipped} <= set(results["configs"][f"rpt_aider_polyglot_{judged[0]}"]
                                                                ["metadata"].get("rpt_skipped", {}))
    for language in skipped:
        assert f"skipping rpt_aider_polyglot_{language}" in result.stderr
    if "rust" in judged:  # exercises that need crates.io are listed, not scored
        left_out = json.loads((out / "rpt_left_out.json").read_text())
        assert sorted(left_out["rpt_aider_polyglot_rust"]) == ["rust/gigasecond", "rust/grep", "rust/simple-cipher"]


@pytest.mark.skipif(shutil.which("cmake") is None or shutil.which("c++") is None, reason="needs cmake and a C++ compiler")
def test_cpp_exercise_builds_and_runs_with_cmake(tmp_path, monkeypatch):
    """The C++ path (CMake names the build after its folder; every test enabled) on a hand-made
    exercise, with a stand-in for Catch2's single header that prints Catch2's summary line."""
    header = tmp_path / "catch.hpp"
    header.write_text(MINI_CATCH)
    monkeypatch.setenv("RPT_POLYGLOT_CATCH2", str(header))
    cmake = next(f["content"] for f in _rows("cpp")[0]["files"] if f["path"] == "CMakeLists.txt")
    row = {"language": "cpp", "exercise": "add-two", "solution_files": ["add_two.h"], "test_files": ["add_two_test.cpp"],
           "example_files": [], "files": [
               {"path": "CMakeLists.txt", "content": cmake}, {"path": "test/tests-main.cpp",
                                                             "content": "#define CATCH_CONFIG_MAIN\n#include \"catch.hpp\"\n"},
               {"path": "add_two.h", "content": "#pragma once\nint add_two(int x);\n"},
               {"path": "add_two_test.cpp", "content": "#include \"add_two.h\"\n#include \"test/catch.hpp\"\n"
                "TEST_CASE(\"two\") { REQUIRE(add_two(1) == 3); }\n#if defined(EXERCISM_RUN_ALL_TESTS)\n"
                "TEST_CASE(\"zero\") { REQUIRE(add_two(-2) == 0); }\n#endif\n"}]}
    spec = polyglot.exercise_tests(row)
    assert spec["expected_tests"] == 2
    from rpt_tasks.sandbox import run_in_sandbox

    def judge(body: str):
        tests, limits = runners.project_tests(spec, {"add_two.h": f"#pragma once\ninline int add_two(int x) {{ {body} }}\n"})
        return run_in_sandbox("", tests, limits)

    good = judge("return x + 2;")
    assert good.passed, (good.detail, good.output[-1500:])
    bad = judge("return x == 1 ? 3 : 7;")  # passes the first test only: the second must run too
    assert not bad.passed and bad.status == "failed"


MINI_CATCH = r"""
#pragma once
#include <cstdio>
#include <vector>
struct MiniCase { const char* name; void (*fn)(); };
inline std::vector<MiniCase>& mini_cases() { static std::vector<MiniCase> c; return c; }
inline int& mini_failed() { static int f = 0; return f; }
inline int& mini_assertions() { static int a = 0; return a; }
struct MiniRegister { MiniRegister(const char* n, void (*f)()) { mini_cases().push_back({n, f}); } };
#define MINI_CAT2(a, b) a##b
#define MINI_CAT(a, b) MINI_CAT2(a, b)
#define TEST_CASE(name) static void MINI_CAT(mini_test_, __LINE__)(); \
    static MiniRegister MINI_CAT(mini_reg_, __LINE__)(name, &MINI_CAT(mini_test_, __LINE__)); \
    static void MINI_CAT(mini_test_, __LINE__)()
#define REQUIRE(expr) do { ++mini_assertions(); if (!(expr)) { ++mini_failed(); std::printf("FAILED: %s\n", #expr); return; } } while (0)
#ifdef CATCH_CONFIG_MAIN
int main() {
    for (auto& c : mini_cases()) c.fn();
    if (mini_failed()) { std::printf("test cases failed: %d\n", mini_failed()); return 1; }
    std::printf("All tests passed (%d assertions in %zu test cases)\n", mini_assertions(), mini_cases().size());
    return 0;
}
#endif
"""
