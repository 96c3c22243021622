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


def test_training_prints_one_compact_line_per_step(tmp_path, mirror):
    """Progress as a line per logged step (step, reward, truncation, time, ETA), not TRL's raw dicts."""
    proc = run_cli(RPT, "train", "--config", SMOKE, "--output_dir", str(tmp_path), "--max_steps", "3")
    output = (proc.stdout + proc.stderr).replace("\r", "\n")
    lines = [line for line in output.splitlines() if line.startswith("step ")]
    assert [line.split(" |")[0] for line in lines] == ["step 1/3", "step 2/3", "step 3/3"], output[-2000:]
    assert all("reward " in line and "truncated " in line and "ETA" in line for line in lines[1:])
    assert "{'loss'" not in output and "'reward':" not in output
    assert "trained 3 steps in" in output


def test_progress_line_formats_what_grpo_logs():
    from rpt_train.trainer import progress_line

    line = progress_line(10, 40, {"reward": 0.5, "reward_std": 0.25, "kl": 0.0012, "completions/clipped_ratio": 0.125,
                                  "completions/mean_length": 412.3, "loss": 0.01}, 6.0)
    assert line == ("step 10/40 | reward 0.500 ± 0.250 | KL 0.0012 | truncated 12% | length 412 | loss 0.0100 | "
                    "6.0 s/step, ETA 3m00s")
    assert progress_line(40, 40, {"train_runtime": 12.5}, None) == "trained 40 steps in 12.5 s"
    assert progress_line(5, 40, {"eval_loss": 1.0}, None) is None


GPU_RECIPES = ["qlora-5gb", "qlora-8gb", "qlora-12gb", "qlora-16gb", "lora-24gb", "paper-8gpu-full", "paper-8gpu-lora"]


@pytest.mark.parametrize("recipe", GPU_RECIPES)
def test_gpu_recipes_keep_the_papers_training_protocol(recipe):
    """The fields that decide what GRPO learns (fidelity.md, section 3), pinned per GPU recipe."""
    cfg, model = load_recipe(str(REPO / "recipes" / f"{recipe}.yaml"))
    assert cfg.num_generations == 8 and cfg.loss_type == "dapo" and cfg.mask_truncated_completions
    assert getattr(cfg.lr_scheduler_type, "value", cfg.lr_scheduler_type) == "constant" and cfg.temperature == 0.6 and cfg.beta == 0.001
    prompts_per_step = cfg.per_device_train_batch_size * cfg.gradient_accumulation_steps * cfg.plan_gpus // 8
    assert prompts_per_step >= 32, prompts_per_step
    if model.model_name_or_path.startswith("deepseek-ai/DeepSeek-R1-Distill") and recipe != "qlora-5gb":
        assert cfg.max_completion_length >= 4096  # R1-Distill's math traces run past 1-2k tokens
    if model.use_peft:  # LoRA Without Regret: ~10x the full fine-tuning lr (1e-6) at alpha 32
        assert model.lora_alpha == 32 and cfg.learning_rate == 1e-5
    else:
        assert cfg.learning_rate == 1e-6 and cfg.plan_gpus == 8
    assert "deviation" in (REPO / "recipes" / f"{recipe}.yaml").read_text().lower()


@pytest.mark.parametrize("recipe", GPU_RECIPES)
def test_a_shrunken_copy_of_each_gpu_recipe_trains_two_steps_on_cpu(recipe, tmp_path, tiny_model, mirror):
    """Every field of the recipe as it is, except the model (the tiny one), the lengths, the batch
    and the device: the configuration TRL is given must train."""
    run_cli(RPT, "train", "--config", str(REPO / "recipes" / f"{recipe}.yaml"), "--model_name_or_path", str(tiny_model),
            "--use_cpu", "true", "--bf16", "false", "--dtype", "float32", "--use_vllm", "false",
            "--max_completion_length", "8", "--per_device_train_batch_size", "8", "--gradient_accumulation_steps", "1",
            "--steps_per_generation", "1", "--max_steps", "2", "--max_train_samples", "16", "--save_steps", "1000",
            "--output_dir", str(tmp_path))
    card = json.loads((tmp_path / ADAPTER_CARD).read_text())
    assert card["steps"] == 2 and card["truncation"]["final"] is not None
    lines = [json.loads(line) for line in (tmp_path / METRICS_FILE).read_text().splitlines()]
    assert all("completions/clipped_ratio" in line for line in lines if "reward" in line)


def test_a_truncation_rate_above_20_percent_is_warned_once(tmp_path, capsys):
    from types import SimpleNamespace

    from rpt_train.trainer import RptCallback

    callback = RptCallback(tmp_path, 0)
    args = SimpleNamespace(max_completion_length=1024, mask_truncated_completions=True)
    state = SimpleNamespace(is_world_process_zero=True, global_step=0)
    for step in range(1, 13):
        state.global_step = step
        callback.on_log(args, state, None, logs={"reward": 0.1, "completions/clipped_ratio": 0.05 if step < 3 else 0.5})
    out = capsys.readouterr().out
    assert out.count("hit max_completion_length") == 1 and "masked out of the loss" in out
