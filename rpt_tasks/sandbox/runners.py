"""The test runners of command mode: per language, the command that runs a project's own tests,
the toolchain it needs and how to tell whether this machine has it; and BigCodeBench's way of
running a solution with its unittest class in one module.

Each returns (CommandTests, Limits) for rpt_tasks.sandbox; the verdict rules per runner are in
rpt_tasks.sandbox.modes (channel_verdict for the Python runners,
_command_verdict for the others).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

from rpt_tasks.sandbox.jobs import CommandTests, Limits
from rpt_tasks.verify.extract import BUILD_FILES

LANGUAGES = ("cpp", "go", "java", "javascript", "python", "rust")
PROJECT_LIMITS = dict(timeout_s=180.0, memory_mb=8192, file_size_mb=1024, processes=512, open_files=1024)
GUARD_MODULE = "_rpt_guard.py"  # rpt_tasks/sandbox/report_guard.py, as the runner imports it
# The root conftest.py of a Python exercise: loaded by pytest before the tests (and so the
# candidate) are collected. It reports the run on the judge's channel (report_guard).
PYTEST_CONFTEST = """\
def _reporting_hooks():
    import _rpt_guard as guard  # inside: pytest takes every pytest_* name of this module for a hook

    emit, _ = guard.open_channel()
    guard.install_audit(emit)
    builtins_fingerprint = guard.builtins_fingerprinter()
    taken = {}

    def pytest_configure(config):
        taken["fingerprint"] = guard.fingerprinter(guard.pytest_watched(),
                                                   guard.pytest_registrations(config.pluginmanager))

    def pytest_collection(session):  # before any test module (or the candidate) is imported
        emit("start", taken["fingerprint"](), builtins_fingerprint())

    def pytest_collectreport(report):
        if report.failed:
            emit("collect_failed", report.nodeid)

    def pytest_runtest_logreport(report):
        emit("test", report.nodeid, report.when, report.outcome, taken["fingerprint"]())

    def pytest_sessionfinish(session, exitstatus):
        emit("end", session.testscollected, session.testsfailed, int(exitstatus), taken["fingerprint"](),
             builtins_fingerprint())

    return pytest_configure, pytest_collection, pytest_collectreport, pytest_runtest_logreport, pytest_sessionfinish


(pytest_configure, pytest_collection, pytest_collectreport, pytest_runtest_logreport,
 pytest_sessionfinish) = _reporting_hooks()
del _reporting_hooks
"""


def guard_source() -> str:
    return (Path(__file__).parent / "report_guard.py").read_text(encoding="utf-8")


def python_file_allowed(path: str) -> bool:
    """Whether a candidate may add the Python file `path` to a project: never one that would
    stand in for a module the runner or the tests import (pytest.py, unittest.py, conftest.py,
    sitecustomize.py, ... anything importable here) nor our own guard."""
    name = Path(path).stem
    return "/" not in path and path != GUARD_MODULE and name not in {"conftest", "sitecustomize", "usercustomize"} \
        and name not in sys.stdlib_module_names and importlib.util.find_spec(name) is None


def which(tool: str) -> str | None:
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
        return None if which("cargo") else "cargo not found (install Rust: https://rustup.rs)"
    if language == "go":
        return None if which("go") else "go not found (install Go >= 1.18)"
    if language == "cpp":
        missing = [t for t in ("cmake", "c++") if not which(t)]
        if not catch2_header():
            missing.append("Catch2 v2 single header (set RPT_POLYGLOT_CATCH2=/path/to/catch.hpp)")
        return ", ".join(missing) + " missing" if missing else None
    if language == "javascript":
        modules = os.environ.get("RPT_POLYGLOT_NODE_MODULES", "")
        if not which("node"):
            return "node not found"
        if not os.path.isfile(os.path.join(modules, "jest", "bin", "jest.js")):
            return ("jest not found: `npm install` an exercise's package.json once and set "
                    "RPT_POLYGLOT_NODE_MODULES to its node_modules folder")
        return None
    if language == "java":
        if not which("gradle"):
            return "gradle not found"
        if not os.path.isdir(os.environ.get("RPT_POLYGLOT_GRADLE_CACHE", "/nonexistent")):
            return ("JUnit 5 / AssertJ not cached: run one exercise's `gradle test` online once and set "
                    "RPT_POLYGLOT_GRADLE_CACHE to the Gradle caches folder (~/.gradle/caches)")
        return None
    raise ValueError(f"unknown language {language!r}")


def project_tests(spec: dict, candidate_files: dict[str, str]):
    """The job for a candidate's files in a project spec (kind "project"): (CommandTests, Limits)."""
    language, exercise = spec["language"], spec["exercise"]
    files = dict(spec["files"])
    for path, content in candidate_files.items():
        if path in spec["test_files"] or path in BUILD_FILES and path not in spec["solution_files"]:
            continue  # the model may not replace the tests or the build
        if language == "python" and path not in spec["solution_files"] and not python_file_allowed(path):
            continue  # nor shadow a module the runner imports
        files[path] = content
    env: dict[str, str] = {}
    binds: list[str] = []
    writable: list[str] = []

    def tool(name: str) -> str:
        found = which(name)
        if found is None:
            raise FileNotFoundError(toolchain_problem(language))
        env["PATH"] = ":".join(filter(None, [env.get("PATH"), os.path.dirname(found)]))
        return found

    if language == "python":
        files["conftest.py"], files[GUARD_MODULE] = PYTEST_CONFTEST, guard_source()
        # -I: neither the working folder nor PYTHON* variables on the path before pytest is imported
        argv = [sys.executable, "-I", "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider", *spec["test_files"]]
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


# ---------------------------------------------------------------- BigCodeBench's unittest runner
UNITTEST_LIMITS = dict(timeout_s=240.0, memory_mb=8192, file_size_mb=256, processes=64, open_files=256)
UNITTEST_RUNNER = '''\
"""BigCodeBench's way of running a task: solution and tests in one module named __test__, its
source sent on the judge's channel (never on disk), the outcome reported there (_rpt_guard)."""
import builtins, os, sys, types, unittest

from _rpt_guard import builtins_fingerprinter, fingerprinter, install_audit, open_channel, unittest_watched


def run():
    emit, source = open_channel()
    install_audit(emit)

    class ReportingResult(unittest.TestResult):
        def addSuccess(self, test):
            super().addSuccess(test)
            emit("test", test.id(), "call", "passed", fingerprint())

        def addFailure(self, test, err):
            super().addFailure(test, err)
            emit("test", test.id(), "call", "failed", fingerprint())

        def addError(self, test, err):
            super().addError(test, err)
            emit("test", test.id(), "call", "error", fingerprint())

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            emit("test", test.id(), "call", "skipped", fingerprint())

        def addExpectedFailure(self, test, err):
            super().addExpectedFailure(test, err)
            emit("test", test.id(), "call", "expected_failure", fingerprint())

        def addUnexpectedSuccess(self, test):
            super().addUnexpectedSuccess(test)
            emit("test", test.id(), "call", "unexpected_success", fingerprint())

        def addSubTest(self, test, subtest, err):
            super().addSubTest(test, subtest, err)
            if err is not None:
                emit("test", subtest.id(), "call", "failed", fingerprint())

    fingerprint = fingerprinter(unittest_watched() + [ReportingResult])
    builtins_fingerprint = builtins_fingerprinter()
    emit("start", fingerprint(), builtins_fingerprint())
    module = types.ModuleType("__test__")
    module.__dict__.update({"__builtins__": builtins, "__file__": "__test__.py", "__package__": None,
                            "__doc__": None, "sys": sys, "os": os, "environ": os.environ})
    sys.modules["__test__"] = module
    exec(compile(source, "__test__.py", "exec"), module.__dict__)
    suite = unittest.TestLoader().loadTestsFromTestCase(module.TestCases)
    result = ReportingResult()
    suite.run(result)
    for test, trace in result.failures + result.errors:  # for the reader of the log, not the verdict
        print(f"FAIL {test.id()}\\n{trace[-1500:]}")
    print(f"ran={result.testsRun} failures={len(result.failures)} errors={len(result.errors)}", flush=True)
    emit("end", result.testsRun, len(result.failures) + len(result.errors), 0, fingerprint(), builtins_fingerprint())
    os._exit(0)


run()
'''


def unittest_python() -> str:
    """The Python that runs BigCodeBench's tests: RPT_BIGCODEBENCH_PYTHON, else our own."""
    return os.environ.get("RPT_BIGCODEBENCH_PYTHON") or sys.executable


def nltk_data_dir() -> Path:
    return Path(unittest_python()).parent.parent / "nltk_data"


def unittest_tests(program: str, spec: dict):
    """The job running `program` against a unittest spec (kind "unittest"): (CommandTests, Limits)."""
    files = {"_rpt_unittest.py": UNITTEST_RUNNER, GUARD_MODULE: guard_source()}
    python = unittest_python()
    # tasks run `python` and NLTK corpora (setup_bigcodebench_env.sh puts them in the environment)
    env = {"MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
           "PATH": str(Path(python).parent), "NLTK_DATA": str(nltk_data_dir())}
    # its environment and the installation it was made from, shown read-only to the runner
    binds = (str(Path(python).parent.parent), str(Path(python).resolve().parent.parent))
    return (CommandTests(files, (python, "-B", "_rpt_unittest.py"), "unittest", spec["expected_tests"], env, binds,
                         private_input=program + "\n\n" + spec["program"]),
            Limits(**UNITTEST_LIMITS))
