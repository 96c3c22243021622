"""`rpt train --plan`: a memory estimate before launch, from the model's config alone.

Rough by design: weights at their stored precision, LoRA parameters with their gradients and
Adam moments in float32, activations kept at layer boundaries with gradient checkpointing (plus
one layer's worth being recomputed), the KV cache of generating the batch's completions, and the
log-prob tile of the LM head. Prompts count at their measured length (the recipe's first training source,
rendered through the model's chat template) where the tokenizer and data are on this machine,
else at PROMPT_TOKENS_ASSUMED.

Logits are not materialised: TRL 1.16 scores tokens with a fused LM head, one [4096 tokens, 32768
vocab] tile at a time (trl.kernels.chunked_logprob), so the logits term is that tile.

A CPU run (use_cpu) adds the process itself (Python, torch and the libraries: RUNTIME_GIB, measured)
and keeps about CPU_ACTIVATION_FACTOR times the activations and logits the formula counts (eager
float32 attention and autograd without fused kernels). Calibrated on SmolLM2-135M-Instruct
(recipes/learn-smollm2-cpu.yaml, 2 cores): peak RSS 5.32 GiB at batch 8 and 9.08 GiB at batch 16,
planned 5.23 and 9.24.

On CUDA, checkpointed activations count GPU_ACTIVATION_FACTOR times the formula. Calibrated on the
two GPU runs measured so far (one H200, random weights of R1-Distill-1.5B's shape, batch 4 x 512
new tokens, prompts of ~258 tokens of the offline math set; MEASURED_GPU below): peak reserved
2.47 GiB (qlora-8gb's QLoRA, r 16, nested quant) and 5.50 GiB (lora-24gb's LoRA, r 64), planned
2.52 and 5.65 (+2%, +3%; before this calibration 3.98 and 7.05, +61% and +28%, from full logits
and a 1,024-token prompt). Two runs at one length: longer completions are extrapolated, and
scripts/bench_gpu_memory.py prints measured/plan per recipe to recalibrate where a GPU is lent.
"""

from __future__ import annotations

GIB = 1024 ** 3
PROMPT_TOKENS_ASSUMED = 1024  # a long reasoning prompt, where the real ones cannot be measured here
RUNTIME_GIB = 0.53  # RSS of a process that has imported torch, transformers, trl, peft, datasets (CPU)
CPU_ACTIVATION_FACTOR = 2.57  # measured / formula for activations + logits on CPU (see above)
GPU_ACTIVATION_FACTOR = 0.5  # measured / formula for checkpointed activations on CUDA (see above)
# The GPU calibration runs: the fields that shape memory, the prompt tokens and the peak reserved GiB
_RUN = dict(model="deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", dtype="bfloat16", per_device_train_batch_size=4,
            max_completion_length=512, gradient_checkpointing=True, steps_per_generation=1, prompt=258)
MEASURED_GPU = {"qlora-8gb (r16, 4-bit, nested quant)": (dict(_RUN, load_in_4bit=True, use_bnb_nested_quant=True,
                                                              lora_r=16), 2.47),
                "lora-24gb (r64, bf16)": (dict(_RUN, load_in_4bit=False, use_bnb_nested_quant=False, lora_r=64), 5.50)}
LOGPROB_TILE = (4096, 32768)  # tokens x vocabulary of TRL's fused log-prob tile (trl.kernels.chunked_logprob)


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


def prompt_tokens(cfg, model_args) -> tuple[int, str]:
    """(typical prompt length in tokens, how it was found): the mean over the first 32 prompts of
    the recipe's first training source, as the trainer renders them; else the assumption."""
    import os

    from rpt_tasks.models import resolve_model

    try:
        from rpt_tasks.benchmarks import TRAINING, prompt_for
        from rpt_tasks.data import mirror_dir
        from rpt_train.data import _load

        path = resolve_model(model_args.model_name_or_path) if model_args.model_name_or_path not in KNOWN_SHAPES else ""
        if not os.path.isdir(path):
            raise OSError("no local tokenizer")
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(path)
        domain = next(iter(cfg.domains))
        source, split = ((cfg.sources or {}).get(domain) or TRAINING[domain]["offline" if mirror_dir() else "hub"])[0]
        docs = _load(source, split, min(32, cfg.puzzles_per_generator or 32))[:32]
        texts = [tokenizer.apply_chat_template([{"role": "user", "content": prompt_for(d)}], add_generation_prompt=True,
                                               tokenize=False) if tokenizer.chat_template else prompt_for(d) for d in docs]
        lengths = [len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
        return round(sum(lengths) / len(lengths)), f"measured on {len(lengths)} {source} prompts"
    except Exception:  # noqa: BLE001 - a hub model or data this machine lacks: the stated assumption
        return PROMPT_TOKENS_ASSUMED, "assumed"


def estimate_memory(cfg, model_args, prompt: int | None = None) -> dict[str, float]:
    """`cfg`: an RptGRPOConfig, `model_args`: its ModelConfig; `prompt`: prompt tokens (default:
    measured where possible, see prompt_tokens)."""
    prompt = prompt if prompt is not None else prompt_tokens(cfg, model_args)[0]
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
    shards = max(1, getattr(cfg, "plan_gpus", 1) or 1)
    if model_args.load_in_4bit:
        # NF4 with one absmax per 64 weights: fp32 (4/64 bytes), or 8-bit plus a second level (nested quant)
        absmax = (1 + 4 / 256) / 64 if getattr(model_args, "use_bnb_nested_quant", False) else 4 / 64
        weights = layers * per_layer * (0.5 + absmax) + embed * act_bytes  # embeddings and lm_head stay 16-bit
    else:
        weights = params * act_bytes / (1 if model_args.use_peft else shards)  # ZeRO-3/FSDP shard full fine-tuning
    # LoRA on every linear layer: r * (in + out) per projection
    lora = model_args.lora_r * layers * (2 * (hidden + heads * head_dim) + 2 * (hidden + kv_heads * head_dim)
                                  + 3 * (hidden + inter))
    optimizer = lora * 4 * 3  # fp32 weights copy + 2 Adam moments
    gradients = lora * 4
    if not model_args.use_peft:  # full fine-tuning: every parameter trains, sharded over the GPUs
        lora, optimizer, gradients = 0, params * 4 * 3 / shards, params * act_bytes / shards
    tokens = cfg.per_device_train_batch_size * (cfg.max_completion_length + prompt)
    if cfg.gradient_checkpointing:
        activations = tokens * hidden * act_bytes * (layers + 16) + tokens * inter * act_bytes * 2
    else:
        activations = tokens * layers * (hidden * 12 + inter * 3) * act_bytes
    # No (batch, length, vocab) logits: TRL scores the tokens with its fused LM head
    # (trl.kernels.chunked_logprob), one [4096 tokens, 32768 vocab] tile at a time, in the compute
    # dtype (fp32 with cast_lm_head_to_fp32). With Triton (CUDA) it scores the completion tokens only.
    scored = cfg.per_device_train_batch_size * (cfg.max_completion_length + (prompt if cfg.use_cpu else 0))
    logit_bytes = 4 if getattr(cfg, "cast_lm_head_to_fp32", False) else act_bytes
    logits = min(scored, LOGPROB_TILE[0]) * min(vocab, LOGPROB_TILE[1]) * logit_bytes
    # TRL generates per_device_train_batch_size x steps_per_generation completions at once
    generated = cfg.per_device_train_batch_size * (getattr(cfg, "steps_per_generation", None)
                                                   or cfg.gradient_accumulation_steps or 1)
    kv_cache = 2 * layers * kv_heads * head_dim * act_bytes * generated * (cfg.max_completion_length + prompt)
    # No reference model term: with PEFT, TRL's reference is the base with the adapters disabled.
    if getattr(cfg, "use_vllm", False):
        kv_cache = 0  # generation runs in vLLM, inside its own share of the card (vllm_gpu_memory_utilization)
    parts = {"weights": weights, "lora_params": lora * 4, "lora_grads": gradients, "optimizer": optimizer,
             "activations": activations, "logits": logits, "kv_cache": kv_cache}
    if not model_args.use_peft:
        parts = {"weights": weights, "gradients": gradients, "optimizer": optimizer, "activations": activations,
                 "logits": logits, "kv_cache": kv_cache}
    if not cfg.use_cpu:
        parts["activations"] *= GPU_ACTIVATION_FACTOR
    if cfg.use_cpu:
        parts["activations"] *= CPU_ACTIVATION_FACTOR
        parts["logits"] *= CPU_ACTIVATION_FACTOR
        parts["runtime"] = RUNTIME_GIB * GIB
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
    prompt, how = prompt_tokens(cfg, model_args)
    parts = estimate_memory(cfg, model_args, prompt)
    method = ("QLoRA 4-bit" if model_args.load_in_4bit else "LoRA") + f", r={model_args.lora_r}" if model_args.use_peft \
        else f"full fine-tuning, sharded over {max(1, cfg.plan_gpus)} GPU(s), per GPU"
    print(f"Memory plan for {model_args.model_name_or_path} ({parts['parameters_billion']:.2f}B parameters, "
          f"{method}, "
          f"batch {cfg.per_device_train_batch_size} x ({prompt} prompt tokens, {how}, + "
          f"{cfg.max_completion_length} new){', on the CPU' if cfg.use_cpu else ''})")
    for name, gib in parts.items():
        if name not in ("total", "parameters_billion"):
            print(f"  {name:<16}{gib:8.2f} GiB")
    print(f"  {'total (+10%)':<16}{parts['total']:8.2f} GiB")
    if cfg.use_vllm and cfg.vllm_mode == "colocate":
        print(f"  + vLLM colocated: vllm_gpu_memory_utilization {cfg.vllm_gpu_memory_utilization} of each card")
    gpu = visible_gpu_gib()
    if gpu is None:
        print("  no GPU visible: cannot check the estimate against a card")
    elif parts["total"] > gpu:
        print(f"  WARNING: the estimate exceeds the visible GPU ({gpu:.1f} GiB): lower per_device_train_batch_size "
              f"or max_completion_length, or use quantization: 4bit")
    else:
        print(f"  fits the visible GPU ({gpu:.1f} GiB)")
    return parts
