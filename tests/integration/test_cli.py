"""`rpt eval`, `rpt tasks` and the plain `lm_eval --include_path` route, end to end, offline."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from rpt_tasks.benchmarks import BENCHMARKS

RPT = str(Path(sys.executable).parent / "rpt")
FAST = ["--gen_kwargs", "max_gen_toks=8", "--batch_size", "4"]


def _results(out: Path) -> tuple[dict, dict[str, list[dict]]]:
    (results_file,) = out.rglob("results_*.json")
    samples = {}
    for path in out.rglob("samples_*.jsonl"):
        task = path.name.removeprefix("samples_").rsplit("_", 1)[0]
        samples[task] = [json.loads(line) for line in path.open(encoding="utf-8")]
    return json.loads(results_file.read_text()), samples


@pytest.fixture(scope="module")
def base_run(tiny_model, tmp_path_factory, mirror):
    out = tmp_path_factory.mktemp("eval-base")
    run_cli(RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks", "rpt_math",
            "--limit", "2", "--output_path", str(out), "--log_samples", *FAST)
    return out


def test_rpt_eval_writes_results_and_samples_for_the_group(base_run, tiny_model):
    results, samples = _results(base_run)
    math_tasks = [b.task for b in BENCHMARKS.values() if b.domain == "math" and not b.name.startswith(("mini_", "paper_"))]
    assert sorted(samples) == sorted(math_tasks)
    assert "acc,none" in results["groups"]["rpt_math"]
    for task in math_tasks:
        assert results["n-samples"][task]["effective"] == 2
        assert {"acc,none", "no_answer,none", "truncated,none"} <= set(results["results"][task])
        meta = results["configs"][task]["metadata"]
        assert meta["rpt_max_gen_toks"] == 8 and len(meta["rpt_model_sha256"]) == 64
        assert meta["rpt_data_source"].startswith("mirror:")
    assert len(samples["rpt_aime24"][0]["filtered_resps"][0]) == 16
    assert not list(base_run.rglob(".rpt-partial-*")), "staging folder left behind"


def test_truncated_metric_counts_generated_tokens(base_run, tiny_model):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    _, samples = _results(base_run)
    for sample in samples["rpt_gsm8k"] + samples["rpt_aime24"]:
        outputs = sample["filtered_resps"][0]
        outputs = outputs if isinstance(outputs, list) else [outputs]
        expected = sum(len(tokenizer(o, add_special_tokens=False)["input_ids"]) >= 7 for o in outputs) / len(outputs)
        assert sample["truncated"] == expected


def test_rpt_eval_applies_a_peft_adapter(base_run, tiny_model, tiny_adapter, tmp_path):
    run_cli(RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model},peft={tiny_adapter}",
            "--tasks", "rpt_gsm8k", "--limit", "2", "--output_path", str(tmp_path), "--log_samples", *FAST)
    results, samples = _results(tmp_path)
    meta = results["configs"]["rpt_gsm8k"]["metadata"]
    assert len(meta["rpt_adapter_sha256"]) == 64
    _, base_samples = _results(base_run)
    # greedy decoding: different text can only come from the adapter's weights
    assert [s["resps"] for s in samples["rpt_gsm8k"]] != [s["resps"] for s in base_samples["rpt_gsm8k"]]


def test_plain_lm_eval_include_path_route(tiny_model, tmp_path, mirror):
    run_cli(sys.executable, "-m", "lm_eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}",
            "--tasks", "rpt_gsm8k", "--include_path", "task_configs", "--limit", "1",
            "--output_path", str(tmp_path), *FAST)
    results, _ = _results(tmp_path)
    assert results["results"]["rpt_gsm8k"]["acc,none"] == 0.0  # a random model gets nothing right


def test_failed_run_leaves_no_results(tmp_path, mirror):
    proc = subprocess.run([RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tmp_path / 'missing'}",
                           "--tasks", "rpt_gsm8k", "--limit", "1", "--output_path", str(tmp_path / "out")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert not list(tmp_path.rglob("results_*.json"))


def test_rpt_tasks_lists_every_task_with_domain_and_size():
    narrow = run_cli(RPT, "tasks").stdout
    assert max(len(line) for line in narrow.splitlines()) <= 120  # fits a terminal; --wide shows it all
    assert "generated: reasoning-gym" in narrow and "$RPT_DATA_DIR//" not in narrow
    out = run_cli(RPT, "tasks", "--wide").stdout
    for bench in BENCHMARKS.values():
        line = next(line for line in out.splitlines() if line.startswith(bench.task + " "))
        assert bench.domain in line and str(bench.size if bench.size is not None else "-") in line
    assert "rpt_math" in out
    listing = json.loads(run_cli(RPT, "tasks", "--json").stdout)
    rows = listing["tasks"]
    assert {r["task"] for r in rows} == {b.task for b in BENCHMARKS.values()}


def test_rpt_tasks_shows_the_papers_16_benchmarks_with_their_domains(mirror):
    out = run_cli(RPT, "tasks").stdout
    paper = json.loads(run_cli(RPT, "tasks", "--json").stdout)["paper_suite"]
    assert len(paper) == 16 and "The paper's 16 benchmarks" in out
    domains = {row["benchmark"]: row["domain"] for row in paper}
    assert [b for b, d in domains.items() if d == "math"] == ["GSM8K", "MATH-500", "AIME 2024", "AMC 2023"]
    assert {b for b, d in domains.items() if d == "code"} == {"HumanEval", "MBPP", "LiveCodeBench", "BigCodeBench",
                                                               "USACO", "Codeforces", "Aider Polyglot"}
    assert {b for b, d in domains.items() if d == "knowledge"} == {"PubMedQA", "MedQA", "TabFact", "LegalBench", "FinBen"}
    for row in paper:
        assert row["run_with"] in out
    assert next(r for r in paper if r["benchmark"] == "LegalBench")["here"].startswith("51/156 tasks offline")


def test_rpt_eval_requires_tasks():
    proc = subprocess.run([RPT, "eval", "--model", "hf"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--tasks is required" in proc.stderr


def test_rpt_eval_names_an_unknown_task_without_a_traceback(tmp_path):
    """A typo in --tasks (lm-eval raises 'Tasks not found') is a user's mistake: one line naming it,
    the nearest names, exit 2, nothing written."""
    proc = subprocess.run([RPT, "eval", "--model", "hf", "--tasks", "rpt_gsm8kk,rpt_math500", "--limit", "1",
                           "--output_path", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "unknown task 'rpt_gsm8kk' (did you mean rpt_gsm8k" in proc.stderr and "rpt_math500'" not in proc.stderr
    assert not list(tmp_path.iterdir())


def test_rpt_eval_whole_suite_offline(tiny_model, tmp_path, mirror):
    run_cli(RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks", "rpt_suite",
            "--limit", "1", "--confirm_run_unsafe_code", "--output_path", str(tmp_path), *FAST[:2], "--batch_size", "16")
    results, _ = _results(tmp_path)
    for group in ("rpt_suite", "rpt_math", "rpt_code", "rpt_knowledge", "rpt_science", "rpt_logic", "rpt_legalbench", "rpt_bbh"):
        assert "acc,none" in results["results"][group], group
    assert len(results["n-samples"]) == 97  # every offline task ran on one document
