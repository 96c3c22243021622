"""The house rules of the layout: the verifier core stands alone, lm-eval's internals are used
against the one version they were read from, the generated files and the package list are whole."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "lm_eval", "datasets", "transformers", "numpy", "yaml", "trl", "peft")


def test_verify_core_imports_nothing_heavy_and_scores():
    """Importing the core and scoring math and choice docs loads no third-party module but
    math-verify (in its worker process, not this one)."""
    docs = [{"rpt_kind": "math", "rpt_benchmark": "gsm8k", "question": "1+1?", "gold": "2"},
            {"rpt_kind": "math", "rpt_benchmark": "math500", "question": "Half?", "gold": "\\frac{1}{2}"},
            {"rpt_kind": "choice", "rpt_benchmark": "medqa", "question": "Which?", "gold": "B",
             "options": ["cold", "flu", "measles", "mumps"]}]
    script = f"""
import json, sys
from rpt_tasks.verify import verify_docs
docs = json.loads({json.dumps(json.dumps(docs))})
verdicts = verify_docs(["ANSWER: 2", "so \\\\boxed{{0.5}}", "The answer is (B)."], docs)
wrong = verify_docs(["ANSWER: 3", "ANSWER: 1/3", "ANSWER: C"], docs)
print(json.dumps([[bool(v) for v in verdicts], [bool(v) for v in wrong],
                  sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})]))
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    right, wrong, heavy = json.loads(proc.stdout.splitlines()[-1])
    assert right == [True, True, True] and wrong == [False, False, False] and heavy == []


def test_lm_eval_internals_refuse_another_version(monkeypatch):
    import importlib.metadata

    from rpt_tasks.harness import lm_eval_internals

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.5.0" if name == "lm_eval" else real(name))
    with pytest.raises(RuntimeError, match=r"internals of lm-eval 0\.4\.13 .* lm-eval 0\.5\.0 is installed"):
        lm_eval_internals.check_version()


def test_generated_files_are_fresh():
    """task_configs/ and the README's task table are what the benchmark modules generate
    (regenerate with `python -m rpt_tasks.harness.configs`)."""
    from rpt_tasks.harness.configs import stale_files

    assert [str(p.relative_to(REPO)) for p in stale_files()] == []


def test_every_task_folder_is_a_listed_package():
    import tomllib

    packages = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {f"rpt_tasks.task_configs.{p.name}" for p in (REPO / "task_configs").iterdir() if p.is_dir()
               and p.name != "__pycache__"}
    code = {f"{'.'.join(p.relative_to(REPO).parent.parts)}" for p in REPO.glob("rpt_*/**/__init__.py")}
    assert folders | code <= packages


def test_every_data_file_in_a_package_is_shipped():
    """A non-Python file beside the code (a prompt set, a protocol file) must match package-data, or
    the installed package (CI installs it non-editable) lacks it and the task fails at load."""
    import fnmatch
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["*"]

    def folder(package: str) -> Path:  # through package-dir: rpt_tasks.task_configs is task_configs/
        for prefix, directory in config["package-dir"].items():
            if package == prefix or package.startswith(prefix + "."):
                return REPO / directory / Path(*package[len(prefix):].split(".")[1:])
        return REPO / Path(*package.split("."))

    folders = [folder(package) for package in config["packages"]]
    missing = [str(path.relative_to(REPO)) for folder in folders if folder.is_dir() for path in folder.iterdir()
               if path.is_file() and path.suffix not in (".py", ".pyc")
               and not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)]
    assert missing == []


def test_no_runtime_module_outside_its_family_names_a_benchmark():
    """A benchmark's declaration, adapters and prompt live in its family module: no other runtime
    module names one (a family module may use another's adapters, e.g. rpt_mini HumanEval's)."""
    from rpt_tasks.benchmarks import BENCHMARKS

    names = {b.name for b in BENCHMARKS.values() if len(b.name) > 5} | {"polyglot", "legalbench", "bigcodebench"}
    offenders = []
    for path in (REPO / "rpt_tasks").rglob("*.py"):
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith(("rpt_tasks/benchmarks/", "rpt_tasks/testing/")):
            continue
        code = "\n".join(line for line in path.read_text().splitlines() if not line.strip().startswith("#"))
        for name in names:
            if f'"{name}"' in code or f"'{name}'" in code or f".{name} " in code or f"import {name}" in code:
                offenders.append((relative, name))
    assert offenders == []
