"""The GRPO trainer: LoRA and QLoRA runs, the adapter and its card, resume after kill -9, the
memory plan, and rewards that equal the harness's per-sample metrics for every domain."""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, run_cli
from safetensors.torch import load_file

from rpt_train.config import load_recipe
from rpt_train.trainer import ADAPTER_CARD, CHECKPOINT_MARKER, METRICS_FILE

RPT = str(Path(sys.executable).parent / "rpt")
SMOKE = str(REPO / "recipes" / "smoke-cpu.yaml")


def _lora_weights(folder: Path) -> dict:
    return load_file(str(folder / "adapter_model.safetensors"))


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, mirror):
    out = tmp_path_factory.mktemp("smoke")
    run_cli(RPT, "train", "--config", SMOKE, "--output_dir", str(out))
    return out


def test_smoke_recipe_writes_adapter_card_and_metrics(smoke_run):
    card = json.loads((smoke_run / ADAPTER_CARD).read_text())
    assert card["steps"] == 6 and card["trained_domains"] == ["math"] and card["seed"] == 42
    assert len(card["base_model"]["folder_sha256"]) == 64
    assert card["data"]["math"]["used"] == 64 and card["data"]["math"]["gsm8k:train"]["loaded"] == 7473
    assert card["config"]["lora_r"] == 4 and card["versions"]["trl"] == "1.16.0"
    assert card["rewards"]["logged_steps"] == 6 and card["rewards"]["final"] is not None
    steps = [json.loads(line)["step"] for line in (smoke_run / METRICS_FILE).read_text().splitlines()]
    assert steps[:6] == [1, 2, 3, 4, 5, 6]
    for step in (2, 4, 6):
        assert (smoke_run / f"checkpoint-{step}" / CHECKPOINT_MARKER).is_file()
    # the random model's 16-token junk earns no reward (no junk rule rewards it), so GRPO has no
    # advantage to follow: the adapter is saved untrained; test_qlora_4bit_on_cpu checks learning
    rewards = [json.loads(line)["reward"] for line in (smoke_run / METRICS_FILE).read_text().splitlines()
               if '"reward"' in line]
    assert len(rewards) == 6 and all(0.0 <= r <= 1.0 for r in rewards)
    assert any("lora_B" in k for k in _lora_weights(smoke_run))



def test_the_adapter_has_a_real_model_card(smoke_run):
    """README.md is ours, not PEFT's blank template: base model, domains, data, decontamination,
    recipe and library versions; the hub's metadata in its front matter."""
    import yaml

    card = (smoke_run / "README.md").read_text()
    assert "[More Information Needed]" not in card
    front = yaml.safe_load(card.split("---")[1])
    assert front["library_name"] == "peft" and "rpt-math" in front["tags"]
    assert "base_model" not in front  # rpt:tiny, a local random model, has no hub id (the card names the folder)
    assert "trained with reinforcement post-training on math" in card
    assert "gsm8k (train): 7,473 loaded" in card and "64 prompts used" in card and "decontamination:" in card
    assert "| lora_r | 4 |" in card and "trl 1.16.0" in card


def test_hub_base_model_resolves_aliases_and_cache_folders():
    from rpt_tasks.model_card import hub_base_model

    assert hub_base_model("rpt:default", "/somewhere/smollm2")["hub_id"] == "HuggingFaceTB/SmolLM2-135M-Instruct"
    snapshot = "/root/.cache/huggingface/hub/models--Qwen--Qwen2.5-1.5B/snapshots/" + "a" * 40
    assert hub_base_model(snapshot, snapshot) == {"hub_id": "Qwen/Qwen2.5-1.5B", "revision": "a" * 40}
    assert hub_base_model("Qwen/Qwen2.5-1.5B", "Qwen/Qwen2.5-1.5B")["hub_id"] == "Qwen/Qwen2.5-1.5B"
    assert hub_base_model("rpt:tiny", "/root/.cache/rpt/tiny-llama")["hub_id"] is None


def test_push_to_hub_offline_is_one_line(tmp_path, mirror):
    proc = subprocess.run([RPT, "train", "--config", SMOKE, "--output_dir", str(tmp_path), "--push_to_hub", "true",
                           "--hub_model_id", "someone/adapter"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2 and "--push_to_hub true needs the Hugging Face Hub" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rpt_eval_scores_the_trained_adapter(smoke_run, tmp_path):
    card = json.loads((smoke_run / ADAPTER_CARD).read_text())
    base = card["base_model"]["name_or_path"]
    run_cli(RPT, "eval", "--model", "hf", "--model_args", f"pretrained={base},peft={smoke_run}", "--tasks",
            "rpt_gsm8k", "--limit", "2", "--gen_kwargs", "max_gen_toks=8", "--output_path", str(tmp_path))
    (results,) = tmp_path.rglob("results_*.json")
    data = json.loads(results.read_text())
    assert data["n-samples"]["rpt_gsm8k"]["effective"] == 2
    assert len(data["configs"]["rpt_gsm8k"]["metadata"]["rpt_adapter_sha256"]) == 64


def test_qlora_4bit_on_cpu(tmp_path, mirror):
    """QLoRA on CPU with a real reward signal: SmolLM2-135M on easy sums (about 45 s). A step
    whose completions earn different rewards moves the 4-bit model's adapter (LoRA B starts at 0)."""
    run_cli(RPT, "train", "--config", str(REPO / "recipes" / "learn-smollm2-cpu.yaml"), "--output_dir", str(tmp_path),
            "--load_in_4bit", "--max_steps", "2", "--save_steps", "2", "--max_completion_length", "24",
            "--num_generations", "4", "--temperature", "1.0", "--learning_rate", "1e-3", timeout=900)
    card = json.loads((tmp_path / ADAPTER_CARD).read_text())
    assert card["method"] == "GRPO (TRL) + QLoRA 4-bit" and card["steps"] == 2
    logged = [json.loads(line) for line in (tmp_path / METRICS_FILE).read_text().splitlines() if '"reward"' in line]
    assert any(step["reward_std"] > 0 and step["grad_norm"] > 0 for step in logged), logged
    assert any(v.abs().sum() > 0 for k, v in _lora_weights(tmp_path).items() if "lora_B" in k)


def test_resume_after_kill_9_ends_at_the_same_step(tmp_path, mirror):
    out = tmp_path / "run"
    env = dict(os.environ)
    proc = subprocess.Popen([RPT, "train", "--config", SMOKE, "--output_dir", str(out), "--max_steps", "8",
                             "--save_steps", "2"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not (out / "checkpoint-2" / CHECKPOINT_MARKER).exists():
        assert proc.poll() is None and time.monotonic() < deadline, "training ended before its first checkpoint"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / ADAPTER_CARD).exists()
    # a half-written checkpoint (killed mid-save) must not be resumed from
    (out / "checkpoint-999").mkdir()
    run_cli(RPT, "train", "--config", SMOKE, "--output_dir", str(out), "--max_steps", "8", "--save_steps", "2",
            "--resume")
    card = json.loads((out / ADAPTER_CARD).read_text())
    assert card["steps"] == 8 and not (out / "checkpoint-999").exists()
    steps = [json.loads(line)["step"] for line in (out / METRICS_FILE).read_text().splitlines() if "reward" in line]
    assert steps == sorted(set(steps)) and steps[-1] == 8  # no step logged twice


def test_config_overrides_and_errors(tmp_path):
    cfg, model = load_recipe(SMOKE, ["--lora_r", "8", "--domains", "{code: 1, math: 2}"])
    assert model.lora_r == 8 and cfg.domains == {"code": 1, "math": 2}
    with pytest.raises(ValueError, match="not used by the HfArgumentParser"):
        load_recipe(SMOKE, ["--lora_rank", "8"])
    (tmp_path / "typo.yaml").write_text("lora_rank: 8\n")
    with pytest.raises(ValueError, match="Unknown arguments from config file"):
        load_recipe(str(tmp_path / "typo.yaml"))
    with pytest.raises(ValueError, match="multiple of num_generations"):
        load_recipe(SMOKE, ["--num_generations", "3"])
    with pytest.raises(ValueError, match="domains"):
        load_recipe(SMOKE, ["--domains", "{poetry: 1}"])
    # TRL's own flag forms: --key=value, bare booleans, fields TrainConfig never re-declared
    cfg, model = load_recipe(SMOKE, ["--max_steps=2", "--lr_scheduler_type", "constant", "--push_to_hub",
                                     "--hub_model_id", "me/adapter", "--load_in_4bit"])
    assert cfg.max_steps == 2 and cfg.lr_scheduler_type == "constant" and cfg.push_to_hub and model.load_in_4bit
    proc = subprocess.run([RPT, "train", "--config", SMOKE, "--nonsense", "1"], capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown config key" in proc.stderr
    helptext = run_cli(RPT, "train", "--help").stdout
    assert "--max_completion_length" in helptext and "--plan" in helptext


def test_memory_plan(tmp_path, tiny_model):
    from rpt_train.plan import estimate_memory

    cfg, model = load_recipe(SMOKE, ["--model_name_or_path", str(tiny_model)])
    small = estimate_memory(cfg, model)
    quantised = estimate_memory(cfg, dataclasses.replace(model, load_in_4bit=True))
    assert 0 < quantised["weights"] < small["weights"]
    assert small["total"] > small["weights"]
    out = run_cli(RPT, "train", "--config", SMOKE, "--model", str(tiny_model), "--plan").stdout
    assert "total" in out and "GiB" in out


def test_every_recipe_loads():
    recipes = sorted((REPO / "recipes").glob("*.yaml"))
    assert len(recipes) >= 5
    for recipe in recipes:
        load_recipe(str(recipe))


# Shapes of the recipes' hub models (from their config.json on the hub); the plan depends on
# shapes only, so a stand-in config with the same numbers gives the same estimate offline.
from rpt_train.plan import KNOWN_SHAPES as HUB_SHAPES  # noqa: E402


@pytest.mark.parametrize("recipe, card_gib", [("qlora-8gb", 8), ("qlora-12gb", 12), ("qlora-16gb", 16),
                                              ("lora-24gb", 24)])
def test_consumer_recipes_fit_their_card(recipe, card_gib, tmp_path):
    import dataclasses

    from rpt_train.plan import estimate_memory

    cfg, model = load_recipe(str(REPO / "recipes" / f"{recipe}.yaml"))
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama", **HUB_SHAPES[model.model_name_or_path]}))
    plan = estimate_memory(cfg, dataclasses.replace(model, model_name_or_path=str(tmp_path)))
    assert plan["total"] < card_gib * 0.93, plan  # 7% for the desktop and CUDA context
