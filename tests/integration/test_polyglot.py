"""Aider Polyglot: exercises load per language, reference solutions pass and stubs fail under each
language's own test runner in the sandbox, answers are read as whole files, missing toolchains
are reported (never scored), and `rpt eval` runs the second attempt with the test feedback."""

import json
import os
import re
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


# Exercises judged per language on a machine with every toolchain (the setup script's): the 225
# less those that cannot be judged offline (each with its cause in polyglot.unavailable).
JUDGED = {"cpp": 26, "go": 38, "java": 45, "javascript": 49, "python": 34, "rust": 27}


def test_each_language_loads_its_exercises(mirror):
    sizes = {}
    if os.environ.get("CI"):  # .ci/run installs every toolchain: CI judges all six languages
        assert not {t: p for t in polyglot.LANGUAGES if (p := polyglot.toolchain_problem(t))}
    for language in polyglot.LANGUAGES:
        if polyglot.toolchain_problem(language):
            continue  # reported, never scored: test_missing_toolchains_are_reported_not_scored
        docs = load_docs(f"aider_polyglot_{language}")
        assert len({d["rpt_id"] for d in docs}) == len(docs)
        sizes[language] = len(docs)
        spec = json.loads(docs[0]["tests"])
        assert spec["kind"] == "project" and set(spec["test_files"]) <= set(spec["files"])
        assert not any(p.startswith(".meta/") for p in spec["files"])  # the example solution stays hidden
        assert "Don't change the names of existing functions" in docs[0]["question"]
    assert sizes == {t: n for t, n in JUDGED.items() if t in sizes}
    # left out: Rust's 3 crates.io exercises, Go's counter (no tests), Java's hangman (RxJava 2)
    # and mazy-mice (AssertJ >= 3.17; Debian's is 3.14)
    assert {f"{r['language']}/{r['exercise']}" for r in polyglot.reference_rows(MIRROR) if polyglot.unavailable(r)} >= \
        {"rust/gigasecond", "rust/grep", "rust/simple-cipher", "go/counter", "java/hangman"}


def _stub_files(row: dict) -> dict[str, str]:
    return {f["path"]: f["content"] for f in row["files"] for p in row["solution_files"]
            if f["path"] == p and p != "Cargo.toml"}


@pytest.mark.parametrize("language", polyglot.LANGUAGES)
def test_reference_solutions_pass_and_stubs_fail(language, mirror):
    problem = polyglot.toolchain_problem(language)
    if problem:
        pytest.skip(f"{language} toolchain missing on this machine: {problem} (scripts/setup_polyglot_toolchains.sh)")
    rows = [r for r in _rows(language) if not polyglot.unavailable(r)]
    # Examples that cannot pass here whatever the judge does, each with its cause (a model's
    # answer may use neither crates.io nor a newer Go's standard library)
    excepted = {r["exercise"]: polyglot.reference_problem(r) for r in rows if polyglot.reference_problem(r)}
    assert language in ("rust", "go") or not excepted, excepted
    assert language != "go" or set(excepted) <= {"dnd-character"}, excepted  # slices: Go 1.21
    rows = [r for r in rows if r["exercise"] not in excepted]
    ids = [f"{language}/{r['exercise']}" for r in rows]
    good = _judge(language, {i: polyglot.answer_with(polyglot.reference_files(r)) for i, r in zip(ids, rows)})
    assert sum(good.values()) / len(good) >= 0.99, [i for i, ok in good.items() if not ok]
    # Exercism's refactoring exercises (ledger, markdown, tree-building) ship working code to be
    # rewritten: their stubs may pass, every other stub must fail
    # (a seeded sample of 10 per language keeps the default run short; all: RPT_ALL_STUBS=1)
    refactoring = {f"{language}/{r['exercise']}" for r in rows if _is_refactoring(r)}
    candidates = [(i, r) for i, r in zip(ids, rows) if i not in refactoring]
    if not os.environ.get("RPT_ALL_STUBS"):
        import random

        candidates = random.Random(language).sample(candidates, min(10, len(candidates)))
    stubs = _judge(language, {i: polyglot.answer_with(_stub_files(r)) for i, r in candidates})
    assert not any(stubs.values()), [i for i, ok in stubs.items() if ok]


def _is_refactoring(row: dict) -> bool:
    instructions = next((f["content"] for f in row["files"] if f["path"] == ".docs/instructions.md"), "")
    return bool(re.match(r"#\s*Instructions\s+Refactor\b", instructions))


# An answer that leaves the test process with status 0 before (or instead of) the tests, in each
# language's own way, silently or after printing the runner's summary (with a plausible count):
# no run with every expected test passing in the runner's own summary, no pass.
JAVA_SUMMARY = "\\n".join(f"[{n:>10} {k:<22}]" for n, k in ((3, "tests found"), (3, "tests successful"),
                                                        (0, "tests failed"), (0, "tests aborted"), (0, "containers failed")))
CHEATS = {
    ("go", "exit"): ("package {package}\n\nimport \"os\"\n\nfunc init() {{ os.Exit(0) }}\n", "exit.go"),
    ("go", "summary"): ("package {package}\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc init() {{\n"
                        "\tfmt.Println(\"=== RUN   TestA\\n--- PASS: TestA (0.00s)\\nPASS\\nok  \\tx\\t0.01s\")\n"
                        "\tos.Exit(0)\n}}\n", "exit.go"),
    ("java", "exit"): (" static {{ System.exit(0); }}", "class body"),  # in the class the tests load
    ("java", "summary"): (" static {{ System.out.println(\"" + JAVA_SUMMARY + "\"); System.exit(0); }}", "class body"),
    ("javascript", "exit"): ("process.exit(0);\n", None),
    ("javascript", "summary"): ("console.log('Tests:       3 passed, 3 total'); process.exit(0);\n", None),
    ("javascript", "raw summary"): ("process.stdout.write('Tests:       3 passed, 3 total\\n'); process.exit(0);\n", None),
    ("cpp", "exit"): ("#include <cstdlib>\nstatic int leave = (std::exit(0), 0);\n", None),
    ("cpp", "summary"): ("#include <cstdio>\n#include <cstdlib>\nstatic int leave = (std::puts(\"All tests passed "
                         "(3 assertions in 3 test cases)\"), std::exit(0), 0);\n", None),
}


@pytest.mark.parametrize("language, cheat", sorted(CHEATS))
def test_leaving_with_status_0_does_not_pass(language, cheat, mirror):
    if polyglot.toolchain_problem(language):
        pytest.skip(f"{language} toolchain missing on this machine")
    row = next(r for r in _rows(language) if not polyglot.unavailable(r) and not polyglot.reference_problem(r))
    source, extra_path = CHEATS[language, cheat]
    files = polyglot.reference_files(row)
    if extra_path == "class body":
        first = next(p for p in sorted(files) if p.endswith(".java"))
        files[first] = re.sub(r"(class \w+[^{]*\{)", lambda m: m.group(1) + source.format(), files[first], count=1)
    elif extra_path is None:  # prepended to the first solution file (JavaScript, C++: its .cpp)
        first = next(p for p in sorted(files) if not p.endswith(".h"))
        files[first] = source + files[first]
    else:
        package = re.search(r"^package (\w+)", next(iter(files.values())), re.M)
        files[extra_path] = source.format(package=package.group(1) if package else "main")
    verdict = _judge(language, {f"{language}/{row['exercise']}": polyglot.answer_with(files)})
    assert verdict == {f"{language}/{row['exercise']}": False}


def test_every_test_source_is_protected_and_counted(mirror):
    """Rows name one test file; the runner also runs the others (Java's satellite has TreeTest.java):
    those too are enabled, counted and cannot be replaced by the answer."""
    row = next(r for r in _rows("java") if r["exercise"] == "satellite")
    spec = polyglot.exercise_tests(row)
    assert "src/test/java/TreeTest.java" in spec["test_files"]
    assert not any("@Disabled" in spec["files"][p] for p in spec["test_files"])
    assert spec["expected_tests"] == sum(spec["files"][p].count("@Test") for p in spec["test_files"])
    fake = {"src/test/java/TreeTest.java": "class TreeTest {}\n", "src/test/java/ExtraTest.java": "class ExtraTest {}\n"}
    answer = polyglot.answer_with({**polyglot.reference_files(row), **fake})
    assert not set(fake) & set(extract_files(answer, spec))


def test_test_counts_follow_the_build_rules():
    """Go counts only the files its build constraints select; C++ only the TEST_CASEs the
    preprocessor keeps with EXERCISM_RUN_ALL_TESTS (a benchmark behind its own define is not run)."""
    assert polyglot.go_file_selected("package x\n") and not polyglot.go_file_selected("//go:build bonus\n\npackage x\n")
    step2 = "//go:build step2 || (!step1 && !step3)\n\npackage robot\n"
    assert polyglot.go_file_selected(step2) and not polyglot.go_file_selected(step2, frozenset({"step1"}))
    source = ("TEST_CASE(\"a\") {}\n#if defined(EXERCISM_RUN_ALL_TESTS)\nTEST_CASE(\"b\") {}\n#endif\n"
              "#ifdef EXERCISM_INCLUDE_BENCHMARK\nTEST_CASE(\"bench\") {}\n#else\nint x;\n#endif\n")
    kept = polyglot.cpp_compiled(source, polyglot.CPP_DEFINES)
    assert kept.count("TEST_CASE") == 2 and "bench" not in kept and "int x;" in kept
    two_bucket = next(r for r in _rows("go") if r["exercise"] == "two-bucket")
    assert polyglot.exercise_tests(two_bucket)["expected_tests"] == 1  # bonus_test.go needs -tags bonus
    letters = next(r for r in _rows("cpp") if r["exercise"] == "parallel-letter-frequency")
    assert polyglot.exercise_tests(letters)["expected_tests"] == 12


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
    monkeypatch.setenv("RPT_POLYGLOT_HOME", "/nonexistent")
    monkeypatch.delenv("RPT_POLYGLOT_NODE_MODULES", raising=False)
    monkeypatch.setattr(runners, "java_library_dirs", lambda: ["/nonexistent"])
    assert "setup_polyglot_toolchains.sh" in polyglot.toolchain_problem("javascript")
    assert "junit-platform-console-standalone.jar" in polyglot.toolchain_problem("java")


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
