"""LoRA/QLoRA GRPO on TRL's GRPOTrainer (no home-made RL loop).

What this adds around TRL: the domain mixture and rewards from rpt_tasks, atomic checkpoints
that `--resume` can trust after a crash (even kill -9), metrics.jsonl, and the final adapter
with rpt_adapter.json, which records what a later comparison needs to know.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

from transformers import TrainerCallback

from rpt_train.config import TrainConfig

CHECKPOINT_MARKER = "rpt_checkpoint.json"  # written last: a checkpoint without it is incomplete
METRICS_FILE = "metrics.jsonl"
ADAPTER_CARD = "rpt_adapter.json"


def write_json_atomic(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("w") as f:
        json.dump(data, f, indent=2, default=str)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def last_complete_checkpoint(output_dir: Path) -> Path | None:
    """The newest checkpoint whose save finished; half-written ones (a crash mid-save) are removed."""
    complete = []
    for path in output_dir.glob("checkpoint-*"):
        if (path / CHECKPOINT_MARKER).is_file():
            complete.append(path)
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    return max(complete, key=lambda p: int(p.name.split("-")[1]), default=None)


class RptCallback(TrainerCallback):
    """metrics.jsonl (one line per logging step) and the checkpoint completion marker."""

    def __init__(self, output_dir: Path, resumed_step: int):
        self.metrics = output_dir / METRICS_FILE
        if resumed_step and self.metrics.exists():
            # lines logged after the checkpoint we resume from will be logged again
            lines = [line for line in self.metrics.read_text().splitlines()
                     if line.strip() and json.loads(line).get("step", 0) <= resumed_step]
            self.metrics.write_text("".join(line + "\n" for line in lines))
        elif not resumed_step:
            self.metrics.unlink(missing_ok=True)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            with self.metrics.open("a") as f:
                f.write(json.dumps({"step": state.global_step, **logs}) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def on_save(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            write_json_atomic(folder / CHECKPOINT_MARKER, {"step": state.global_step})


def load_model(cfg: TrainConfig):
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    dtype = getattr(torch, cfg.torch_dtype)
    kwargs = {"revision": cfg.revision, "dtype": dtype}
    if cfg.quantization == "4bit":
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type=cfg.bnb_4bit_quant_type,
            bnb_4bit_use_double_quant=cfg.bnb_4bit_use_double_quant,
            bnb_4bit_compute_dtype=getattr(torch, cfg.bnb_4bit_compute_dtype))
        if not cfg.use_cpu and torch.cuda.is_available():
            kwargs["device_map"] = {"": torch.cuda.current_device()}
    model = AutoModelForCausalLM.from_pretrained(cfg.model, **kwargs)
    # A max_new_tokens saved in the model's generation config would override max_completion_length.
    model.generation_config.max_new_tokens = None
    return model


def grpo_args(cfg: TrainConfig):
    from trl import GRPOConfig

    passthrough = ["learning_rate", "num_generations", "max_completion_length", "temperature", "top_p", "beta",
                   "loss_type", "scale_rewards", "epsilon", "epsilon_high", "mask_truncated_completions",
                   "per_device_train_batch_size", "gradient_accumulation_steps", "max_steps", "num_train_epochs",
                   "warmup_steps", "logging_steps", "save_steps", "save_total_limit", "seed", "report_to",
                   "log_completions", "use_vllm", "vllm_mode", "vllm_gpu_memory_utilization", "vllm_server_host",
                   "vllm_server_port", "use_cpu", "gradient_checkpointing", "output_dir"]
    values = {name: getattr(cfg, name) for name in passthrough}
    if values["epsilon_high"] is None:
        values.pop("epsilon_high")
    bf16 = cfg.torch_dtype == "bfloat16" and not cfg.use_cpu
    return GRPOConfig(**values, bf16=bf16, save_strategy="steps", data_seed=cfg.data_seed,
                      remove_unused_columns=False, **cfg.grpo_extra)


def train(cfg: TrainConfig) -> Path:
    """Run GRPO; returns the output folder (adapter + rpt_adapter.json)."""
    import random

    import numpy as np
    import torch
    from peft import LoraConfig
    from transformers import AutoTokenizer
    from trl import GRPOTrainer

    from rpt_train.data import build_dataset
    from rpt_train.rewards import make_reward

    output_dir = Path(cfg.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    resume_from = last_complete_checkpoint(output_dir) if cfg.resume else None
    if cfg.resume and resume_from is None:
        print(f"--resume: no complete checkpoint in {output_dir}; starting from the beginning")
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)

    from rpt_tasks.models import resolve_model

    cfg = dataclasses.replace(cfg, model=resolve_model(cfg.model))
    tokenizer = AutoTokenizer.from_pretrained(cfg.model, revision=cfg.revision)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    dataset, data_report = build_dataset(cfg, tokenizer)
    peft_config = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                             target_modules=cfg.lora_target_modules, task_type="CAUSAL_LM")
    resumed_step = json.loads((resume_from / CHECKPOINT_MARKER).read_text())["step"] if resume_from else 0
    trainer = GRPOTrainer(
        model=load_model(cfg), reward_funcs=[make_reward(d) for d in cfg.domains], args=grpo_args(cfg),
        train_dataset=dataset, processing_class=tokenizer, peft_config=peft_config,
        callbacks=[RptCallback(output_dir, resumed_step)])
    trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    _save_final(trainer, cfg, data_report, output_dir)
    return output_dir


def _save_final(trainer, cfg: TrainConfig, data_report: dict, output_dir: Path) -> None:
    """Adapter files first (each moved into place atomically), the card last: a folder with
    rpt_adapter.json holds a complete adapter."""
    staging = output_dir / f".final-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    trainer.model.save_pretrained(staging)
    trainer.processing_class.save_pretrained(staging)
    for path in staging.iterdir():
        os.replace(path, output_dir / path.name)
    staging.rmdir()
    write_json_atomic(output_dir / ADAPTER_CARD, adapter_card(trainer, cfg, data_report))


def adapter_card(trainer, cfg: TrainConfig, data_report: dict) -> dict:
    import importlib.metadata as md

    from rpt_tasks.models import folder_sha256

    rewards = [entry["reward"] for entry in trainer.state.log_history if "reward" in entry]
    window = max(1, min(10, len(rewards) // 2))
    base = {"name_or_path": cfg.model, "revision": cfg.revision}
    if Path(cfg.model).is_dir():
        base["folder_sha256"] = folder_sha256(Path(cfg.model))
    versions = {}
    for package in ("rpt-transfer", "torch", "transformers", "trl", "peft", "accelerate", "bitsandbytes", "vllm"):
        try:
            versions[package] = md.version(package)
        except md.PackageNotFoundError:
            pass
    return {
        "format": "rpt_adapter/1",
        "base_model": base,
        "method": "GRPO (TRL) + " + ("QLoRA 4-bit" if cfg.quantization == "4bit" else "LoRA"),
        "trained_domains": sorted(cfg.domains),
        "domain_weights": cfg.domains,
        "data": data_report,
        "steps": trainer.state.global_step,
        "seed": cfg.seed,
        "config": dataclasses.asdict(cfg),
        "versions": versions,
        "rewards": {"first_steps_mean": sum(rewards[:window]) / window if rewards else None,
                    "last_steps_mean": sum(rewards[-window:]) / window if rewards else None,
                    "final": rewards[-1] if rewards else None, "logged_steps": len(rewards)},
    }
