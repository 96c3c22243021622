"""`rpt train --plan`: a memory estimate before launch, from the model's config alone.

Rough by design (within ~20% for decoder-only models): weights at their stored precision,
LoRA parameters with their gradients and Adam moments in float32, activations kept at layer
boundaries with gradient checkpointing (plus one layer's worth being recomputed), and the KV
cache of generating the batch's completions, and the completion logits.
"""

from __future__ import annotations

GIB = 1024 ** 3


# The shapes of the recipes' hub models (their config.json on the hub): a plan needs shapes only,
# so the recipes plan offline without a download.
KNOWN_SHAPES = {
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B": dict(hidden_size=1536, num_hidden_layers=28, num_attention_heads=12,
                                                     num_key_value_heads=2, intermediate_size=8960,
                                                     vocab_size=151936, tie_word_embeddings=False),
    "Qwen/Qwen2.5-3B-Instruct": dict(hidden_size=2048, num_hidden_layers=36, num_attention_heads=16,
                                     num_key_value_heads=2, intermediate_size=11008, vocab_size=151936,
                                     tie_word_embeddings=True),
}


class PlanError(ValueError):
    """The model's shape cannot be read (not a local folder, not a known recipe model, offline)."""


def model_config(name: str, revision: str | None = None):
    """The model's config: a known recipe model's shape, else a local folder's or the hub's
    config.json (aliases such as rpt:tiny and rpt:default resolved as training resolves them)."""
    import os
    from types import SimpleNamespace

    from rpt_tasks.models import resolve_model

    if name in KNOWN_SHAPES:
        return SimpleNamespace(**KNOWN_SHAPES[name])
    path = resolve_model(name)
    if os.path.isdir(path):
        import json

        return SimpleNamespace(**json.loads(open(os.path.join(path, "config.json"), encoding="utf-8").read()))
    try:
        from transformers import AutoConfig

        return AutoConfig.from_pretrained(path, revision=revision)
    except (OSError, ValueError) as e:
        raise PlanError(f"cannot read the shape of {name!r} (offline? give a local folder, or one of "
                        f"{', '.join(KNOWN_SHAPES)}): {type(e).__name__}") from None


def estimate_memory(cfg, model_args) -> dict[str, float]:
    """`cfg`: an RptGRPOConfig, `model_args`: its ModelConfig."""
    config = model_config(model_args.model_name_or_path, model_args.model_revision)
    hidden, layers = config.hidden_size, config.num_hidden_layers
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or hidden // heads
    inter = getattr(config, "intermediate_size", 4 * hidden)
    vocab = config.vocab_size
    per_layer = 2 * hidden * heads * head_dim + 2 * hidden * kv_heads * head_dim + 3 * hidden * inter
    embed = vocab * hidden * (1 if getattr(config, "tie_word_embeddings", False) else 2)
    params = layers * per_layer + embed
    act_bytes = 2 if model_args.dtype in ("bfloat16", "float16") else 4
    if model_args.load_in_4bit:
        weights = layers * per_layer * (0.5 + 0.0625) + embed * act_bytes  # NF4 + absmax; embeddings stay 16-bit
    else:
        weights = params * act_bytes
    # LoRA on every linear layer: r * (in + out) per projection
    lora = model_args.lora_r * layers * (2 * (hidden + heads * head_dim) + 2 * (hidden + kv_heads * head_dim)
                                  + 3 * (hidden + inter))
    optimizer = lora * 4 * 3  # fp32 weights copy + 2 Adam moments
    gradients = lora * 4
    tokens = cfg.per_device_train_batch_size * (cfg.max_completion_length + 1024)  # completion + a typical prompt
    if cfg.gradient_checkpointing:
        activations = tokens * hidden * act_bytes * (layers + 16) + tokens * inter * act_bytes * 2
    else:
        activations = tokens * layers * (hidden * 12 + inter * 3) * act_bytes
    # Logits of the completion tokens only (TRL keeps just those) at compute precision; TRL's
    # selective log-softmax upcasts one row at a time.
    logits = cfg.per_device_train_batch_size * cfg.max_completion_length * vocab * act_bytes
    kv_cache = 2 * layers * kv_heads * head_dim * act_bytes * cfg.per_device_train_batch_size * (
        cfg.max_completion_length + 1024)
    # No reference model term: with PEFT, TRL's reference is the base with the adapters disabled.
    parts = {"weights": weights, "lora_params": lora * 4, "lora_grads": gradients, "optimizer": optimizer,
             "activations": activations, "logits": logits, "kv_cache": kv_cache}
    parts = {k: v / GIB for k, v in parts.items()}
    parts["total"] = sum(parts.values()) * 1.1  # allocator fragmentation and CUDA context
    parts["parameters_billion"] = params / 1e9
    return parts


def visible_gpu_gib() -> float | None:
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_properties(0).total_memory / GIB
    except Exception:  # noqa: BLE001
        pass
    return None


def print_plan(cfg, model_args) -> dict[str, float]:
    parts = estimate_memory(cfg, model_args)
    print(f"Memory plan for {model_args.model_name_or_path} ({parts['parameters_billion']:.2f}B parameters, "
          f"{'QLoRA 4-bit' if model_args.load_in_4bit else 'LoRA'}, r={model_args.lora_r}, "
          f"batch {cfg.per_device_train_batch_size} x {cfg.max_completion_length} new tokens)")
    for name, gib in parts.items():
        if name not in ("total", "parameters_billion"):
            print(f"  {name:<16}{gib:8.2f} GiB")
    print(f"  {'total (+10%)':<16}{parts['total']:8.2f} GiB")
    gpu = visible_gpu_gib()
    if gpu is None:
        print("  no GPU visible: cannot check the estimate against a card")
    elif parts["total"] > gpu:
        print(f"  WARNING: the estimate exceeds the visible GPU ({gpu:.1f} GiB): lower per_device_train_batch_size "
              f"or max_completion_length, or use quantization: 4bit")
    else:
        print(f"  fits the visible GPU ({gpu:.1f} GiB)")
    return parts
