"""BigCodeBench (code): 1,140 function-level tasks whose unit tests exercise ~70 third-party libraries.

Its tests patch the very modules the candidate uses (`unittest.mock.patch('requests.get')`,
`patch('os.path.exists')`), so, as in BigCodeBench's own harness, the candidate's code and its
tests run in one module in one process (the sandbox's unittest runner, rpt_tasks.sandbox.runners)
in command mode (own uid, no network, read-only system view, limits). The verdict needs the
runner's summary with every test of `TestCases` run (counted from the test source by the trusted
side) and none failed. Unlike our HumanEval/MBPP judge, a pass here cannot be made unforgeable:
code that shares the test's process can, with effort, fake the summary, so BigCodeBench is
evaluated, never used as a reward.

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
import subprocess

from rpt_tasks.benchmarks.spec import FUNCTION_PROMPT, Benchmark, Hub, Mirror, template
from rpt_tasks.sandbox.runners import nltk_data_dir, unittest_python

INSTRUCT_PROMPT = "{question}\n\nGive the complete code in a single ```python code block."
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
def count_tests(test_source: str) -> int:
    """Test methods of class TestCases (what unittest's loader will run), from the source."""
    tree = ast.parse(test_source)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "TestCases":
            # by name: a method defined twice is one test (the later definition wins)
            return len({item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and item.name.startswith("test")})
    raise ValueError("no class TestCases in the tests")


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


_IMPORTABLE: dict[str, dict[str, bool]] = {}  # interpreter -> module -> importable there


def missing_libraries(libs: list[str]) -> list[str]:
    """The modules of `libs` that the BigCodeBench interpreter cannot import. The interpreter is
    asked once for everything BigCodeBench uses (then only for names it has not seen)."""
    python = unittest_python()
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
        return f"libraries missing from {unittest_python()}: " + ", ".join(PIP_NAME.get(m, m) for m in missing)
    return None




def task_row(complete: bool):
    """A mirror/hub row -> a doc: the completion prompt (signature and docstring, like HumanEval) or
    the instruction prompt (prose); the same tests."""
    def bigcodebench_row(row: dict) -> dict:
        spec = {"kind": "unittest", "program": row["test"], "entry_point": row["entry_point"],
                "expected_tests": count_tests(row["test"]), "libs": required_modules(row)}
        if complete:  # a completion that only gives the body gets the prompt in front, as with HumanEval
            spec["prompt"] = row["complete_prompt"]
        return {"question": row["complete_prompt" if complete else "instruct_prompt"], "id": row["task_id"],
                "tests": json.dumps(spec)}
    bigcodebench_row.rpt_source = f"task_row({complete!r})"
    return bigcodebench_row


FOLDER = "bigcodebench"
VERSION = 2.0  # 2.0: the hardened judge of issue 14 (trusted namespace, report channel, IPC namespace)
TITLE = "rpt BigCodeBench tasks"
INTRO = ("BigCodeBench (Zhuo et al., 2024): 1,140 function-level tasks whose unit tests exercise ~70 libraries; "
         "`rpt_bigcodebench` shows the completion prompts, `rpt_bigcodebench_instruct` the instruction prompts.")
NOTES = """\
Its tests patch the modules the solution uses (`unittest.mock.patch("requests.get")`), so, as in
BigCodeBench's own harness, solution and tests run as one module (`__test__`) in one process,
with the sandbox's command mode. The tests were written against BigCodeBench's pinned
environment (Python 3.10, numpy 1.21, pandas 2.0, TensorFlow 2.11, ...):

    bash scripts/setup_bigcodebench_env.sh            # once, online: ~/.cache/rpt/bigcodebench-env
    export RPT_BIGCODEBENCH_PYTHON=~/.cache/rpt/bigcodebench-env/bin/python

Without it the evaluator's own interpreter runs them (`pip install "rpt-transfer[bigcodebench]"`),
where newer library versions fail some reference solutions. Tasks whose libraries are missing,
whose tests need the internet (7: HTTP, DNS, downloads), or which need NLTK corpora that are not
installed (17) are left out, listed in `rpt_left_out.json` beside the results; never scored.
Measured (pinned environment, no NLTK data): every one of the 1,116 remaining reference
solutions passes.

A pass needs the runner's summary with every test of `TestCases` run (counted from the test
source) and none failing; a candidate that exits early, or patches unittest's asserts or result,
fails. Code that shares the tests' process can still, with effort, print a convincing summary:
this pass is not unforgeable like the HumanEval/MBPP judge's (BigCodeBench is evaluated, never
used as a training reward here)."""
BENCHMARKS = [Benchmark(
    name=name, domain="code", kind="code", hub=Hub("bigcode/bigcodebench", "v0.1.2", revision="b74c0d0bf70d2c0bc459be537895cca163007f1a"),
    mirror=Mirror("bigcodebench", "v0.1.0_hf"), size=1140,
    metric="acc = pass@1: every unit test passes in the sandbox (the task's libraries installed)",
    adapter=task_row(complete), unavailable=unavailable,
    prompt=template(FUNCTION_PROMPT if complete else INSTRUCT_PROMPT))
    for name, complete in (("bigcodebench", True), ("bigcodebench_instruct", False))]
VARIANTS = []
GROUPS = []
CITATIONS = {
    "bigcodebench": "@article{zhuo2024bigcodebench, title={BigCodeBench: Benchmarking Code Generation with Diverse Function Calls and Complex Instructions}, author={Zhuo, Terry Yue and others}, journal={arXiv:2406.15877}, year={2024}}",
}
