"""Real learning (slow: not in the default run): SmolLM2-135M-Instruct, offline, trained with
GRPO on easy seeded reasoning-gym arithmetic, gets more reward at the end than at the start."""

import json
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli

RPT = str(Path(sys.executable).parent / "rpt")


@pytest.mark.slow
def test_grpo_raises_reward_on_smollm2(tmp_path, mirror):
    run_cli(RPT, "train", "--config", str(REPO / "recipes" / "learn-smollm2-cpu.yaml"), "--output_dir",
            str(tmp_path), timeout=3600)
    rewards = [json.loads(line)["reward"] for line in (tmp_path / "metrics.jsonl").read_text().splitlines()
               if '"reward"' in line]
    assert len(rewards) == 40
    first, last = sum(rewards[:10]) / 10, sum(rewards[-10:]) / 10
    assert last > first, (first, last)
