"""BigCodeBench: 1,140 function-level tasks whose unit tests exercise ~70 third-party libraries.

Its tests patch the very modules the candidate uses (`unittest.mock.patch('requests.get')`,
`patch('os.path.exists')`), so, as in BigCodeBench's own harness, the candidate's code and its
tests run in one module in one process: `task.py` = solution + tests, run by BIGCODEBENCH_RUNNER
in the sandbox's command mode (own uid, no network, read-only system view, limits). The verdict
needs the runner's summary with every test of `TestCases` run (counted from the test source by
the trusted side) and none failed. Unlike our HumanEval/MBPP judge, a pass here cannot be made
unforgeable: code that shares the test's process can, with effort, fake the summary. Early
exits and patched asserts are caught (see tests/test_bigcodebench.py).

Libraries: the tests were written against BigCodeBench's pinned evaluation environment (Python
3.10, numpy 1.21, pandas 2.0, ...; bigcodebench_requirements.txt). `scripts/setup_bigcodebench_env.sh`
builds it and RPT_BIGCODEBENCH_PYTHON points the sandbox at its interpreter. Without it the
evaluator's own interpreter runs the tests (with `pip install rpt-transfer[bigcodebench]`), where
newer library versions fail some reference solutions. A task whose libraries are missing from the
interpreter used is left out and reported (rpt_left_out.json beside the results, via
Benchmark.unavailable), never scored as a failure.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

# `libs` names that are imported under another name (or are part of another package)
# pip distribution for each library, for the message (the `bigcodebench` extra installs them all)
PIP_NAME = {"sklearn": "scikit-learn", "PIL": "pillow", "cv2": "opencv-python-headless", "bs4": "beautifulsoup4",
            "docx": "python-docx", "Crypto": "pycryptodome", "skimage": "scikit-image", "yaml": "pyyaml",
            "dateutil": "python-dateutil", "Levenshtein": "levenshtein", "flask_login": "flask-login",
            "flask_mail": "flask-mail", "flask_restful": "flask-restful", "flask_wtf": "flask-wtf",
            "requests_mock": "requests-mock", "faker": "faker"}
# Found by running every reference solution in the pinned environment, in the sandbox (no
# internet): these need what the sandbox cannot give, so they are left out (and recorded), not
# scored as failures. Reference solutions of all the other tasks pass.
NEEDS_INTERNET = {f"BigCodeBench/{i}" for i in (101, 176, 314, 590, 1005, 1006, 1012)}  # HTTP, DNS, downloads
# NLTK corpora (stopwords, punkt, ...) fetched at run time upstream; setup_bigcodebench_env.sh
# installs them into the environment's nltk_data folder, and then these run.
NEEDS_NLTK_DATA = {f"BigCodeBench/{i}" for i in (177, 290, 332, 334, 376, 383, 633, 635, 655, 658, 726, 734, 806,
                                                  808, 849, 940, 1109)}
# The third-party modules BigCodeBench's tasks and tests import, asked about in one go.
_COMMON = ("numpy", "pandas", "matplotlib", "scipy", "seaborn", "requests", "nltk", "pytz", "statsmodels", "django",
           "flask", "faker", "requests_mock", "tensorflow", "keras", "folium", "geopy", "geopandas", "shapely",
           "wordcloud", "wikipedia", "textblob", "texttable", "prettytable", "natsort", "xmltodict", "xlwt", "openpyxl",
           "rsa", "psutil", "regex", "gensim", "librosa", "soundfile", "holidays", "mechanize", "pyquery", "sendgrid",
           "python_http_client", "pytesseract", "wordninja", "blake3", "chardet", "werkzeug", "wtforms", "lxml",
           "mpl_toolkits", "sympy", "cryptography", "Levenshtein", "pyfakefs")
LIMITS = dict(timeout_s=240.0, memory_mb=8192, file_size_mb=256, processes=64, open_files=256)

BIGCODEBENCH_RUNNER = '''\
"""BigCodeBench's way of running a task: solution and tests in one module named __test__."""
import builtins, os, sys, types, unittest

module = types.ModuleType("__test__")
module.__dict__.update({"__builtins__": builtins, "__file__": "__test__.py", "__package__": None,
                        "__doc__": None, "sys": sys, "os": os, "environ": os.environ})
sys.modules["__test__"] = module
# unittest's machinery as it was before the candidate ran: patching it (asserts that never fail,
# a result that never records) is caught below. Mocks the tests themselves apply are undone by then.
parts = (unittest.TestCase, unittest.TestResult, unittest.TestSuite, unittest.TestLoader)
before = [dict(vars(cls)) for cls in parts]
with open("task.py", encoding="utf-8") as f:
    source = f.read()
exec(compile(source, "__test__.py", "exec"), module.__dict__)
suite = unittest.TestLoader().loadTestsFromTestCase(module.TestCases)
result = unittest.TestResult()
suite.run(result)
if [dict(vars(cls)) for cls in parts] != before:
    print("RPT-TAMPERED: unittest itself was changed", flush=True)
    os._exit(1)
for test, trace in result.failures + result.errors:
    print(f"FAIL {test.id()}\\n{trace[-1500:]}")
sys.stdout.flush()
print(f"RPT-UNITTEST ran={result.testsRun} failures={len(result.failures)} errors={len(result.errors)}", flush=True)
os._exit(0)
'''


def count_tests(test_source: str) -> int:
    """Test methods of class TestCases (what unittest's loader will run), from the source."""
    tree = ast.parse(test_source)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "TestCases":
            # by name: a method defined twice is one test (the later definition wins)
            return len({item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and item.name.startswith("test")})
    raise ValueError("no class TestCases in the tests")


def task_tests(row: dict, complete: bool) -> dict:
    """A mirror/hub row -> our tests spec (kind "unittest")."""
    spec = {"kind": "unittest", "program": row["test"], "entry_point": row["entry_point"],
            "expected_tests": count_tests(row["test"]), "libs": required_modules(row)}
    if complete:  # a completion that only gives the body gets the prompt in front, as with HumanEval
        spec["prompt"] = row["complete_prompt"]
    return spec


def libraries(row: dict) -> list[str]:
    """The task's declared libraries (its `libs` column)."""
    libs = row["libs"]
    if isinstance(libs, str):
        libs = ast.literal_eval(libs)
    return sorted(set(libs))


def required_modules(row: dict) -> list[str]:
    """What running the task needs: its libraries plus what its tests import (faker, requests_mock)."""
    imported = set()
    for node in ast.walk(ast.parse(row["test"])):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module.split(".")[0])
    return sorted(set(libraries(row)) | imported)


def interpreter() -> str:
    """The Python that runs BigCodeBench's tests: RPT_BIGCODEBENCH_PYTHON, else our own."""
    return os.environ.get("RPT_BIGCODEBENCH_PYTHON") or sys.executable


_IMPORTABLE: dict[str, dict[str, bool]] = {}  # interpreter -> module -> importable there


def missing_libraries(libs: list[str]) -> list[str]:
    """The modules of `libs` that the BigCodeBench interpreter cannot import. The interpreter is
    asked once for everything BigCodeBench uses (then only for names it has not seen)."""
    python = interpreter()
    known = _IMPORTABLE.setdefault(python, {})
    unknown = sorted(({*libs} | ({*PIP_NAME, *_COMMON} if not known else set())) - set(known))
    if unknown:
        probe = ("import importlib.util, json, sys; names = json.loads(sys.argv[1]); "
                 "print(json.dumps([n for n in names if n in sys.stdlib_module_names or importlib.util.find_spec(n)]))")
        try:
            out = subprocess.run([python, "-c", probe, json.dumps(unknown)], capture_output=True, text=True,
                                 timeout=60, check=True).stdout
        except (OSError, subprocess.SubprocessError) as e:
            raise RuntimeError(f"cannot run the BigCodeBench interpreter {python!r}: {e}") from None
        found = set(json.loads(out))
        known.update({name: name in found for name in unknown})
    return [lib for lib in libs if not known[lib]]


def unavailable(row: dict) -> str | None:
    """Why a task cannot be judged here, or None."""
    if row["task_id"] in NEEDS_INTERNET:
        return "its tests need the internet, which the sandbox does not allow"
    if row["task_id"] in NEEDS_NLTK_DATA and not nltk_data_dir().is_dir():
        return f"needs NLTK corpora in {nltk_data_dir()}"
    missing = missing_libraries(required_modules(row))
    if missing:
        return f"libraries missing from {interpreter()}: " + ", ".join(PIP_NAME.get(m, m) for m in missing)
    return None


def nltk_data_dir() -> Path:
    return Path(interpreter()).parent.parent / "nltk_data"


def command_tests(program: str, spec: dict):
    """(CommandTests, Limits) running `program` against the task's tests."""
    from rpt_tasks.sandbox import CommandTests, Limits

    files = {"_rpt_bigcodebench.py": BIGCODEBENCH_RUNNER, "task.py": program + "\n\n" + spec["program"]}
    python = interpreter()
    # tasks run `python` and NLTK corpora (setup_bigcodebench_env.sh puts them in the environment)
    env = {"MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
           "PATH": str(Path(python).parent), "NLTK_DATA": str(nltk_data_dir())}
    # its environment and the installation it was made from, shown read-only to the runner
    binds = (str(Path(python).parent.parent), str(Path(python).resolve().parent.parent))
    return (CommandTests(files, (python, "_rpt_bigcodebench.py"), "unittest", spec["expected_tests"], env, binds),
            Limits(**LIMITS))
