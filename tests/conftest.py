"""Offline test environment: no hub, a private HF_HOME, one thread, the benchmark mirror."""

import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Set before anything imports transformers or datasets: they read these at import time.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"  # two threads on a busy 2-core box run ~10x slower
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("HF_HOME", tempfile.mkdtemp(prefix="rpt-hf-home-"))
os.environ.setdefault("RPT_DATA_DIR", str((REPO.parent / "shared" / "data").resolve()))
os.environ.setdefault("RPT_CACHE", tempfile.mkdtemp(prefix="rpt-cache-"))  # rpt:tiny, rpt:default builds

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def mirror() -> Path:
    path = Path(os.environ["RPT_DATA_DIR"])
    assert (path / "manifest.json").is_file(), f"offline benchmark mirror not found at {path}"
    return path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    from rpt_tasks.testing.tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_adapter(tiny_model, tmp_path_factory) -> Path:
    """A LoRA adapter with non-zero weights, saved the way the trainer saves them."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    out = tmp_path_factory.mktemp("tiny-adapter")
    peft_model.save_pretrained(out)
    return out


def run_cli(*args: str, timeout: int = 600, cwd: Path = REPO):
    """Run a console command with the test environment; fail with its output if it fails."""
    import subprocess

    proc = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc
