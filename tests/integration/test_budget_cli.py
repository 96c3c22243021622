"""The overnight route end to end on the tiny model, offline: a base run, `rpt budget` plans a
subset from it, `rpt eval --subset` evaluates exactly those documents (recorded in the results),
`rpt compare` pairs the adapter's subset run with the full base and reports the planned MDE."""

import json
import sys
from pathlib import Path

from conftest import run_cli

RPT = str(Path(sys.executable).parent / "rpt")
TASKS = "rpt_gsm8k,rpt_pubmedqa"


def _eval(model_args: str, out: Path, *extra: str):
    return run_cli(RPT, "eval", "--model", "hf", "--model_args", model_args, "--gen_kwargs", "max_gen_toks=4",
                   "--log_samples", "--output_path", str(out), "--no-cache", *extra)


def test_budget_then_subset_eval_then_compare(tiny_model, tiny_adapter, tmp_path, mirror):
    base = tmp_path / "base"
    _eval(f"pretrained={tiny_model}", base, "--tasks", TASKS, "--limit", "40")
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    printed = run_cli(RPT, "budget", "--base", str(base), "--mde", "0.4", "--min-per-task", "1", "--out", str(small)).stdout
    run_cli(RPT, "budget", "--base", str(base), "--mde", "0.6", "--min-per-task", "1", "--out", str(large))
    plan, larger_mde = json.loads(small.read_text()), json.loads(large.read_text())
    assert "expected generated tokens" in printed and "rpt_gsm8k" in printed
    assert sum(r["n"] for r in larger_mde["tasks"].values()) < sum(r["n"] for r in plan["tasks"].values()) < 80

    run = tmp_path / "adapter"
    result = _eval(f"pretrained={tiny_model},peft={tiny_adapter}", run, "--subset", str(small))
    assert f"subset small.json ({plan['sha256'][:12]})" in result.stderr
    results = json.loads(next(run.rglob("results_*.json")).read_text())
    for task in TASKS.split(","):
        record = results["configs"][task]["metadata"]["rpt_subset"]
        assert record["sha256"] == plan["sha256"]
        samples = next(run.rglob(f"samples_{task}_*.jsonl")).read_text().splitlines()
        assert sorted(json.loads(line)["doc_id"] for line in samples) == sorted(plan["tasks"][task]["doc_ids"])

    out = tmp_path / "compare"
    run_cli(RPT, "compare", "--base", str(base), "--model", str(run), "--out", str(out))
    summary = json.loads((out / "summary.json").read_text())
    model = summary["models"]["adapter"]
    assert model["benchmarks"]["rpt_gsm8k"]["n"] == plan["tasks"]["rpt_gsm8k"]["n"]
    assert model["domains"]["math"]["planned_mde"] == plan["domains"]["math"]["planned_mde"]
    assert "MDE planned" in (out / "summary.md").read_text()


def test_subset_mistakes_are_one_line_errors(tmp_path):
    import subprocess

    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    proc = subprocess.run([RPT, "eval", "--model", "hf", "--subset", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2 and "not a subset file of rpt budget" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([RPT, "budget", "--base", str(tmp_path / "none"), "--mde", "0.02", "--out", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "no such folder" in proc.stderr and "Traceback" not in proc.stderr
