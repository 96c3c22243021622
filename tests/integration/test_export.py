"""rpt export-upstream: every exportable task as an lm-eval folder that lm-eval's own checks
accept, loading its hub dataset (served here from the offline mirror) and scoring exactly like
the in-package task."""

import json
import sys

import datasets
import pytest
from conftest import REPO, run_cli
from lm_eval import simple_evaluate
from lm_eval.tasks import TaskManager

from rpt_tasks.data import mirror_dir, read_jsonl
from rpt_tasks.export import MAX_UTILS_LINES, export_upstream, why_not_exportable
from rpt_tasks.harness.configs import task_dir
from rpt_tasks.benchmarks import BENCHMARKS

OFFLINE_CHECKABLE = sorted(b.task for b in BENCHMARKS.values() if b.hub and b.mirror and not b.mirror.adapter
                           and (mirror_dir() / b.mirror.folder).is_dir() and not why_not_exportable(b))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    dest = tmp_path_factory.mktemp("upstream")
    written, skipped = export_upstream(["rpt_*"], dest)
    return dest, written, skipped


@pytest.fixture()
def fake_hub(monkeypatch, mirror):
    """datasets.load_dataset(hub id) answered from the mirror, as lm-eval would get it from the hub."""
    def load_dataset(path=None, name=None, **kwargs):
        for bench in BENCHMARKS.values():
            folder = mirror / bench.mirror.folder if bench.mirror else None
            if bench.hub and bench.hub.path == path and bench.hub.name == name and folder and folder.is_dir():
                rows = [row for _, row in read_jsonl(folder / f"{bench.mirror.split}.jsonl")]
                info = datasets.DatasetInfo(config_name=name)  # as the hub's loader sets it
                return datasets.DatasetDict({bench.hub.split: datasets.Dataset.from_list(rows, info=info)})
        raise FileNotFoundError(f"no mirror copy of {path} {name}")
    monkeypatch.setattr(datasets, "load_dataset", load_dataset)


def test_what_is_exported_and_what_is_not(exported):
    dest, written, skipped = exported
    names = {p.name for p in written}
    assert {"rpt_gsm8k", "rpt_humaneval", "rpt_legalbench", "rpt_bbh", "rpt_finben", "rpt_gpqa_diamond"} <= names
    assert skipped["rpt_knights_knaves"].startswith("generated")
    assert skipped["rpt_usaco"] == "no copy on the Hugging Face hub"
    assert skipped["rpt_bigcodebench"].startswith("needs code the bundle does not carry")
    # the hub copy's own row filter (PubMedQA: fold-0 test PMIDs, packaged) travels with the task or stops it
    assert "package data" in skipped["rpt_pubmedqa"]
    paper = sorted(name for name in skipped if name.startswith("rpt_paper_"))  # one reason for the whole preset
    assert len(paper) > 140 and not any(name.startswith("rpt_paper") for name in names)
    assert {skipped[name] for name in paper} == {"the paper preset (the authors' protocol, one study's choices); "
                                                 "run it with rpt-transfer"}
    assert MAX_UTILS_LINES <= 400  # issue 22: a folder an upstream reviewer can read through
    for folder in written:
        assert (folder / "README.md").read_text().count("### Checklist") == 1
        utils = (folder / "utils.py").read_text()
        assert utils.count("\n") <= 400, folder.name  # what its hooks call, not the library
        compile(utils, str(folder / "utils.py"), "exec")
        if "def run_code(" in utils:  # code: rpt-transfer's sandbox is an optional dependency
            assert utils.count("from rpt_tasks") == 1 and "except ImportError:" in utils
        else:
            assert "import rpt_tasks" not in utils and "from rpt_tasks" not in utils  # self-contained
        for path in folder.glob("*.yaml"):
            assert "custom_dataset" not in path.read_text() and "RPT_DATA_DIR" not in path.read_text()


@pytest.mark.parametrize("task", OFFLINE_CHECKABLE)
def test_exported_task_loads_and_builds_requests(task, exported, fake_hub):
    dest, _, _ = exported
    folder = next(p.parent for p in dest.rglob(f"{task}.yaml"))
    manager = TaskManager(include_path=str(folder), include_defaults=False)
    exported_task = manager.load([task])["tasks"][task]
    exported_task.build_all_requests(limit=10)
    ours = TaskManager(include_path=str(task_dir()), include_defaults=False).load([task])["tasks"][task]
    ours.build_all_requests(limit=10)
    theirs_docs, our_docs = exported_task.test_docs(), ours.test_docs()
    assert theirs_docs.column_names == our_docs.column_names  # the exported doc builder: the same docs,
    assert list(theirs_docs) == list(our_docs)  # field by field, every one of them
    assert len(exported_task.instances) == 10
    for theirs, mine in zip(exported_task.instances, ours.instances):
        assert theirs.arguments == mine.arguments  # same prompt, same generation settings
        doc = theirs.doc
        assert exported_task.config.metadata["version"] >= 1
    if exported_task.config.unsafe_code:
        return
    gold = [f"ANSWER: {doc['gold']}"] * exported_task.config.repeats
    if doc["rpt_benchmark"] == "finben_tatqa":
        return
    assert exported_task.process_results(doc, gold)["acc"] == 1.0


def test_lm_eval_validate_accepts_the_exported_tasks(exported):
    dest, written, _ = exported
    tasks = sorted(p.stem for folder in written for p in folder.glob("rpt_*.yaml"))
    proc = run_cli(sys.executable, "-m", "lm_eval", "validate", "--tasks", ",".join(tasks), "--include_path", str(dest))
    assert "All tasks found and valid" in proc.stdout


def test_exported_tasks_score_like_ours_on_the_tiny_model(exported, fake_hub, tiny_model):
    dest, _, _ = exported
    tasks = ["rpt_gsm8k", "rpt_medqa", "rpt_humaneval", "rpt_bbh_navigate", "rpt_amc23"]  # amc23: 16 samples each
    def run(include_path):
        out = simple_evaluate(model="hf", model_args=f"pretrained={tiny_model}", tasks=tasks, limit=3, device="cpu",
                              gen_kwargs="max_gen_toks=8", log_samples=True, confirm_run_unsafe_code=True,
                              task_manager=TaskManager(include_path=str(include_path), include_defaults=False))
        return {t: [(s["arguments"], s["acc"], s["no_answer"]) for s in out["samples"][t]] for t in tasks}
    assert run(dest) == run(task_dir())


def test_a_pattern_matching_no_task_is_named(tmp_path):
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "rpt_tasks.cli", "export-upstream", "--tasks", "rpt_nosuch*",
                           "--dest", str(tmp_path / "out")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "no task matches rpt_nosuch*" in proc.stderr
    assert not (tmp_path / "out").exists()
