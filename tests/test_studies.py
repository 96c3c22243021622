"""The study drivers end to end, offline, on the tiny model."""

import json
import subprocess
import sys

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
