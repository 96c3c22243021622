"""The trainer's configuration is TRL's own: `RptGRPOConfig` extends trl.GRPOConfig with only what
this project adds (training domains and their data, decontamination, the memory plan, resume),
and the model, LoRA and quantisation settings are trl.ModelConfig's. Both are parsed by
trl.TrlParser, so every `trl grpo` flag, `--key=value`, bare booleans and YAML recipes work as
they do in TRL (`rpt train --config recipes/<name>.yaml --max_steps=2 ...`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from trl import GRPOConfig, ModelConfig


def _yaml_value(value):
    """Dict-valued fields come from the command line as YAML/JSON text (`--domains "{code: 1}"`)."""
    return yaml.safe_load(value) if isinstance(value, str) else value


def _gpu_visible() -> bool:
    import torch

    return torch.cuda.is_available() or (hasattr(torch, "xpu") and torch.xpu.is_available())


@dataclass
class RptGRPOConfig(GRPOConfig):
    # `dict | str | None` makes TRL's parser take a string, which __post_init__ reads as YAML.
    domains: dict | str | None = field(default=None, metadata={
        "help": "Training domains and their mixture weights, e.g. '{math: 1.0}'. Domains: math, code, knowledge, "
                "science, logic (rpt_tasks.benchmarks.TRAINING). Default: {math: 1.0}."})
    sources: dict | str | None = field(default=None, metadata={
        "help": "Override the training sources per domain: '{domain: [[source, split or generator seed], ...]}'."})
    max_train_samples: int | None = field(default=None, metadata={
        "help": "Examples in the mixture (the paper: 40k); None = all available."})
    puzzles_per_generator: int = field(default=2000, metadata={
        "help": "Puzzles drawn from each reasoning-gym generator (logic domain)."})
    decontaminate: bool = field(default=True, metadata={
        "help": "Drop training prompts that match an evaluation item of the same domain (normalised text, or half "
                "of its 13-grams)."})
    plan: bool = field(default=False, metadata={"help": "Print a GPU memory estimate and exit."})
    export_dataset: str | None = field(default=None, metadata={
        "help": "Write the training mixture (columns prompt, rpt_domain, rpt_doc) to this folder as train.jsonl, "
                "for `trl grpo --dataset_name DIR --reward_funcs rpt_train.rewards.<domain>`, and exit."})
    resume: bool = field(default=False, metadata={
        "help": "Continue from the last complete checkpoint in output_dir (even after kill -9)."})
    train_prompt: str = field(default="evaluation", metadata={
        "help": "evaluation: train on the evaluation prompts (ANSWER line); dataset: on the training set's own chat "
                "(Eurus-2's system prompt and \\boxed instruction), as the paper did. Both rewards read either form.",
        "choices": ["evaluation", "dataset"]})
    plan_gpus: int = field(default=1, metadata={
        "help": "GPUs a full fine-tuning run shards weights, gradients and optimizer over (accelerate with ZeRO-3 "
                "or FSDP): --plan prints the memory per GPU."})

    def __post_init__(self):
        self.domains = _yaml_value(self.domains) or {"math": 1.0}
        self.sources = _yaml_value(self.sources)
        if self.bf16 is None and self.use_cpu:
            self.bf16 = False  # TRL turns bf16 on by default; CPU runs here are float32
        # A GPU recipe read on a machine without a GPU (to plan it, to check it): transformers would
        # refuse bf16 here already. Keep what was asked; train() refuses it with the reason.
        self.bf16_without_gpu = bool(self.bf16 is not False and not self.use_cpu and not _gpu_visible())
        if self.bf16_without_gpu:
            self.bf16 = False
        generated = self.per_device_train_batch_size * (self.steps_per_generation or self.gradient_accumulation_steps)
        if generated % self.num_generations:
            raise ValueError("per_device_train_batch_size * steps_per_generation (default: gradient_accumulation_steps) "
                             "must be a multiple of num_generations (each prompt's group of completions is generated "
                             "together)")
        super().__post_init__()
        from rpt_tasks.benchmarks import TRAINING

        unknown = set(self.domains) - set(TRAINING)
        if unknown or not self.domains:
            raise ValueError(f"domains {sorted(unknown) or '{}'} unknown; choose from {sorted(TRAINING)}")
        import importlib.util

        # checked when training starts (rpt_train.trainer), so that --plan works anywhere
        self.vllm_missing = bool(self.use_vllm and importlib.util.find_spec("vllm") is None)

    @property
    def mixture_seed(self) -> int:
        return self.seed if self.data_seed is None else self.data_seed


@dataclass
class RptModelConfig(ModelConfig):
    """TRL's ModelConfig; this trainer trains a LoRA adapter unless use_peft is false."""

    model_name_or_path: str | None = field(default=None, metadata={
        "help": "Base model: a hub id, a local folder, or an alias (rpt:tiny, rpt:default).", "aliases": ["--model"]})
    use_peft: bool = field(default=True, metadata={"help": "Train a LoRA adapter (false: full fine-tuning)."})


def parse(argv: list[str]) -> tuple[RptGRPOConfig, RptModelConfig]:
    """`--config recipe.yaml` plus flags, exactly as `trl grpo` parses them. Unknown keys are an
    error (ValueError), not ignored."""
    from trl import TrlParser

    training, model = TrlParser((RptGRPOConfig, RptModelConfig)).parse_args_and_config(argv)
    if not model.model_name_or_path:
        raise ValueError("no base model: set model_name_or_path in the recipe or pass --model_name_or_path")
    return training, model


def load_recipe(path: str, overrides: list[str] = ()) -> tuple[RptGRPOConfig, RptModelConfig]:
    """A recipe with optional flags, as `rpt train --config path ...` reads it."""
    return parse(["--config", str(path), *overrides])
