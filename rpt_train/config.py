"""`TrainConfig`: everything a GRPO run needs, read from a YAML recipe plus `--key value` overrides.

Field names follow TRL's GRPOConfig where they are passed through, so TRL's documentation
applies; anything else GRPOConfig accepts can go in `grpo_extra`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import yaml


def _help(text: str, default=dataclasses.MISSING, factory=dataclasses.MISSING):
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata={"help": text})
    return field(default=default, metadata={"help": text})


@dataclass
class TrainConfig:
    # ---- model
    model: str = _help("Base model: a Hugging Face hub id or a local folder.", "HuggingFaceTB/SmolLM2-135M-Instruct")
    revision: str | None = _help("Hub revision (branch, tag or commit) of the base model.", None)
    torch_dtype: str = _help("Weights dtype for the base model: float32, bfloat16 or float16.", "bfloat16")
    quantization: str = _help("'none' for LoRA on full-precision weights, '4bit' for QLoRA (bitsandbytes NF4).", "none")
    bnb_4bit_quant_type: str = _help("4-bit quantisation type: nf4 or fp4.", "nf4")
    bnb_4bit_use_double_quant: bool = _help("Quantise the quantisation constants too (saves ~0.4 bit/param).", True)
    bnb_4bit_compute_dtype: str = _help("Dtype of 4-bit matmuls: bfloat16, float16 or float32.", "bfloat16")
    lora_r: int = _help("LoRA rank.", 16)
    lora_alpha: int = _help("LoRA scaling alpha (the update is scaled by alpha / r).", 32)
    lora_dropout: float = _help("Dropout on the LoRA input.", 0.05)
    lora_target_modules: list[str] | str = _help("Modules to adapt: a list of names or 'all-linear'.", "all-linear")
    gradient_checkpointing: bool = _help("Recompute activations in the backward pass to save memory.", True)
    # ---- data
    domains: dict[str, float] = _help("Training domains and their mixture weights, e.g. {math: 1.0}. Domains: "
                                      "math, code, knowledge, science, logic (rpt_tasks.registry.TRAINING).",
                                      factory=lambda: {"math": 1.0})
    sources: dict[str, list] | None = _help("Override the registry's training sources per domain: "
                                           "{domain: [[source, split or generator seed], ...]}.", None)
    max_train_samples: int | None = _help("Examples in the mixture (the paper: 40k); None = all available.", None)
    data_seed: int = _help("Seed of the mixture's sampling and shuffling.", 0)
    puzzles_per_generator: int = _help("Puzzles drawn from each reasoning-gym generator (logic domain).", 2000)
    decontaminate: bool = _help("Drop training prompts that match an evaluation item of the same domain "
                                "(normalised text, or half of its 13-grams).", True)
    # ---- GRPO (passed to trl.GRPOConfig)
    learning_rate: float = _help("Peak learning rate (LoRA needs ~10-100x full fine-tuning's 1e-6).", 1e-5)
    num_generations: int = _help("Completions sampled per prompt (the group of GRPO).", 8)
    max_completion_length: int = _help("Longest completion in tokens.", 1024)
    temperature: float = _help("Sampling temperature of rollouts (the paper: 0.6).", 0.6)
    top_p: float = _help("Nucleus sampling of rollouts.", 1.0)
    beta: float = _help("KL coefficient; 0.0 needs no reference model (the paper: 0.001).", 0.001)
    loss_type: str = _help("GRPO loss normalisation: grpo, dr_grpo, dapo, bnpo, ...", "grpo")
    scale_rewards: str = _help("Reward scaling for advantages: group, batch or none.", "group")
    epsilon: float = _help("Lower clipping bound of the policy ratio.", 0.2)
    epsilon_high: float | None = _help("Upper clipping bound (DAPO's clip-higher); None = epsilon.", None)
    mask_truncated_completions: bool = _help("Exclude completions cut at max_completion_length from the loss.", False)
    per_device_train_batch_size: int = _help("Completions per device per step (a multiple of num_generations "
                                             "once multiplied by gradient_accumulation_steps).", 8)
    gradient_accumulation_steps: int = _help("Micro-batches per optimiser step.", 1)
    max_steps: int = _help("Optimiser steps; -1 = one pass over the data (num_train_epochs).", -1)
    num_train_epochs: float = _help("Passes over the data when max_steps is -1.", 1.0)
    warmup_steps: float = _help("Linear warm-up: steps, or a fraction of all steps when below 1.", 0)
    logging_steps: int = _help("Log (and append to metrics.jsonl) every N steps.", 1)
    save_steps: int = _help("Checkpoint every N steps.", 50)
    save_total_limit: int | None = _help("Keep at most this many checkpoints.", 3)
    seed: int = _help("Seed of model initialisation, sampling and the trainer.", 42)
    report_to: list[str] | str = _help("Extra loggers: none, tensorboard, wandb, ...", "none")
    log_completions: bool = _help("Log sample completions (TRL's rich table / wandb).", False)
    use_vllm: bool = _help("Generate rollouts with vLLM (GPU; install the 'vllm' extra).", False)
    vllm_mode: str = _help("'colocate' (same GPU as training) or 'server' (`trl vllm-serve` elsewhere).", "colocate")
    vllm_gpu_memory_utilization: float = _help("GPU memory share vLLM may take in colocate mode.", 0.3)
    vllm_server_host: str = _help("Host of `trl vllm-serve` in server mode.", "0.0.0.0")
    vllm_server_port: int = _help("Port of `trl vllm-serve` in server mode.", 8000)
    use_cpu: bool = _help("Train on CPU (tests, smoke runs).", False)
    grpo_extra: dict = _help("Any other trl.GRPOConfig argument, passed as is.", factory=dict)
    # ---- run
    output_dir: str = _help("Where checkpoints, the final adapter, rpt_adapter.json and metrics.jsonl go.",
                            "runs/grpo")
    resume: bool = _help("Continue from the last complete checkpoint in output_dir.", False)

    def validate(self) -> None:
        from rpt_tasks.registry import TRAINING

        unknown = set(self.domains) - set(TRAINING)
        if unknown or not self.domains:
            raise ValueError(f"domains {sorted(unknown) or '{}'} unknown; choose from {sorted(TRAINING)}")
        if self.quantization not in ("none", "4bit"):
            raise ValueError("quantization must be 'none' or '4bit'")
        if (self.per_device_train_batch_size * self.gradient_accumulation_steps) % self.num_generations:
            raise ValueError("per_device_train_batch_size * gradient_accumulation_steps must be a multiple of "
                             "num_generations (each prompt's group of completions must fit in a batch)")
        if self.use_vllm:
            import importlib.util

            if importlib.util.find_spec("vllm") is None:
                raise ValueError("use_vllm needs vLLM: pip install 'rpt-transfer[vllm]' (GPU machines only)")


def load_config(path: str | None, overrides: dict | None = None) -> TrainConfig:
    """A recipe YAML plus overrides (later wins). Unknown keys are an error, not ignored."""
    values: dict = {}
    if path:
        values = yaml.safe_load(Path(path).read_text()) or {}
    values.update(overrides or {})
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown config key(s) {unknown}; see `rpt train --help` for the fields")
    config = TrainConfig(**values)
    config.validate()
    return config


def parse_overrides(argv: list[str]) -> dict:
    """`--key value` pairs; values are YAML (numbers, booleans, lists and dicts work)."""
    overrides, i = {}, 0
    while i < len(argv):
        key = argv[i]
        if not key.startswith("--") or i + 1 >= len(argv):
            raise ValueError(f"expected '--key value', got {' '.join(argv[i:i + 2])!r}")
        overrides[key[2:].replace("-", "_")] = yaml.safe_load(argv[i + 1])
        i += 2
    return overrides
