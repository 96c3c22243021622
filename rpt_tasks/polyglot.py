"""Aider Polyglot: 225 Exercism exercises in C++, Go, Java, JavaScript, Python and Rust.

The model gets the exercise's instructions and its stub files and answers with whole files
(Aider's "whole" edit format: the path on a line, then a fenced block). The exercise's own test
suite then runs with the language's own test runner in the sandbox's command mode (read-only
toolchains, no network, the test files read-only to the candidate). As in Aider's benchmark the
tests are not shown, every test is enabled (Exercism skips all but the first: `xtest`,
`@Disabled`, `#[ignore]`, `EXERCISM_RUN_ALL_TESTS`), and a failed first attempt gets a second
one with the test output (rpt_tasks.polyglot.second_attempt_prompt; `rpt eval` runs it).

A language whose toolchain is missing here is reported by `toolchain_problem`, never scored
as failures.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
from pathlib import Path

LANGUAGES = ("cpp", "go", "java", "javascript", "python", "rust")
_FENCE = {".py": "python", ".rs": "rust", ".toml": "toml", ".go": "go", ".js": "javascript", ".java": "java",
          ".h": "cpp", ".hpp": "cpp", ".cpp": "cpp", ".mod": ""}


def fence(path: str) -> str:
    return _FENCE.get(os.path.splitext(path)[1], "")
# Counting the tests in the trusted test sources: the runner's summary must report this many passing.
_TEST_MARKER = {"cpp": r"^\s*TEST_CASE\(", "go": r"^func Test\w*\(", "java": r"^\s*@Test\b",
                "javascript": r"^\s*(?:test|it)\(", "python": r"^\s*def test\w*\(", "rust": r"^\s*#\[test\]"}
# Files a model may add besides the stubs (Java helper classes, a C++ header, a Rust module).
_NEW_FILE = {"cpp": r"^[\w-]+\.(?:h|hpp|cpp)$", "go": r"^[\w-]+\.go$", "java": r"^src/main/java/[\w/]+\.java$",
             "javascript": r"^[\w-]+\.js$", "python": r"^[\w]+\.py$", "rust": r"^src/[\w/]+\.rs$"}
_BUILD_FILES = {"CMakeLists.txt", "build.gradle", "settings.gradle", "package.json", "babel.config.js", "go.mod",
                ".npmrc", "gradlew", "gradlew.bat"}
PROJECT_LIMITS = dict(timeout_s=180.0, memory_mb=8192, file_size_mb=1024, processes=512, open_files=1024)
TEST_OUTPUT_CHARS = 3000  # of the test output shown with the second attempt (the end, where the failures are)
# Loaded by pytest before the tests import the candidate: a candidate that neuters unittest (an
# assertEqual that never fails) is reported, and the judge fails the run (sandbox._command_verdict).
PYTEST_GUARD = """import unittest

_PARTS = (unittest.TestCase, unittest.TestResult, unittest.TestSuite, unittest.TestLoader)
_BEFORE = [dict(vars(part)) for part in _PARTS]


def pytest_sessionfinish(session, exitstatus):
    if [dict(vars(part)) for part in _PARTS] != _BEFORE:
        print("\\nRPT-TAMPERED: unittest itself was changed", flush=True)
        session.exitstatus = 1
"""


# ---------------------------------------------------------------- the benchmark rows
def exercise_tests(row: dict) -> dict:
    """A mirror row (language, exercise, files[{path, content}], solution/test/example files) ->
    the tests spec our code verifier runs: every file the runner needs, tests enabled."""
    language, exercise = row["language"], row["exercise"]
    files = {f["path"]: f["content"] for f in row["files"] if not f["path"].startswith((".meta/", ".docs/"))}
    for path in row["test_files"]:
        files[path] = enable_all_tests(language, files[path])
    expected = sum(len(re.findall(_TEST_MARKER[language], files[p], re.M)) for p in row["test_files"])
    if language == "go":  # go tests may sit in any *_test.go file (cases_test.go holds data)
        expected = sum(len(re.findall(_TEST_MARKER["go"], c, re.M)) for p, c in files.items() if p.endswith("_test.go"))
    if expected == 0:
        raise ValueError(f"{language}/{exercise}: no tests found in {row['test_files']}")
    if language == "rust":
        expected = 0  # macros and feature gates make the count unknowable from the source; see CommandTests
    return {"kind": "project", "language": language, "exercise": exercise, "files": files,
            "solution_files": list(row["solution_files"]), "test_files": list(row["test_files"]),
            "expected_tests": expected}


def exercise_id(row: dict) -> dict:
    return {"id": f"{row['language']}/{row['exercise']}"}


def in_language(language: str):
    """Row filter of one language's task."""
    return lambda row: row["language"] == language


def enable_all_tests(language: str, source: str) -> str:
    if language == "javascript":
        return re.sub(r"^(\s*)x(test|it)\(", r"\1\2(", source, flags=re.M)
    if language == "java":
        return re.sub(r"^\s*@Disabled(\(.*?\))?\s*$\n?", "", source, flags=re.M)
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


# ---------------------------------------------------------------- reading the answer
_BLOCK = re.compile(r"^```[^\n`]*\n(.*?)^```[ \t]*$", re.M | re.S)


def extract_files(prediction: str | None, spec: dict) -> dict[str, str] | None:
    """The files of a whole-file answer: each fenced block belongs to the path named on the line
    before it; with one solution file, an unnamed block is that file. Paths that are tests or
    build files, or lie outside the solution's folders, are ignored. None when nothing is usable."""
    from rpt_tasks.extract import strip_reasoning

    text = strip_reasoning(prediction) if isinstance(prediction, str) else None
    if not text:
        return None
    solutions = spec["solution_files"]
    by_name = {os.path.basename(p): p for p in solutions}
    protected = set(spec["test_files"]) | _BUILD_FILES
    files: dict[str, str] = {}
    unnamed: list[str] = []
    for block in _BLOCK.finditer(text):
        before = text[:block.start()].rstrip("\n").rsplit("\n", 1)[-1]
        name = re.sub(r"^(?:#+\s*|file:\s*|path:\s*)", "", before.strip().strip("*`:# "), flags=re.I).strip("*`: ")
        path = name if name in solutions else by_name.get(os.path.basename(name))
        if path is None and name not in protected and re.match(_NEW_FILE[spec["language"]], name) \
                and not re.search(r"(_test\.\w+|\.spec\.js|Test\.java)$", name):
            path = name
        if path is not None:
            files[path] = block.group(1)
        elif not re.fullmatch(r"[\w./-]+\.\w+", name):  # a block under a path we refuse is dropped
            unnamed.append(block.group(1))
    if not files and unnamed and len([s for s in solutions if s != "Cargo.toml"]) == 1:
        files[next(s for s in solutions if s != "Cargo.toml")] = unnamed[-1]
    return files or None


# ---------------------------------------------------------------- toolchains
def _which(tool: str) -> str | None:
    return shutil.which(tool, path=os.environ.get("PATH", "") + os.pathsep + os.path.expanduser("~/.cargo/bin"))


def catch2_header() -> str | None:
    candidates = [os.environ.get("RPT_POLYGLOT_CATCH2", ""), "/usr/include/catch2/catch.hpp",
                  "/usr/local/include/catch2/catch.hpp"]
    return next((c for c in candidates if c and os.path.isfile(c)), None)


def toolchain_problem(language: str) -> str | None:
    """What is missing to run `language`'s tests here (None: nothing). Offline machines need the
    JavaScript, Java and C++ test dependencies installed once by hand; the message says how."""
    if language == "python":
        return None if importlib.util.find_spec("pytest") else "pytest is not installed (pip install pytest)"
    if language == "rust":
        return None if _which("cargo") else "cargo not found (install Rust: https://rustup.rs)"
    if language == "go":
        return None if _which("go") else "go not found (install Go >= 1.18)"
    if language == "cpp":
        missing = [t for t in ("cmake", "c++") if not _which(t)]
        if not catch2_header():
            missing.append("Catch2 v2 single header (set RPT_POLYGLOT_CATCH2=/path/to/catch.hpp)")
        return ", ".join(missing) + " missing" if missing else None
    if language == "javascript":
        modules = os.environ.get("RPT_POLYGLOT_NODE_MODULES", "")
        if not _which("node"):
            return "node not found"
        if not os.path.isfile(os.path.join(modules, "jest", "bin", "jest.js")):
            return ("jest not found: `npm install` an exercise's package.json once and set "
                    "RPT_POLYGLOT_NODE_MODULES to its node_modules folder")
        return None
    if language == "java":
        if not _which("gradle"):
            return "gradle not found"
        if not os.path.isdir(os.environ.get("RPT_POLYGLOT_GRADLE_CACHE", "/nonexistent")):
            return ("JUnit 5 / AssertJ not cached: run one exercise's `gradle test` online once and set "
                    "RPT_POLYGLOT_GRADLE_CACHE to the Gradle caches folder (~/.gradle/caches)")
        return None
    raise ValueError(f"unknown language {language!r}")


def command_tests(spec: dict, candidate_files: dict[str, str]):
    """The sandbox job for a candidate's files: (CommandTests, Limits)."""
    from rpt_tasks.sandbox import CommandTests, Limits

    language, exercise = spec["language"], spec["exercise"]
    files = dict(spec["files"])
    for path, content in candidate_files.items():
        if path in spec["test_files"] or path in _BUILD_FILES and path not in spec["solution_files"]:
            continue  # the model may not replace the tests or the build
        files[path] = content
    env: dict[str, str] = {}
    binds: list[str] = []
    writable: list[str] = []

    def tool(name: str) -> str:
        found = _which(name)
        if found is None:
            raise FileNotFoundError(toolchain_problem(language))
        env["PATH"] = ":".join(filter(None, [env.get("PATH"), os.path.dirname(found)]))
        return found

    if language == "python":
        files["conftest.py"] = PYTEST_GUARD
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *spec["test_files"]]
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        report = "pytest"
    elif language == "rust":
        cargo = tool("cargo")
        rustup_home = os.environ.get("RUSTUP_HOME", os.path.expanduser("~/.rustup"))
        binds += [str(Path(cargo).resolve().parent.parent), os.path.dirname(os.path.dirname(cargo)), rustup_home]
        env.update(CARGO_HOME="/tmp/cargo-home", CARGO_TARGET_DIR="/tmp/target", RUSTUP_HOME=rustup_home,
                   CARGO_NET_OFFLINE="true")
        targets = [a for p in spec["test_files"] if p.startswith("tests/") for a in ("--test", Path(p).stem)]
        argv = ["cargo", "test", "--offline", *targets, "--", "--include-ignored"]
        report = "cargo"
    elif language == "go":
        go = tool("go")
        binds.append(str(Path(go).resolve().parent.parent))
        env.update(GOCACHE="/tmp/gocache", GOPATH="/tmp/gopath", GOFLAGS="-mod=mod", GOTOOLCHAIN="local",
                   GOPROXY="off")
        argv = ["go", "test", "-v", "./..."]
        report = "go"
    elif language == "javascript":
        tool("node")
        modules = os.path.realpath(os.environ["RPT_POLYGLOT_NODE_MODULES"])
        binds.append(modules)
        argv = ["sh", "-c", f"ln -s {modules} node_modules && exec node node_modules/jest/bin/jest.js --ci "
                            "--no-cache --watchman=false ./"]
        report = "jest"
    elif language == "java":
        gradle = tool("gradle")
        binds += [str(Path(gradle).resolve().parent.parent), os.environ["RPT_POLYGLOT_GRADLE_CACHE"]]
        env.update(GRADLE_USER_HOME="/tmp/gradle", GRADLE_RO_DEP_CACHE=os.environ["RPT_POLYGLOT_GRADLE_CACHE"])
        argv = ["gradle", "test", "--offline", "--console=plain", "--no-daemon"]
        report = "gradle"
    elif language == "cpp":
        tool("cmake")
        tool("c++")
        header = catch2_header()
        if header is None:
            raise FileNotFoundError(toolchain_problem(language))
        files["test/catch.hpp"] = Path(header).read_text(encoding="utf-8")
        # CMakeLists.txt names the build after its folder, so the files sit in <exercise>/
        files = {f"{exercise}/{p}": c for p, c in files.items()}
        writable.append(f"{exercise}/build")
        argv = ["sh", "-c", f"cd {exercise} && cmake -S . -B build -DEXERCISM_RUN_ALL_TESTS=1 >/dev/null "
                            "&& cmake --build build"]
        report = "catch2"
    else:
        raise ValueError(f"unknown language {language!r}")
    return (CommandTests(files, tuple(argv), report, spec["expected_tests"], env, tuple(binds), tuple(writable)),
            Limits(**PROJECT_LIMITS))


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


def unavailable(row: dict) -> str | None:
    """Why an exercise cannot be judged on any machine without network, or None. The sandbox has
    no network, so a Rust exercise whose own Cargo.toml needs crates.io packages cannot build."""
    stub = next((f["content"] for f in row["files"] if f["path"] == "Cargo.toml"), "")
    needed = crates(stub) if row["language"] == "rust" else []
    return f"needs crates.io packages ({', '.join(needed)}), unavailable offline" if needed else None


def reference_needs_crates(row: dict) -> bool:
    """Rust example solutions that use crates.io packages (a model may not: standard library only)."""
    return any(f["path"] == ".meta/Cargo-example.toml" and crates(f["content"]) for f in row["files"])
