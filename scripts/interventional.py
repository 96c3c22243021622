"""Study 2 (interventional): train one adapter per domain from the same base, evaluate the base
and every adapter on the suite, and compare them in one heatmap. Resumable: finished adapters
and evaluations are kept, an interrupted training run resumes from its last checkpoint.

    python scripts/interventional.py --config scripts/interventional.yaml [--limit N]

Config (YAML): base (model id/path), recipe (rpt train recipe), domains (list), tasks (rpt eval
--tasks), out (folder), train_overrides (dict of rpt train fields: TRL's GRPOConfig/ModelConfig), eval_args (extra rpt eval
arguments), limit (documents per task, optional), backend (auto|hf|vllm).
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import yaml
from _study import RPT, backend_name, evaluate

from rpt_tasks.compare import compare, load_run, plain_words, to_markdown, write_outputs


def train(cfg: dict, domain: str, folder: Path) -> None:
    if (folder / "rpt_adapter.json").is_file():
        print(f"skip (trained): {folder}")
        return
    cmd = [*RPT, "train", "--config", cfg["recipe"], "--model_name_or_path", cfg["base"], "--domains", json.dumps({domain: 1.0}),
           "--output_dir", str(folder)]
    for key, value in (cfg.get("train_overrides") or {}).items():
        cmd += [f"--{key}", json.dumps(value)]
    if folder.exists():
        cmd.append("--resume")
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    parser.add_argument("--limit", type=int, default=None, help="overrides the config's limit")
    parser.add_argument("--out", default=None, help="overrides the config's output folder")
    parser.add_argument("--base", default=None, help="overrides the config's base model")
    parser.add_argument("--preset", default=None, choices=["default", "paper"],
                        help="paper: evaluate with the authors' protocol (rpt_paper) instead of the config's tasks")
    args = parser.parse_args()
    cfg = yaml.safe_load(Path(args.config).read_text())
    if args.preset == "paper":
        cfg["tasks"] = "rpt_paper"
    cfg["out"] = args.out or cfg["out"]
    cfg["base"] = args.base or cfg["base"]
    out, limit = Path(cfg["out"]), args.limit or cfg.get("limit")
    backend = backend_name(cfg.get("backend", "auto"))
    eval_args = list(cfg.get("eval_args") or [])

    from rpt_tasks.models import resolve_model

    base = resolve_model(cfg["base"])
    cfg["base"] = base
    evaluate(f"pretrained={base}", cfg["tasks"], out / "evals" / "base", limit, backend, eval_args)
    runs = []
    for domain in cfg["domains"]:
        adapter = (out / "adapters" / domain).resolve()
        train(cfg, domain, adapter)
        evaluate(f"pretrained={base},peft={adapter}", cfg["tasks"], out / "evals" / domain, limit, backend, eval_args)
        runs.append(load_run(out / "evals" / domain, f"GRPO on {domain}"))  # domains from rpt_adapter.json
    summary = compare(load_run(out / "evals" / "base", "base", []), runs)
    write_outputs(summary, out / "compare")
    print(to_markdown(summary))
    print("\n".join(plain_words(summary)))
    print(f"\nheatmap: {out / 'compare' / 'heatmap.png'}")


if __name__ == "__main__":
    main()
