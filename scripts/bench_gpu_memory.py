"""Peak GPU memory and step time of the recipes on a random-weight model of a real shape, side by
side with what `rpt train --plan` predicted. Needs a CUDA GPU (the QLoRA recipes' 4-bit path),
no hub: the model is built from the published shape of DeepSeek-R1-Distill-Qwen-1.5B (as a
Llama-architecture stand-in: same sizes, vocabulary included) with random weights, and trains on
the offline math data under RPT_DATA_DIR for a couple of optimizer steps.

    RPT_DATA_DIR=... python scripts/bench_gpu_memory.py [--recipes recipes/qlora-5gb.yaml ...]
        [--steps 2] [--max-completion-length N] [--shape r1-distill-qwen-1.5b|tiny]

By default every single-GPU recipe at its own lengths, rollouts and generation batch (one
micro-batch per optimizer step); --max-completion-length N shortens them all.

Prints, per recipe: peak allocated / reserved GiB, the plan's estimate, their ratio, and seconds
per optimizer step. Random weights rarely stop early, so every completion runs to its limit: the
memory peak is the recipe's worst case. `--shape tiny` runs anywhere (CPU) to check the script.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Published config.json values of deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B (a Qwen2 model).
SHAPES = {
    "r1-distill-qwen-1.5b": dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
                                 num_attention_heads=12, num_key_value_heads=2, vocab_size=151936,
                                 attention_bias=True, tie_word_embeddings=False, rope_theta=10000.0,
                                 rms_norm_eps=1e-6, max_position_embeddings=131072),
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, vocab_size=1024, tie_word_embeddings=False),
}

CHILD = r'''
import json, sys, time
import torch
from rpt_train.config import load_recipe
from rpt_train.plan import estimate_memory
from rpt_train.trainer import train

spec = json.loads(sys.argv[1])
cfg, model_args = load_recipe(spec["recipe"], spec["overrides"])
estimate = estimate_memory(cfg, model_args)
start = time.perf_counter()
train(cfg, model_args)
elapsed = time.perf_counter() - start
cuda = torch.cuda.is_available()
steps = [json.loads(l) for l in open(f"{cfg.output_dir}/metrics.jsonl") if l.strip()]
print("RESULT " + json.dumps({
    "peak_allocated_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else None,
    "peak_reserved_gib": torch.cuda.max_memory_reserved() / 2**30 if cuda else None,
    "estimate_gib": estimate["total"], "estimate": estimate,
    "seconds": elapsed, "steps": cfg.max_steps,
    "device": torch.cuda.get_device_name() if cuda else "cpu",
    "last_log": steps[-1] if steps else None}), flush=True)
'''


def build_model(shape: str, folder: Path) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from rpt_tasks.testing.tiny_model import build_tiny_llama

    build_tiny_llama(folder)  # its offline tokenizer; the model below replaces the tiny one
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    config = LlamaConfig(**SHAPES[shape], bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, torch_dtype="bfloat16")
    torch.manual_seed(0)
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.generation_config.max_length = None
    model.save_pretrained(folder)
    del model
    return folder


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipes", nargs="+", default=[f"recipes/{r}.yaml" for r in (
        "qlora-5gb", "qlora-8gb", "qlora-12gb", "lora-24gb")])  # R1-Distill's shape; qlora-16gb is a 3B model
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--max-completion-length", type=int, default=None, help="default: each recipe's own")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="r1-distill-qwen-1.5b")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    if not os.environ.get("RPT_DATA_DIR"):
        parser.error("set RPT_DATA_DIR to the offline mirror (the math training data)")
    work = Path(tempfile.mkdtemp(prefix="rpt-bench-gpu-"))
    t0 = time.perf_counter()
    model = build_model(args.shape, work / "model")
    print(f"random {args.shape} model written in {time.perf_counter() - t0:.0f}s", flush=True)
    results = {}
    for recipe in args.recipes:
        overrides = ["--model_name_or_path", str(model), "--max_steps", str(args.steps), "--output_dir",
                     str(work / Path(recipe).stem), "--save_steps", "10000", "--logging_steps", "1",
                     "--gradient_accumulation_steps", "1",  # one micro-batch per step; generation batch as the recipe's
                     *(["--max_completion_length", str(args.max_completion_length)] if args.max_completion_length else []),
                     "--max_train_samples", "256", "--domains", "{math: 1.0}",
                     "--decontaminate", "false"]  # (decontamination needs every eval set; not measured here)
        if args.shape == "tiny" and not _cuda():  # the script's own check on a CPU
            overrides += ["--use_cpu", "true", "--bf16", "false", "--dtype", "float32"]
        proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps({"recipe": str(REPO / recipe), "overrides": overrides})],
                              cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))})
        line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT ")), None)
        if line is None:
            print(f"{recipe}: FAILED\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}", flush=True)
            results[recipe] = {"error": proc.stderr[-4000:]}
            continue
        results[recipe] = json.loads(line[7:])
        r = results[recipe]
        measured = r["peak_reserved_gib"]
        ratio = f"{measured / r['estimate_gib']:.2f}" if measured and r["estimate_gib"] else "-"
        print(f"{recipe}: device {r['device']}; peak allocated {r['peak_allocated_gib'] or 0:.2f} GiB, reserved "
              f"{measured or 0:.2f} GiB; plan {r['estimate_gib']:.2f} GiB; reserved/plan {ratio}; "
              f"{r['seconds'] / args.steps:.1f} s per micro-step ({args.max_completion_length or 'recipe'} completion tokens)",
              flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
