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
import time
from pathlib import Path

from transformers import TrainerCallback
from transformers.trainer_callback import ProgressCallback

from rpt_train.config import RptGRPOConfig, RptModelConfig

CHECKPOINT_MARKER = "rpt_checkpoint.json"  # written last: a checkpoint without it is incomplete
METRICS_FILE = "metrics.jsonl"
ADAPTER_CARD = "rpt_adapter.json"


class SetupError(ValueError):
    """A run that cannot start as configured here; the message says why and what to do."""


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

    TRUNCATION_KEY = "completions/clipped_ratio"  # TRL's share of completions that hit max_completion_length
    TRUNCATION_WARN, TRUNCATION_WINDOW = 0.2, 10

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs and self.TRUNCATION_KEY in logs:
            self.truncation = getattr(self, "truncation", []) + [float(logs[self.TRUNCATION_KEY])]
            recent = self.truncation[-self.TRUNCATION_WINDOW:]
            if len(recent) == self.TRUNCATION_WINDOW and sum(recent) / len(recent) > self.TRUNCATION_WARN \
                    and not getattr(self, "warned", False):
                self.warned = True
                print(f"rpt train: warning: {sum(recent) / len(recent):.0%} of completions hit max_completion_length "
                      f"({args.max_completion_length}) over the last {len(recent)} logged steps; "
                      + ("they are masked out of the loss" if args.mask_truncated_completions else
                         "scored 0 and not masked, GRPO will mostly learn to shorten its reasoning")
                      + ": raise max_completion_length if the card allows")
        if state.is_world_process_zero and logs:
            with self.metrics.open("a") as f:
                f.write(json.dumps({"step": state.global_step, **logs}) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def on_save(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            write_json_atomic(folder / CHECKPOINT_MARKER, {"step": state.global_step})


def progress_line(step: int, total: int, logs: dict, seconds_per_step: float | None) -> str | None:
    """One compact line per logged training step (instead of the Trainer's raw dict): step,
    reward, KL, truncated completions, loss, time per step and what is left."""
    if "train_runtime" in logs:  # the Trainer's closing summary
        return f"trained {step} steps in {float(logs['train_runtime']):.1f} s"
    if "reward" not in logs and "loss" not in logs:
        return None  # an evaluation or other record: printed as the Trainer prints it
    parts = [f"step {step}/{total}"]
    for key, label, form in (("reward", "reward", "{:.3f}"), ("reward_std", "±", "{:.3f}"), ("kl", "KL", "{:.4f}"),
                             ("completions/clipped_ratio", "truncated", "{:.0%}"),
                             ("completions/mean_length", "length", "{:.0f}"), ("loss", "loss", "{:.4f}")):
        if isinstance(logs.get(key), (int, float)):
            parts.append(f"{label} {form.format(logs[key])}" if label != "±" else f"± {form.format(logs[key])}")
    if seconds_per_step:
        left = max(0, total - step) * seconds_per_step
        parts.append(f"{seconds_per_step:.1f} s/step, ETA {int(left // 60)}m{int(left % 60):02d}s")
    return " | ".join(parts).replace("| ± ", "± ")


class ProgressLine(ProgressCallback):
    """The Trainer's progress bar, with progress_line in place of the raw dict per logging step."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        elapsed = time.monotonic() - self._started if getattr(self, "_started", None) else None
        done = state.global_step - getattr(self, "_first_step", 0)
        line = progress_line(state.global_step, state.max_steps, logs, elapsed / done if elapsed and done > 0 else None)
        if line is None:
            return super().on_log(args, state, control, logs=logs, **kwargs)
        (self.training_bar.write if self.training_bar is not None else print)(line)

    def on_train_begin(self, args, state, control, **kwargs):
        self._started, self._first_step = time.monotonic(), state.global_step
        return super().on_train_begin(args, state, control, **kwargs)


def load_model(model_args: RptModelConfig, use_cpu: bool):
    import torch
    from transformers import AutoModelForCausalLM
    from trl import get_quantization_config

    kwargs = {"revision": model_args.model_revision, "dtype": getattr(torch, model_args.dtype or "float32"),
              "attn_implementation": model_args.attn_implementation}
    quantization = get_quantization_config(model_args)
    if quantization is not None:
        kwargs["quantization_config"] = quantization
        if not use_cpu and torch.cuda.is_available():
            kwargs["device_map"] = {"": torch.cuda.current_device()}
    model = AutoModelForCausalLM.from_pretrained(model_args.model_name_or_path, **kwargs)
    # A max_new_tokens saved in the model's generation config would override max_completion_length.
    model.generation_config.max_new_tokens = None
    return model


def train(cfg: RptGRPOConfig, model_args: RptModelConfig) -> Path:
    """Run GRPO; returns the output folder (adapter + rpt_adapter.json)."""
    import random

    import numpy as np
    import torch
    from transformers import AutoTokenizer
    from trl import GRPOTrainer, get_peft_config

    from rpt_tasks.models import resolve_model
    from rpt_train.data import build_dataset
    from rpt_train.rewards import make_reward

    if cfg.bf16_without_gpu:
        raise SetupError("this recipe trains in bf16 on a GPU and none is visible here: for a CPU run pass "
                         "--use_cpu true (and --dtype float32)")
    output_dir = Path(cfg.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    resume_from = last_complete_checkpoint(output_dir) if cfg.resume else None
    if cfg.resume and resume_from is None:
        print(f"--resume: no complete checkpoint in {output_dir}; starting from the beginning")
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)

    if cfg.vllm_missing:
        raise SetupError("use_vllm needs vLLM: pip install 'rpt-transfer[vllm]' (GPU machines only)")
    if cfg.push_to_hub:
        from rpt_tasks.models import hub_reachable

        if not hub_reachable():
            raise SetupError("--push_to_hub true needs the Hugging Face Hub, which is not reachable here (HF_HUB_OFFLINE "
                             "set, or no network): train without it and upload the output folder later")
    requested = model_args.model_name_or_path
    model_args = dataclasses.replace(model_args, model_name_or_path=resolve_model(model_args.model_name_or_path))
    tokenizer = AutoTokenizer.from_pretrained(model_args.model_name_or_path, revision=model_args.model_revision)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    dataset, data_report = build_dataset(cfg, tokenizer)
    resumed_step = json.loads((resume_from / CHECKPOINT_MARKER).read_text())["step"] if resume_from else 0
    trainer = GRPOTrainer(
        model=load_model(model_args, cfg.use_cpu), reward_funcs=[make_reward(d) for d in cfg.domains], args=cfg,
        train_dataset=dataset, processing_class=tokenizer, peft_config=get_peft_config(model_args),
        callbacks=[RptCallback(output_dir, resumed_step)])
    if not cfg.disable_tqdm:  # our one-line progress in place of the Trainer's raw dicts
        trainer.remove_callback(ProgressCallback)
        trainer.add_callback(ProgressLine())
    trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    _save_final(trainer, cfg, model_args, data_report, output_dir, requested)
    if cfg.push_to_hub:
        push_final(trainer, output_dir)
    return output_dir


def push_final(trainer, output_dir: Path) -> str:
    """Upload the final adapter with our model card to the repository TRL's own fields name
    (hub_model_id, hub_private_repo, hub_token; created by the Trainer at start). Not the
    Trainer's push_to_hub, which would replace the card with its generic one."""
    from huggingface_hub import upload_folder

    repo = trainer.hub_model_id
    upload_folder(repo_id=repo, folder_path=str(output_dir), token=trainer.args.hub_token,
                  commit_message=f"rpt-transfer: final adapter after {trainer.state.global_step} steps",
                  ignore_patterns=["checkpoint-*", ".*", "*.partial", "runs/*"])
    return repo


def _save_final(trainer, cfg: RptGRPOConfig, model_args: RptModelConfig, data_report: dict, output_dir: Path,
                requested: str | None = None) -> None:
    """Adapter files first (each moved into place atomically), then the model card (README.md, in
    place of PEFT's blank template), rpt_adapter.json last: a folder with it holds a complete adapter."""
    from rpt_tasks.model_card import write_card

    staging = output_dir / f".final-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    trainer.model.save_pretrained(staging)
    trainer.processing_class.save_pretrained(staging)
    for path in staging.iterdir():
        os.replace(path, output_dir / path.name)
    staging.rmdir()
    card = adapter_card(trainer, cfg, model_args, data_report, requested)
    write_card(output_dir, card)
    write_json_atomic(output_dir / ADAPTER_CARD, card)


def adapter_card(trainer, cfg: RptGRPOConfig, model_args: RptModelConfig, data_report: dict,
                 requested: str | None = None) -> dict:
    import importlib.metadata as md

    from rpt_tasks.models import folder_sha256
    from rpt_tasks.model_card import hub_base_model

    rewards = [entry["reward"] for entry in trainer.state.log_history if "reward" in entry]
    window = max(1, min(10, len(rewards) // 2))
    clipped = [float(e[RptCallback.TRUNCATION_KEY]) for e in trainer.state.log_history if RptCallback.TRUNCATION_KEY in e]
    tail = clipped[-RptCallback.TRUNCATION_WINDOW:]
    name = model_args.model_name_or_path
    hub = hub_base_model(requested or name, name)  # what the hub knows the base as (an alias resolved)
    base = {"name_or_path": name, "revision": model_args.model_revision or hub["revision"], "hub_id": hub["hub_id"]}
    if Path(model_args.model_name_or_path).is_dir():
        base["folder_sha256"] = folder_sha256(Path(model_args.model_name_or_path))
    versions = {}
    for package in ("rpt-transfer", "torch", "transformers", "trl", "peft", "accelerate", "bitsandbytes", "vllm"):
        try:
            versions[package] = md.version(package)
        except md.PackageNotFoundError:
            pass
    return {
        "format": "rpt_adapter/1",
        "hub_model_id": cfg.hub_model_id,
        "base_model": base,
        "method": "GRPO (TRL) + " + ("QLoRA 4-bit" if model_args.load_in_4bit else
                                     "LoRA" if model_args.use_peft else "full fine-tuning"),
        "trained_domains": sorted(cfg.domains),
        "domain_weights": cfg.domains,
        "data": data_report,
        "steps": trainer.state.global_step,
        "seed": cfg.seed,
        "config": {**_plain(cfg.to_dict()), **_plain(dataclasses.asdict(model_args))},
        "versions": versions,
        "rewards": {"first_steps_mean": sum(rewards[:window]) / window if rewards else None,
                    "last_steps_mean": sum(rewards[-window:]) / window if rewards else None,
                    "final": rewards[-1] if rewards else None, "logged_steps": len(rewards)},
        "truncation": {"final": clipped[-1] if clipped else None,
                       "last_steps_mean": sum(tail) / len(tail) if tail else None,
                       "max_completion_length": cfg.max_completion_length,
                       "masked": bool(cfg.mask_truncated_completions)},
    }


def _plain(config: dict) -> dict:
    """JSON-safe values of a config (enums and other objects as strings)."""
    return json.loads(json.dumps(config, default=str))
