"""Aider Polyglot (code): 225 Exercism exercises in C++, Go, Java, JavaScript, Python and Rust.

The model gets the exercise's instructions and its stub files and answers with whole files
(Aider's "whole" edit format: the path on a line, then a fenced block). The exercise's own test
suite then runs with the language's own test runner in the sandbox's command mode (read-only
toolchains, no network, the test files read-only to the candidate; rpt_tasks.sandbox.runners).
As in Aider's benchmark the tests are not shown, every test is enabled (Exercism skips all but
the first: `xtest`, `@Disabled`, `#[ignore]`, `EXERCISM_RUN_ALL_TESTS`), and a failed first
attempt gets a second one with the test output (`rpt eval` runs it: `after_run`).

A language whose toolchain is missing here is reported (runners.toolchain_problem), never scored
as failures.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from pathlib import Path

from rpt_tasks.benchmarks.spec import Benchmark, Group, Mirror
from rpt_tasks.sandbox.runners import LANGUAGES, java_missing_libraries, toolchain_problem

FOLDER = "aider_polyglot"
VERSION = 2.1  # 2.0: the hardened judge of issue 14; 2.1: Java by javac + JUnit console, every test source counted and protected
TITLE = "rpt Aider Polyglot tasks"
INTRO = ("Aider Polyglot (the paper's code benchmark over six languages): 225 Exercism exercises, answered with "
         "whole files and judged by each language's own test runner.")
NOTES = """\
The prompt is Aider's: the exercise's instructions, then its stub files; the answer is whole
files, each as its path on a line and a fenced block (a single unnamed block is the single
solution file). Tests and build files cannot be replaced. Every test is enabled (`xtest`,
`@Disabled`, `#[ignore]`, `EXERCISM_RUN_ALL_TESTS`), the runner is the language's own:

| language | runner | needs on this machine |
|---|---|---|
| python | pytest | `pytest` (extra `aider`) |
| rust | `cargo test --offline -- --include-ignored` | rustup/cargo |
| go | `go test -v ./...` (no module downloads) | Debian `golang-go` |
| javascript | jest with the exercise's babel config | `nodejs`; jest and babel in `~/.cache/rpt/polyglot/node_modules` (or `RPT_POLYGLOT_NODE_MODULES`) |
| java | `javac`, then JUnit's console launcher (Gradle's wrapper downloads Gradle) | `default-jdk-headless`, `junit5`, `libassertj-core-java`, `libandroid-json-org-java` |
| cpp | CMake + Catch2, the exercise's own `CMakeLists.txt` | `cmake`, `g++`, `catch2` (or `RPT_POLYGLOT_CATCH2` = Catch2 v2's `catch.hpp`) |

`scripts/setup_polyglot_toolchains.sh` installs all of it (Debian packages and the npm registry
only; jest's versions pinned by its lock file) and prints what it set; CI runs it. The number of
tests each run must report passing is counted in the trusted test sources (Go: only the files its
build constraints select, as `go test` does; JavaScript: `test.skip` stays skipped) and confirmed
by the runner's own total (JUnit's "tests found", jest's "total", Catch2's "test cases").

A language whose toolchain is missing is reported: plain `lm_eval` stops with the reason; `rpt
eval` skips that subtask, says so, and records it (`rpt_skipped` in the results' metadata).
Rust exercises whose own `Cargo.toml` needs crates.io packages (3) cannot build without network
and are left out (`rpt_left_out.json`). `rpt eval` runs the second attempt: each exercise failed
at the first is asked again with its answer and the tail of the test output, and
`polyglot_attempts.json` gives `pass_rate_1` and `pass_rate_2` per language (the task's `acc` is
the first attempt; the second attempt's samples are in `second_attempt/`).

## Command mode
The test runner runs as the candidate (own uid, limits, no network except its own loopback) in
a private mount namespace whose root holds only the system folders, the interpreter and the
toolchains (read-only), a private `/tmp` and `/dev/shm`, a `/proc` showing only its own
processes, and the project at `/project`, whose files belong to root (tests cannot be edited).
`RPT_SANDBOX_BINDS=/a:/b` shows more folders read-only. Needs root. The verdict needs the
runner's own summary with the expected number of passing tests (and, for Go and Java, every test
passing by name); code that shares the tests' process could still print a summary that gets all
of it right, so this benchmark is evaluated, never used as a reward."""
_FENCE = {".py": "python", ".rs": "rust", ".toml": "toml", ".go": "go", ".js": "javascript", ".java": "java",
          ".h": "cpp", ".hpp": "cpp", ".cpp": "cpp", ".mod": ""}
# Counting the tests in the trusted test sources: the runner's summary must report this many passing.
_TEST_MARKER = {"cpp": r"^\s*TEST_CASE\(", "go": r"^func Test\w*\(", "java": r"^\s*@Test\b",
                "javascript": r"^\s*(?:test|it)\(", "python": r"^\s*def test\w*\(", "rust": r"^\s*#\[test\]"}
TEST_OUTPUT_CHARS = 3000  # of the test output shown with the second attempt (the end, where the failures are)


def fence(path: str) -> str:
    return _FENCE.get(os.path.splitext(path)[1], "")


# ---------------------------------------------------------------- the benchmark rows
def exercise_tests(row: dict, keep_disabled: bool = False) -> dict:
    """A mirror row (language, exercise, files[{path, content}], solution/test/example files) ->
    the tests spec our code verifier runs: every file the runner needs, tests enabled (Java's
    `@Disabled` kept with `keep_disabled`, as the paper authors' `gradlew test` left them)."""
    language, exercise = row["language"], row["exercise"]
    files = {f["path"]: f["content"] for f in row["files"] if not f["path"].startswith((".meta/", ".docs/"))}
    test_files = test_paths(row)
    keep_disabled = keep_disabled and language == "java"
    for path in test_files:
        if not keep_disabled:
            files[path] = enable_all_tests(language, files[path])
    expected = sum(len(re.findall(_TEST_MARKER[language], files[p], re.M)) for p in test_files)
    if language == "cpp":  # only the TEST_CASEs the preprocessor keeps (not EXERCISM_INCLUDE_BENCHMARK's)
        expected = sum(len(re.findall(_TEST_MARKER["cpp"], cpp_compiled(files[p], CPP_DEFINES), re.M)) for p in test_files)
    if language == "go":  # go tests may sit in any *_test.go file (cases_test.go holds data) that its build
        expected = sum(len(re.findall(_TEST_MARKER["go"], c, re.M)) for p, c in files.items()  # constraint selects
                       if p.endswith("_test.go") and go_file_selected(c))
    if expected == 0 and not _has_no_tests(row):
        raise ValueError(f"{language}/{exercise}: no tests found in {test_files}")
    if language == "rust":
        expected = 0  # macros and feature gates make the count unknowable from the source; see CommandTests
    names = expected_names(language, files, test_files)
    if keep_disabled:  # the tests that run: those without @Disabled (JUnit reports the others skipped)
        names = [n for p in test_files for n in java_enabled_tests(files[p])]
        expected = len(names)
    return {"kind": "project", "language": language, "exercise": exercise, "files": files,
            "solution_files": list(row["solution_files"]), "test_files": test_files,
            "expected_tests": expected, "expected_names": names, **({"keep_disabled": True} if keep_disabled else {})}


_JAVA_METHOD = re.compile(r'((?:@\w+(?:\((?:[^()"]|"(?:[^"\\]|\\.)*")*\))?\s*)+)'
                          r'(?:public\s+|protected\s+|private\s+)?(?:static\s+)?void\s+(\w+)\s*\(')


def java_enabled_tests(source: str) -> list[str]:
    """The @Test methods of a Java test source that JUnit runs: none of their annotations is @Disabled."""
    return [name for annotations, name in _JAVA_METHOD.findall(source)
            if re.search(r"@Test\b", annotations) and not re.search(r"@Disabled\b", annotations)]


def expected_names(language: str, files: dict[str, str], test_files: list[str]) -> list[str]:
    """The tests the runner prints by name, from the trusted sources: Go's top-level Test
    functions (in the files its build constraints select), Java's @Test methods."""
    if language == "go":
        return [n for p, c in files.items() if p.endswith("_test.go") and go_file_selected(c)
                for n in re.findall(r"^func (Test\w*)\(\w+ \*testing\.T\)", c, re.M)]
    if language == "java":
        return [n for p in test_files for n in re.findall(
            r"@Test\b\s*(?:@\w+(?:\([^)]*\))?\s*)*(?:public\s+|protected\s+|private\s+)?(?:static\s+)?void\s+(\w+)\s*\(",
            files[p])]
    return []


# Test sources by the runner's own discovery rule: the rows list the main test file only, where
# the runner also runs others (Java's satellite has TreeTest.java beside SatelliteTest.java)
_TEST_PATH = {"cpp": r"(^|/)[\w-]+_test\.cpp$", "go": r"_test\.go$", "java": r"^src/test/",
              "javascript": r"\.(spec|test)\.[cm]?js$", "python": r"(^|/)(test_\w+|\w+_test)\.py$", "rust": r"^tests/"}


def test_paths(row: dict) -> list[str]:
    """Every test source of an exercise: those its row names and those its runner discovers."""
    found = [f["path"] for f in row["files"] if not f["path"].startswith((".meta/", ".docs/"))
             and re.search(_TEST_PATH[row["language"]], f["path"])]
    return list(row["test_files"]) + sorted(set(found) - set(row["test_files"]))


CPP_DEFINES = frozenset({"EXERCISM_RUN_ALL_TESTS"})  # what the runner's cmake line defines


def cpp_compiled(source: str, defined: frozenset) -> str:
    """The lines of `source` that the preprocessor keeps with `defined` set, for the #if/#ifdef/
    #ifndef/#elif/#else/#endif lines that test only definitions; any other condition is taken as
    true (the runner's count then confirms it)."""
    def holds(condition: str) -> bool:
        expression = re.sub(r"defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)",
                            lambda m: str((m.group(1) or m.group(2)) in defined), condition)
        expression = expression.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
        if not re.fullmatch(r"[\s()]*(?:(?:True|False|and|or|not)[\s()]*)+", expression):
            return True
        return bool(eval(expression, {"__builtins__": {}}))  # only True/False/and/or/not/parentheses (checked)

    kept, stack = [], []  # per open #if: (this branch taken, some branch already taken)
    for line in source.splitlines():
        directive = re.match(r"\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b(.*)", line)
        if not directive:
            if all(taken for taken, _ in stack):
                kept.append(line)
            continue
        word, rest = directive.group(1), directive.group(2).split("//")[0].strip()
        if word in ("if", "ifdef", "ifndef"):
            taken = holds(rest) if word == "if" else (rest in defined) == (word == "ifdef")
            stack.append((taken, taken))
        elif word == "elif" and stack:
            any_taken = stack[-1][1]
            taken = not any_taken and holds(rest)
            stack[-1] = (taken, any_taken or taken)
        elif word == "else" and stack:
            stack[-1] = (not stack[-1][1], True)
        elif word == "endif" and stack:
            stack.pop()
    return "\n".join(kept)


def go_file_selected(source: str, tags: frozenset = frozenset()) -> bool:
    """Whether `go test` (no -tags) compiles a file with this source: its `//go:build` line, if
    any, holds with only `tags` and this platform's names set (two_bucket's `bonus`, the
    robot-simulator's `step1 || (!step2 && !step3)`)."""
    header = source.split("\npackage ", 1)[0]
    line = re.search(r"^//go:build (.+)$", header, re.M)
    if not line:
        return True
    platform = {"linux", "amd64", "arm64", "unix", "gc", "cgo"} | {f"go1.{n}" for n in range(1, 19)}
    expression = re.sub(r"[\w.]+", lambda m: str(m.group(0) in platform | tags), line.group(1))
    expression = expression.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    if not re.fullmatch(r"[\s()]*(?:(?:True|False|and|or|not)[\s()]*)+", expression):
        raise ValueError(f"unreadable build constraint: {line.group(0)!r}")
    return bool(eval(expression, {"__builtins__": {}}))  # only True/False/and/or/not/parentheses (checked)


def in_language(language: str):
    """Row filter of one language's task."""
    return lambda row: row["language"] == language


def enable_all_tests(language: str, source: str) -> str:
    if language == "javascript":
        return re.sub(r"^(\s*)x(test|it)\(", r"\1\2(", source, flags=re.M)
    if language == "java":
        return re.sub(r'@Disabled\b\s*(\("(?:[^"\\]|\\.)*"\))?', "", source)  # also inline, before @Test
    return source  # rust: --include-ignored; cpp: -DEXERCISM_RUN_ALL_TESTS=1; go/python: all run


def exercise_question(row: dict) -> str:
    """Aider's benchmark prompt: the instructions, then the files to edit."""
    docs = {f["path"]: f["content"] for f in row["files"] if f["path"].startswith(".docs/")}
    parts = [docs.get(p, "").strip() for p in (".docs/introduction.md", ".docs/instructions.md",
                                                ".docs/instructions.append.md")]
    stubs = {f["path"]: f["content"] for f in row["files"]}
    listed = "\n\n".join(f"{p}\n```{fence(p)}\n{stubs.get(p, '')}```" for p in row["solution_files"])
    return ("\n\n".join(p for p in parts if p) +
            f"\n\n####\n\nUse the above instructions to modify the supplied files: {', '.join(row['solution_files'])}\n"
            "Don't change the names of existing functions or classes, as they may be referenced from other code "
            "like unit tests, etc.\nOnly use standard libraries, don't suggest installing any packages.\n"
            "Answer with every file you change, whole: its path on a line of its own, then its complete "
            "content in a fenced code block, as the files are shown below.\n\n"
            f"{listed}")


def reference_files(row: dict) -> dict[str, str]:
    """The exercise's example solution as the files a model would write (for testing the tests)."""
    examples = {f["path"]: f["content"] for f in row["files"] if f["path"] in row["example_files"]}
    extra = {f["path"]: f["content"] for f in row["files"]}
    out = {}
    for path, content in examples.items():
        name = os.path.basename(path)
        same_name = [s for s in row["solution_files"] if os.path.basename(s) == name]
        same_ext = [s for s in row["solution_files"] if s.endswith(os.path.splitext(name)[1]) and s != "Cargo.toml"]
        if same_name:
            out[same_name[0]] = content
        elif row["language"] == "java":
            out[f"src/main/java/{name}"] = content
        elif len(same_ext) == 1:
            out[same_ext[0]] = content
        else:
            raise ValueError(f"{row['language']}/{row['exercise']}: where does {path} go?")
    if ".meta/Cargo-example.toml" in extra:
        out["Cargo.toml"] = extra[".meta/Cargo-example.toml"]
    return out


def answer_with(files: dict[str, str]) -> str:
    """Files written as a model answers (path line + fenced block)."""
    return "\n\n".join(f"{path}\n```{fence(path)}\n{content}\n```" for path, content in files.items())


# ---------------------------------------------------------------- the second attempt
def second_attempt_prompt(first_prompt: str, first_answer: str, test_output: str) -> str:
    """Aider's retry: the test output goes back to the model, which fixes its files."""
    output = test_output[-TEST_OUTPUT_CHARS:]
    return (f"{first_prompt}\n\n#### Your previous answer\n\n{first_answer}\n\n#### Test output\n\n{output}\n\n"
            "See the testing errors above. The tests are correct, don't try and change them. "
            "Fix the code in the solution files to resolve the errors, and give the whole files again.")


def second_attempt_docs(samples_path: str) -> list[dict]:
    """The docs of a second attempt: each exercise that failed in the first attempt's samples
    (lm-eval --log_samples), asked again with its answer and the test output."""
    docs = []
    for line in Path(samples_path).read_text(encoding="utf-8").splitlines():
        sample = json.loads(line)
        record = json.loads(_first(sample["filtered_resps"]))
        if record["passed"]:
            continue
        doc = dict(sample["doc"])
        doc["question"] = second_attempt_prompt(doc["question"], record["output"], record["detail"] or "")
        docs.append(doc)
    return docs


def _first(value):
    while isinstance(value, list):
        value = value[0]
    return value


def attempts_summary(first: dict[str, str], second: dict[str, str | None], root: Path) -> dict:
    """pass_rate_1 / pass_rate_2 per task from the two attempts' samples files (named relative to
    `root`, the run's output folder)."""
    def passed(path: str) -> dict[str, bool]:
        out = {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            sample = json.loads(line)
            out[sample["doc"]["rpt_id"]] = bool(json.loads(_first(sample["filtered_resps"]))["passed"])
        return out

    tasks = {}
    for task, path in first.items():
        one = passed(path)
        two = passed(second[task]) if second.get(task) else {}
        solved_2 = sum(ok or two.get(i, False) for i, ok in one.items())
        tasks[task] = {"exercises": len(one), "pass_rate_1": sum(one.values()) / max(1, len(one)),
                       "pass_rate_2": solved_2 / max(1, len(one)),
                       "first_attempt_samples": str(Path(path).relative_to(root)),
                       "second_attempt_samples": str(Path(second[task]).relative_to(root)) if second.get(task) else None}
    return {"protocol": "Aider polyglot: two attempts, the second with the test output", "tasks": tasks}


def reference_rows(mirror: Path) -> list[dict]:
    path = mirror / "aider_polyglot" / "test.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def crates(cargo_toml: str) -> list[str]:
    """The crates.io packages a Cargo.toml depends on."""
    section = re.search(r"^\[dependencies\]\s*$(.*?)(?=^\[|\Z)", cargo_toml, re.M | re.S)
    return re.findall(r"^([\w-]+)\s*=", section.group(1), re.M) if section else []


def _has_no_tests(row: dict) -> bool:
    """Exercism's deprecated "write your own tests" exercises (Go's counter) ship no tests."""
    return any(f["path"] == ".meta/.skip_tests" for f in row["files"])


def unavailable(row: dict) -> str | None:
    """Why an exercise cannot be judged here, or None: it has no tests, or (the sandbox has no
    network) a Rust exercise's own Cargo.toml needs crates.io packages, or a Java exercise's
    build.gradle a library no system package provides (hangman's RxJava 2)."""
    if _has_no_tests(row):
        return "the exercise ships no tests (.meta/.skip_tests): nothing to judge"
    if row["language"] == "java":
        gradle = next((f["content"] for f in row["files"] if f["path"] == "build.gradle"), "")
        tests = "\n".join(f["content"] for f in row["files"] if f["path"] in test_paths(row))
        missing = java_missing_libraries(gradle, tests)
        return (f"needs Maven packages ({'; '.join(missing)}) that no Debian package provides, unavailable "
                "offline") if missing else None
    stub = next((f["content"] for f in row["files"] if f["path"] == "Cargo.toml"), "")
    needed = crates(stub) if row["language"] == "rust" else []
    return f"needs crates.io packages ({', '.join(needed)}), unavailable offline" if needed else None


def reference_needs_crates(row: dict) -> bool:
    """Rust example solutions that use crates.io packages (a model may not: standard library only)."""
    return any(f["path"] == ".meta/Cargo-example.toml" and crates(f["content"]) for f in row["files"])


def reference_problem(row: dict) -> str | None:
    """Why the exercise's example solution cannot pass here although the exercise is judged (a
    model's answer must keep to the standard library of the exercise's own toolchain): it uses
    crates.io packages (Rust), or a standard package this Go lacks (dnd-character's `slices`, Go
    1.21, where the exercise's go.mod says 1.18 and Debian's Go is 1.19). For the tests of the
    tests: these references are listed with the cause, never counted."""
    if row["language"] == "rust" and reference_needs_crates(row):
        return "its example uses crates.io packages"
    if row["language"] == "go":
        goroot = _goroot()
        for path in row["example_files"]:
            source = next((f["content"] for f in row["files"] if f["path"] == path), "")
            block = re.search(r"^import \((.*?)^\)", source, re.M | re.S)
            imports = re.findall(r'"([\w/]+)"', block.group(1) if block else "") + \
                re.findall(r'^import (?:\w+ )?"([\w/]+)"', source, re.M)
            absent = [i for i in imports if "." not in i.split("/")[0] and goroot and not (goroot / "src" / i).is_dir()]
            if absent:
                return f"its example imports {', '.join(absent)}, not in this Go's standard library ({goroot})"
    return None


@functools.lru_cache(maxsize=1)
def _goroot() -> Path | None:
    import subprocess

    from rpt_tasks.sandbox.runners import which
    go = which("go")
    if go is None:
        return None
    found = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
    return Path(found) if found else None


def exercise_row(row: dict) -> dict:
    return {"question": exercise_question(row), "id": f"{row['language']}/{row['exercise']}",
            "tests": json.dumps(exercise_tests(row))}


def second_attempt(args, staging: Path, tasks: list[str]) -> None:
    """`rpt eval`'s hook after the first run (Aider's protocol): every exercise failed at the first
    attempt is asked again with its test output; pass_rate_2 counts the exercises solved at either
    attempt (polyglot_attempts.json). `args` are lm-eval's parsed `run` arguments."""
    tasks = [t for t in tasks if t.startswith("rpt_aider_polyglot_")]
    if not args.output_path:
        print("rpt eval: Aider Polyglot's second attempt needs --output_path; only the first ran", file=sys.stderr)
        return
    first = {t: str(max(staging.rglob(f"samples_{t}_*.jsonl"))) for t in tasks if any(staging.rglob(f"samples_{t}_*.jsonl"))}
    if not first:
        return
    second_dir = staging / "second_attempt"
    args.tasks = ",".join(first)
    args.metadata = {**args.metadata, "rpt_retry_from": first}
    args.output_path = str(second_dir)
    args.limit = args.samples = None  # the first attempt already applied --limit / --subset
    print(f"rpt eval: second attempt (with test feedback) for {', '.join(first)}", file=sys.stderr)
    try:
        args.func(args)
    except ValueError as e:  # lm-eval refuses an empty task: nothing failed at the first attempt
        print(f"rpt eval: no second attempt: {e}", file=sys.stderr)
    second = {t: [str(p) for p in second_dir.rglob(f"samples_{t}_*.jsonl")] for t in first}
    summary = attempts_summary(first, {t: max(paths) if paths else None for t, paths in second.items()}, staging)
    # staging files are complete before rpt eval publishes them
    (staging / "polyglot_attempts.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    for task, row in summary["tasks"].items():
        print(f"{task}: pass_rate_1 {row['pass_rate_1']:.3f}  pass_rate_2 {row['pass_rate_2']:.3f}  "
              f"({row['exercises']} exercises)")


BENCHMARKS = [Benchmark(
    name=f"aider_polyglot_{lang}", domain="code", kind="code", mirror=Mirror("aider_polyglot", "test"),
    metric="acc = pass rate of the first attempt (exercise's own tests, own runner); rpt eval adds the second attempt",
    adapter=exercise_row, row_filter=in_language(lang), unavailable=unavailable, prompt=lambda doc: doc["question"],
    requires=functools.partial(toolchain_problem, lang), retry=second_attempt_docs, after_run=second_attempt) for lang in LANGUAGES]
VARIANTS = []
GROUPS = [Group("rpt_aider_polyglot", tuple(b.task for b in BENCHMARKS),
                "Aider Polyglot, one subtask per language; `rpt eval` skips languages whose toolchain is missing "
                "(and says so) and runs the second attempt with test feedback. See README.md.")]
CITATIONS = {}
