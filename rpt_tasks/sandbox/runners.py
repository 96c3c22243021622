"""The test runners of command mode: per language, the command that runs a project's own tests,
the toolchain it needs and how to tell whether this machine has it; and BigCodeBench's way of
running a solution with its unittest class in one module.

Each returns (CommandTests, Limits) for rpt_tasks.sandbox; the verdict rules per runner are in
rpt_tasks.sandbox.modes (channel_verdict for the Python runners,
_command_verdict for the others).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from rpt_tasks.sandbox.jobs import CommandTests, Limits
from rpt_tasks.verify.extract import BUILD_FILES

LANGUAGES = ("cpp", "go", "java", "javascript", "python", "rust")
# processes: exercises start up to 1,000 threads (C++ bank-account) and a JVM dozens of its own
# address space: V8 reserves gigabytes per worker thread (JavaScript's parallel-letter-frequency
# starts 13), the JVM and Go's runtime more than they use; writable memory stays at memory_mb
PROJECT_LIMITS = dict(timeout_s=180.0, memory_mb=8192, file_size_mb=1024, processes=2048, open_files=1024,
                      address_space_mb=65536)
# Where scripts/setup_polyglot_toolchains.sh puts what no system package provides (jest's
# node_modules) and this module keeps what it builds once (Catch2's main object).
POLYGLOT_HOME_DEFAULT = "~/.cache/rpt/polyglot"
# The Java libraries of the exercises' build.gradle, as Debian packages them in /usr/share/java
# (junit5, libassertj-core-java + its libbyte-buddy-java, libandroid-json-org-java).
JAVA_TEST_JARS = ("junit-platform-console-standalone.jar", "assertj-core.jar", "byte-buddy.jar")
JAVA_LIBRARIES = {"org.json:json": "json-latest.jar"}  # maven group:artifact -> jar (others: unavailable)
# AssertJ methods the exercises' tests call that Debian's AssertJ (3.14) may predate: the version
# that added them (an exercise whose tests need a newer AssertJ cannot compile, whatever the answer)
ASSERTJ_ADDED = {"hasDimensions(": (3, 17)}
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


def polyglot_home() -> Path:
    return Path(os.path.expanduser(os.environ.get("RPT_POLYGLOT_HOME") or POLYGLOT_HOME_DEFAULT))


def catch2_header() -> str | None:
    candidates = [os.environ.get("RPT_POLYGLOT_CATCH2", ""), "/usr/include/catch2/catch.hpp",
                  "/usr/local/include/catch2/catch.hpp"]
    return next((c for c in candidates if c and os.path.isfile(c)), None)


def node_modules() -> str:
    return os.environ.get("RPT_POLYGLOT_NODE_MODULES") or str(polyglot_home() / "node_modules")


def java_library_dirs() -> list[str]:
    """Folders searched for the exercises' jars: RPT_POLYGLOT_JAVA_LIBS (colon-separated), then
    Debian's /usr/share/java."""
    return [d for d in os.environ.get("RPT_POLYGLOT_JAVA_LIBS", "").split(os.pathsep) if d] + ["/usr/share/java"]


def java_jar(name: str) -> str | None:
    return next((str(Path(d) / name) for d in java_library_dirs() if (Path(d) / name).is_file()), None)


def java_dependencies(build_gradle: str) -> list[str]:
    """The maven group:artifact an exercise's build.gradle needs besides JUnit and AssertJ."""
    return [m for m in re.findall(r"""^\s*implementation\s+["']([\w.-]+:[\w.-]+)""", build_gradle, re.M)]


def java_missing_libraries(build_gradle: str, tests: str = "") -> list[str]:
    """What an exercise needs that this machine's Java libraries lack: maven packages of its
    build.gradle, or a newer AssertJ than the one installed for a method its tests call."""
    missing = [d for d in java_dependencies(build_gradle) if d not in JAVA_LIBRARIES or not java_jar(JAVA_LIBRARIES[d])]
    installed = assertj_version()
    for method, since in ASSERTJ_ADDED.items():
        if method in tests and installed is not None and installed < since:
            missing.append(f"org.assertj:assertj-core >= {'.'.join(map(str, since))} for {method[:-1]} "
                           f"(installed: {'.'.join(map(str, installed))})")
    return missing


def assertj_version() -> tuple[int, ...] | None:
    import zipfile

    jar = java_jar("assertj-core.jar")
    try:
        with zipfile.ZipFile(jar) as archive:
            manifest = archive.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except (TypeError, OSError, KeyError, zipfile.BadZipFile):
        return None
    found = re.search(r"^Bundle-Version:\s*(\d+)\.(\d+)", manifest, re.M)
    return (int(found.group(1)), int(found.group(2))) if found else None


SETUP_HINT = "scripts/setup_polyglot_toolchains.sh installs it"


def toolchain_problem(language: str) -> str | None:
    """What is missing to run `language`'s tests here (None: nothing); the message says how to
    get it (every toolchain comes from Debian's packages or the npm registry)."""
    if language == "python":
        return None if importlib.util.find_spec("pytest") else "pytest is not installed (pip install pytest)"
    if language == "rust":
        return None if which("cargo") else "cargo not found (install Rust: https://rustup.rs)"
    if language == "go":
        return None if which("go") else f"go not found (Debian: golang-go; {SETUP_HINT})"
    if language == "cpp":
        missing = [t for t in ("cmake", "c++") if not which(t)]
        if not catch2_header():
            missing.append("Catch2 v2's catch.hpp (Debian: catch2, or RPT_POLYGLOT_CATCH2=/path/to/catch.hpp)")
        return ", ".join(missing) + f" missing ({SETUP_HINT})" if missing else None
    if language == "javascript":
        if not which("node"):
            return f"node not found (Debian: nodejs; {SETUP_HINT})"
        if not os.path.isfile(os.path.join(node_modules(), "jest", "bin", "jest.js")):
            return (f"jest not found in {node_modules()} ({SETUP_HINT}, or set RPT_POLYGLOT_NODE_MODULES to a "
                    "node_modules folder with the exercises' devDependencies)")
        return None
    if language == "java":
        missing = [t for t in ("java", "javac") if not which(t)]
        missing += [j for j in JAVA_TEST_JARS if not java_jar(j)]
        return (f"{', '.join(missing)} not found (Debian: default-jdk-headless, junit5, libassertj-core-java; "
                f"{SETUP_HINT}; more jar folders: RPT_POLYGLOT_JAVA_LIBS)") if missing else None
    raise ValueError(f"unknown language {language!r}")


def catch2_main_object(header: str) -> str | None:
    """Catch2's main (the exercises' identical test/tests-main.cpp), compiled once per header and
    compiler outside the sandbox from trusted source: it is two thirds of every C++ build. None
    when it cannot be built here (each build then compiles it, as the exercise's CMakeLists says)."""
    compiler = which("c++")
    if compiler is None:
        return None
    version = subprocess.run([compiler, "--version"], capture_output=True, text=True).stdout
    key = hashlib.sha256(Path(header).read_bytes() + version.encode() + CATCH2_MAIN_FLAGS.encode()).hexdigest()[:16]
    target = polyglot_home() / "catch2" / f"tests-main-{key}.o"
    if target.is_file():
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = target.with_suffix(f".{os.getpid()}.cpp")
    source.write_text(f'#define CATCH_CONFIG_MAIN\n#include "{header}"\n', encoding="utf-8")
    partial = target.with_suffix(f".{os.getpid()}.o")
    try:
        built = subprocess.run([compiler, *CATCH2_MAIN_FLAGS.split(), "-c", str(source), "-o", str(partial)],
                               capture_output=True, timeout=600)
        if built.returncode != 0:
            return None
        os.replace(partial, target)  # atomic: a concurrent judge sees the whole object or none
        return str(target)
    except (OSError, subprocess.TimeoutExpired):
        return None
    finally:
        for leftover in (source, partial):
            leftover.unlink(missing_ok=True)


# The exercises' CMakeLists: CXX_STANDARD 17, CMAKE_BUILD_TYPE Debug (-g), threads
CATCH2_MAIN_FLAGS = "-std=c++17 -g -pthread"
JAVA_OPTIONS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss16m -Xmx2g"  # quick start; deep recursion


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
        # cargo's test targets: tests/*.rs (deeper files are modules or compile-fail cases, e.g. macros')
        targets = [a for p in spec["test_files"] if p.startswith("tests/") and p.count("/") == 1
                   for a in ("--test", Path(p).stem)]
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
        modules = os.path.realpath(node_modules())
        binds.append(modules)
        argv = ["sh", "-c", f"ln -s {modules} node_modules && exec node node_modules/jest/bin/jest.js --ci "
                            "--no-cache --watchman=false ./"]
        report = "jest"
    elif language == "java":
        tool("javac")
        tool("java")
        jars = [java_jar(j) for j in JAVA_TEST_JARS]
        jars += [java_jar(JAVA_LIBRARIES[d]) for d in java_dependencies(files.get("build.gradle", ""))
                 if d in JAVA_LIBRARIES]
        if None in jars:
            raise FileNotFoundError(toolchain_problem(language) or f"{exercise}: a library of its build.gradle")
        binds += sorted({str(Path(j).resolve().parent) for j in jars})
        classpath = ":".join(jars)
        # Gradle's wrapper downloads Gradle: instead compile the sources and run the tests with
        # JUnit's console launcher (the engine Gradle's useJUnitPlatform() runs)
        argv = ["sh", "-c", f"javac -J{JAVA_OPTIONS.replace(' ', ' -J')} -encoding UTF-8 -nowarn -d /tmp/classes "
                            f"-cp {classpath} $(find src -name '*.java' | sort) && exec java {JAVA_OPTIONS} "
                            f"-jar {jars[0]} --disable-banner --disable-ansi-colors --details=tree "
                            f"--class-path /tmp/classes:{':'.join(jars[1:])} --scan-class-path /tmp/classes"]
        report = "junit_disabled_skipped" if spec.get("keep_disabled") else "junit"
    elif language == "cpp":
        tool("cmake")
        tool("c++")
        header = catch2_header()
        if header is None:
            raise FileNotFoundError(toolchain_problem(language))
        files["test/catch.hpp"] = Path(header).read_text(encoding="utf-8")
        main_object = catch2_main_object(header)
        if main_object and "test/tests-main.cpp" in files.get("CMakeLists.txt", ""):
            files["CMakeLists.txt"] = files["CMakeLists.txt"].replace("test/tests-main.cpp", main_object)
            binds.append(str(Path(main_object).parent))
        # CMakeLists.txt names the build after its folder, so the files sit in <exercise>/
        files = {f"{exercise}/{p}": c for p, c in files.items()}
        writable.append(f"{exercise}/build")
        argv = ["sh", "-c", f"cd {exercise} && cmake -S . -B build -DEXERCISM_RUN_ALL_TESTS=1 >/dev/null "
                            "&& cmake --build build"]
        report = "catch2"
    else:
        raise ValueError(f"unknown language {language!r}")
    return (CommandTests(files, tuple(argv), report, spec["expected_tests"], env, tuple(binds), tuple(writable),
                         expected_names=tuple(spec.get("expected_names", ()))),
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
