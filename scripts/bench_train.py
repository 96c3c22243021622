"""Step time and peak memory of `rpt train` versus a plain TRL GRPOTrainer script with identical
settings (model, LoRA, GRPOConfig, prompts), side by side.

The plain script gets the very rows `rpt train` trains on (exported once) and a minimal reward
(gold number present in the completion), so the difference is what rpt adds per step: its
verifier rewards, callbacks and checkpoint markers. Each side runs in its own process (peak RSS
is that process's); runs alternate so machine drift hits both alike.

    python scripts/bench_train.py [--runs 3] [--steps 12] [--config recipes/smoke-cpu.yaml]
Target (issue 5): ratio rpt / plain TRL step time <= 1.05.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PLAIN_TRL = textwrap.dedent('''
    import json, resource, sys
    import datasets, torch
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    spec = json.load(open(sys.argv[1]))
    rows = [json.loads(line) for line in open(spec["rows"])]
    dataset = datasets.Dataset.from_list([{"prompt": r["prompt"], "gold": json.loads(r["rpt_doc"])["gold"]} for r in rows])

    def reward(prompts, completions, gold, **kwargs):
        texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
        return [1.0 if g and g in t else 0.0 for t, g in zip(texts, gold)]

    class Log(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            with open(spec["metrics"], "a") as f:
                f.write(json.dumps({"step": state.global_step, **(logs or {})}) + "\\n")

    tokenizer = AutoTokenizer.from_pretrained(spec["model"])
    model = AutoModelForCausalLM.from_pretrained(spec["model"], dtype=getattr(torch, spec["dtype"]))
    trainer = GRPOTrainer(model=model, reward_funcs=[reward], args=GRPOConfig(**spec["grpo"]), train_dataset=dataset,
                          processing_class=tokenizer, peft_config=LoraConfig(**spec["lora"]), callbacks=[Log()])
    trainer.train()
    print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
''')

RPT_SIDE = textwrap.dedent('''
    import json, resource, sys
    from rpt_train.config import load_recipe
    from rpt_train.trainer import train
    train(*load_recipe(sys.argv[1], json.loads(sys.argv[2])))
    print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
''')


def step_times(metrics: Path) -> list[float]:
    times = [json.loads(line).get("step_time") for line in metrics.read_text().splitlines()]
    return [float(t) for t in times if t is not None][1:]  # the first step warms caches up


def run(cmd: list[str], env: dict) -> dict:
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--config", default=str(REPO / "recipes" / "smoke-cpu.yaml"))
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from rpt_tasks.models import resolve_model
    from rpt_train.config import load_recipe
    from rpt_train.data import build_dataset

    tmp = Path(tempfile.mkdtemp(prefix="rpt-bench-train-"))
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"), HF_HUB_OFFLINE="1",
               HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env.setdefault("RPT_DATA_DIR", str(REPO.parent / "shared" / "data"))
    os.environ.update({k: env[k] for k in ("RPT_DATA_DIR", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")})
    overrides = ["--max_steps", str(args.steps), "--save_steps", str(10 ** 6)]
    cfg, model_args = load_recipe(args.config, overrides)
    model = resolve_model(model_args.model_name_or_path)
    rows, _ = build_dataset(cfg, AutoTokenizer.from_pretrained(model))
    rows.to_json(str(tmp / "rows.jsonl"))
    grpo = {k: v for k, v in cfg.to_dict().items()
            if k in ("learning_rate", "num_generations", "max_completion_length", "temperature", "top_p", "beta",
                     "loss_type", "scale_rewards", "epsilon", "per_device_train_batch_size",
                     "gradient_accumulation_steps", "max_steps", "logging_steps", "seed", "use_cpu", "bf16",
                     "gradient_checkpointing")}
    grpo.update(report_to="none", save_strategy="no", data_seed=cfg.mixture_seed)
    lora = {"r": model_args.lora_r, "lora_alpha": model_args.lora_alpha, "lora_dropout": model_args.lora_dropout,
            "target_modules": model_args.lora_target_modules, "task_type": "CAUSAL_LM"}
    (tmp / "plain.py").write_text(PLAIN_TRL)
    (tmp / "rpt_side.py").write_text(RPT_SIDE)

    from tqdm import tqdm

    results = {"rpt train": {"step": [], "rss": []}, "plain TRL": {"step": [], "rss": []}}
    for i in tqdm(range(args.runs), desc="runs (both sides)"):
        out = tmp / f"rpt-{i}"
        side = run([sys.executable, str(tmp / "rpt_side.py"), args.config,
                    json.dumps([*overrides, "--model_name_or_path", model, "--output_dir", str(out)])], env)
        results["rpt train"]["step"] += step_times(out / "metrics.jsonl")
        results["rpt train"]["rss"].append(side["peak_rss_mb"])
        spec = {"rows": str(tmp / "rows.jsonl"), "metrics": str(tmp / f"plain-{i}.jsonl"), "model": model,
                "dtype": model_args.dtype, "grpo": {**grpo, "output_dir": str(tmp / f"plain-out-{i}")}, "lora": lora}
        (tmp / f"plain-{i}.json").write_text(json.dumps(spec))
        side = run([sys.executable, str(tmp / "plain.py"), str(tmp / f"plain-{i}.json")], env)
        results["plain TRL"]["step"] += step_times(tmp / f"plain-{i}.jsonl")
        results["plain TRL"]["rss"].append(side["peak_rss_mb"])

    print(f"\n{'side':<12}{'median step s':>15}{'peak RSS MB':>13}   ({model}, {args.steps} steps x {args.runs} runs)")
    for name, r in results.items():
        print(f"{name:<12}{statistics.median(r['step']):>15.3f}{max(r['rss']):>13.0f}")
    step_ratio = statistics.median(results["rpt train"]["step"]) / statistics.median(results["plain TRL"]["step"])
    rss_ratio = max(results["rpt train"]["rss"]) / max(results["plain TRL"]["rss"])
    print(f"\nratio rpt / plain TRL: step time {step_ratio:.3f} (target <= 1.05), peak memory {rss_ratio:.3f}")


if __name__ == "__main__":
    main()
