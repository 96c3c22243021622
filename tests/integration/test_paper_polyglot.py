"""rpt_paper_aider_polyglot_*: the authors' Aider Polyglot (their pre-rendered CSV prompts, the last
fenced block as the first solution file, one attempt, the tests their commands ran)."""

import csv
import hashlib
import json
import os
import random
import re
from pathlib import Path

import pytest
import yaml

from rpt_tasks.benchmarks import paper_polyglot, polyglot, prompt_for
from rpt_tasks.data import load_docs
from rpt_tasks.harness.configs import task_dir
from rpt_tasks.verify import verify_docs
from rpt_tasks.verify.paper_rules import code_program

MIRROR = Path(os.environ["RPT_DATA_DIR"])
PROTOCOL = json.loads((MIRROR / "paper_protocol" / "protocol.json").read_text())["benchmarks"]["aider_polyglot"]
JUDGEABLE = [lang for lang in polyglot.LANGUAGES if not polyglot.toolchain_problem(lang)]


def _csv() -> dict:
    path = paper_polyglot.PROTOCOL_DIR / "polyglot_problem_data.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {(r["language"], r["folder"]): r for r in csv.DictReader(f)}


def test_packaged_csv_is_the_authors_and_checked(tmp_path, monkeypatch):
    data = (paper_polyglot.PROTOCOL_DIR / "polyglot_problem_data.csv").read_bytes()
    assert hashlib.sha256(data).hexdigest() == PROTOCOL["dataset"]["sha256"]
    rows = _csv()
    counts = {lang: sum(1 for (language, _) in rows if language == lang) for lang in polyglot.LANGUAGES}
    assert counts == PROTOCOL["dataset"]["languages"] and len(rows) == PROTOCOL["dataset"]["n_items"]
    (tmp_path / "polyglot_problem_data.csv").write_bytes(data.replace(b"Don't change", b"Do change", 1))
    monkeypatch.setattr(paper_polyglot, "PROTOCOL_DIR", tmp_path)
    paper_polyglot.problem_data.cache_clear()
    try:
        with pytest.raises(ValueError, match="sha256"):
            paper_polyglot.problem_data()
    finally:
        paper_polyglot.problem_data.cache_clear()


@pytest.mark.parametrize("language", JUDGEABLE)
def test_each_prompt_is_the_authors_row_verbatim(language, mirror):
    rows = _csv()
    docs = load_docs(f"paper_aider_polyglot_{language}")
    judged = {d["rpt_id"] for d in docs}
    left_out = {f"{r['exercise']}-{language}" for r in polyglot.reference_rows(MIRROR)
                if r["language"] == language and polyglot.unavailable(r)}
    assert len(judged) + len(left_out) == PROTOCOL["dataset"]["languages"][language]  # their exercises, all
    for doc in docs:
        folder = doc["rpt_id"].removesuffix(f"-{language}")
        authors = rows[(language, folder)]
        assert prompt_for(doc) == authors["instructions"]  # user_template "{instructions}", no system message
        assert f"Write polyglot-benchmark/{language} code" in prompt_for(doc)  # their placeholder defect, kept
        assert json.loads(doc["tests"])["solution_files"] == [authors["sol_file"]]


def _doc(language: str, exercise: str) -> dict:
    return next(d for d in load_docs(f"paper_aider_polyglot_{language}") if d["rpt_id"] == f"{exercise}-{language}")


def test_the_last_block_their_regex_matches_is_the_solution_file():
    tests = {"paper_extract": "last_block_file", "solution_files": ["src/lib.rs"]}
    as_file = lambda output: json.loads(code_program(output, tests) or "{}").get("src/lib.rs")  # noqa: E731
    assert as_file("```rust\nfn a() {}\n```") == "fn a() {}"
    assert as_file("```\nfirst\n```\nthen\n```rust\nsecond\n```") == "second"  # the last one
    assert as_file("<think>```rust\ndraft\n```</think>```rust\nfinal\n```") == "final"  # closed think pairs go
    assert as_file("<think>```rust\ndraft\n```") == "draft"  # an unclosed one stays
    # the fence their prompt asks for: `polyglot-benchmark/rust` is not \w+, so their regex skips it
    # (what it finds instead is text between the closing fence and a later one)
    assert as_file("```polyglot-benchmark/rust\nfn a() {}\n```") == ""
    # no block: their scorer wrote the empty file and ran the tests anyway (see the C++ test below)
    assert as_file("no code at all") == "" and as_file("```rust\n\n```") == ""
    assert code_program(None, tests) is None


def _reference(row: dict, sol_file: str) -> str:
    return polyglot.reference_files(row)[sol_file]


def _reference_is_one_file(row: dict, doc: dict) -> bool:
    """Whether the example solution is only its first solution file (the rest as in the task's
    tree): only that file is written, so OCR Numbers' Java example, which adds Digit.java, cannot pass."""
    tests = json.loads(doc["tests"])
    return all(path == tests["solution_files"][0] or tests["files"].get(path) == content
               for path, content in polyglot.reference_files(row).items())


def _solved_by_the_tree(row: dict) -> bool:
    """C++ exercises whose example header holds the whole solution (no example .cpp, or one that
    defines nothing): the authors' script copied that header into the tree, so any answer passes."""
    files = {f["path"]: f["content"] for f in row["files"]}
    if row["language"] != "cpp" or ".meta/example.h" not in files:
        return False
    example = files.get(".meta/example.cpp", "")
    code = re.sub(r"//[^\n]*|/\*.*?\*/|#include[^\n]*|namespace\s+\w+\s*\{|[{}\s]", "", example, flags=re.S)
    return not code


@pytest.mark.parametrize("language", JUDGEABLE)
def test_references_as_their_last_block_pass_and_stubs_fail(language, mirror):
    """Three exercises per language (seeded): the example solution of the first solution file, as
    a fenced block after some prose, passes; the stub fails; an answer in the fence their prompt
    shows scores 0, as their regex makes it."""
    docs = {d["rpt_id"]: d for d in load_docs(f"paper_aider_polyglot_{language}")}
    rows = [r for r in polyglot.reference_rows(MIRROR) if r["language"] == language
            and f"{r['exercise']}-{language}" in docs and not polyglot.reference_problem(r)
            and not _is_refactoring(r) and not _solved_by_the_tree(r)
            and _reference_is_one_file(r, docs[f"{r['exercise']}-{language}"])]
    rows = random.Random(language).sample(rows, 3)
    picked = [docs[f"{r['exercise']}-{language}"] for r in rows]
    sol = [json.loads(d["tests"])["solution_files"][0] for d in picked]
    stubs = [{f["path"]: f["content"] for f in r["files"]}[s] for r, s in zip(rows, sol)]
    references = [_reference(r, s) for r, s in zip(rows, sol)]
    outputs = [f"Here is the solution.\n```{language}\n{code}\n```\n" for code in references] + \
              [f"```{language}\n{stub}\n```" for stub in stubs] + \
              [f"```polyglot-benchmark/{language}\n{code}\n```" for code in references]
    verdicts = verify_docs(outputs, picked * 3)
    assert [v.correct for v in verdicts] == [True] * 3 + [False] * 6, [(d["rpt_id"], v.detail[:300]) for d, v in
                                                                       zip(picked * 3, verdicts)]


def _is_refactoring(row: dict) -> bool:
    instructions = next((f["content"] for f in row["files"] if f["path"] == ".docs/instructions.md"), "")
    return bool(re.match(r"#\s*Instructions\s+Refactor\b", instructions))  # working code to be rewritten


@pytest.mark.skipif("java" not in JUDGEABLE, reason="Java toolchain missing (scripts/setup_polyglot_toolchains.sh)")
def test_java_runs_the_tests_exercism_enables_as_gradlew_did(mirror):
    """Their `./gradlew test` left Exercism's @Disabled tests skipped: ledger's are all disabled, so
    an answer that compiles passes there; ours enables every test and fails it."""
    row = next(r for r in polyglot.reference_rows(MIRROR) if r["language"] == "java" and r["exercise"] == "ledger")
    stub = {f["path"]: f["content"] for f in row["files"]}["src/main/java/Ledger.java"]
    signature = "public String format(String cur, String loc, LedgerEntry[] entries) {"
    wrong = stub.replace(signature, signature + "\n        if (true) return \"\";", 1)
    assert wrong != stub
    paper_doc, default_doc = _doc("java", "ledger"), load_docs("aider_polyglot_java")
    default_doc = next(d for d in default_doc if d["rpt_id"] == "java/ledger")
    assert json.loads(paper_doc["tests"])["expected_names"] == []
    (paper_verdict,) = verify_docs([f"```java\n{wrong}\n```"], [paper_doc])
    (default_verdict,) = verify_docs([polyglot.answer_with({"src/main/java/Ledger.java": wrong})], [default_doc])
    assert paper_verdict.correct and not default_verdict.correct, (paper_verdict.detail, default_verdict.detail)
    # an exercise with one enabled test: only that one is expected, by name
    rest = json.loads(_doc("java", "rest-api")["tests"])
    assert rest["expected_names"] == ["noUsers", "bothUsersHave0Balance"] and rest["keep_disabled"] is True


def test_cpp_gets_the_example_header_their_script_copied():
    row = next(r for r in polyglot.reference_rows(MIRROR) if r["language"] == "cpp" and r["exercise"] == "yacht")
    doc = paper_polyglot.polyglot_paper_row(row)
    files = {f["path"]: f["content"] for f in row["files"]}
    tests = json.loads(doc["tests"])
    assert tests["files"]["yacht.h"] == files[".meta/example.h"] and tests["solution_files"] == ["yacht.cpp"]
    assert doc["question"].count("The header file content is: " + files[".meta/example.h"]) == 1


def test_the_group_pools_the_languages_and_sits_in_the_paper_code_group():
    group = yaml.safe_load((task_dir() / "paper_aider_polyglot" / "rpt_paper_aider_polyglot.yaml").read_text())
    assert sorted(group["task"]) == [f"rpt_paper_aider_polyglot_{lang}" for lang in sorted(polyglot.LANGUAGES)]
    assert group["aggregate_metric_list"][0]["weight_by_size"] is True
    code = yaml.safe_load((task_dir() / "paper" / "rpt_paper_code.yaml").read_text())
    assert "rpt_paper_aider_polyglot" in code["task"]
    task = yaml.safe_load((task_dir() / "paper_aider_polyglot" / "rpt_paper_aider_polyglot_go.yaml").read_text())
    assert task["generation_kwargs"]["max_gen_toks"] == 16192


@pytest.mark.skipif("cpp" not in JUDGEABLE, reason="C++ toolchain missing (scripts/setup_polyglot_toolchains.sh)")
def test_cpp_exercises_their_tree_already_solves_pass_any_answer_as_theirs_did(mirror):
    """Their script copied .meta/example.h over the stub header; where that header is the whole
    solution, the stub, prose without code, or an empty block passes, as their scorer wrote and ran
    it. Reproduced (the number in their table), listed in the notes; the default task fails them."""
    rows = [r for r in polyglot.reference_rows(MIRROR) if r["language"] == "cpp"]
    solved = sorted(r["exercise"] for r in rows if _solved_by_the_tree(r))
    assert solved == ["binary-search-tree", "circular-buffer", "linked-list", "meetup"]
    assert all(f"`{name}`" in paper_polyglot.NOTES for name in solved)
    no_code = verify_docs(["I cannot solve this."] * len(solved), [_doc("cpp", name) for name in solved])
    assert all(v.correct for v in no_code), [v.detail[-300:] for v in no_code]
    row = next(r for r in rows if r["exercise"] == "linked-list")
    stub = {f["path"]: f["content"] for f in row["files"]}["linked_list.cpp"]
    doc = _doc("cpp", "linked-list")
    outputs = [f"```cpp\n{stub}\n```", "```cpp\n\n```"]
    assert [v.correct for v in verify_docs(outputs, [doc] * 2)] == [True] * 2
    default_doc = next(d for d in load_docs("aider_polyglot_cpp") if d["rpt_id"] == "cpp/linked-list")
    (default_verdict,) = verify_docs([polyglot.answer_with({"linked_list.cpp": stub})], [default_doc])
    assert not default_verdict.correct, default_verdict.detail
    # an answer that does not compile still fails: the tests ran
    (broken,) = verify_docs(["```cpp\nthis is not C++\n```"], [doc])
    assert not broken.correct


def _transpose(source: str) -> str:
    return f"```java\n{source}\n```"


@pytest.mark.skipif("java" not in JUDGEABLE, reason="Java toolchain missing (scripts/setup_polyglot_toolchains.sh)")
def test_skipped_tests_cannot_stand_in_for_the_enabled_ones(mirror):
    """Keeping @Disabled skipped must not let an answer skip, abort or impersonate the test Exercism
    enables (Transpose: emptyString). The answer's file is compiled with JUnit on the classpath and
    scanned, so it can declare tests of its own."""
    row = next(r for r in polyglot.reference_rows(MIRROR) if r["language"] == "java" and r["exercise"] == "transpose")
    stub = {f["path"]: f["content"] for f in row["files"]}["src/main/java/Transpose.java"]
    reference = _reference(row, "src/main/java/Transpose.java")
    doc = _doc("java", "transpose")
    assert json.loads(doc["tests"])["expected_names"] == ["emptyString"]
    own_tests = ("\nclass TransposeOwnTest {\n    @org.junit.jupiter.api.Test void emptyString() {}\n"
                 "    @org.junit.jupiter.api.Test @org.junit.jupiter.api.Disabled void other() {}\n}\n")
    aborting = "public class Transpose {\n    Transpose() { org.junit.jupiter.api.Assumptions.assumeTrue(false); }"
    disabling = ("@org.junit.jupiter.api.Disabled\npublic class Transpose {")
    outputs = [
        _transpose(reference),  # control: passes
        _transpose(reference + own_tests),  # tests of its own change the count: refused, even beside a right answer
        _transpose(stub + own_tests),  # a passing namesake and a skipped test beside a failing real one
        _transpose(reference.replace("public class Transpose {", aborting, 1)),  # the real test aborted
        _transpose(reference.replace("public class Transpose {", aborting, 1) + own_tests),
        _transpose(stub.replace("public class Transpose {", disabling, 1)),  # @Disabled on the class under test
    ]
    assert all(o.count("class Transpose") >= 1 for o in outputs) and aborting in outputs[3]
    verdicts = verify_docs(outputs, [doc] * len(outputs))
    assert [v.correct for v in verdicts] == [True] + [False] * 5, [v.detail[-400:] for v in verdicts]
