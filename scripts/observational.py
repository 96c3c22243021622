"""Study 1 (observational): every public RPT model against its own base on the suite.

    python scripts/observational.py [--models scripts/observational_models.yaml] [--preset default|paper] [--tasks rpt_suite]
                                    [--out runs/observational] [--limit N] [--backend auto|hf|vllm]

Evaluates each base once and each model once (vLLM when installed on a GPU, else hf), skipping
runs whose results exist, then compares each model with its base and writes one summary and one
heatmap for all models.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import yaml
from _study import backend_name, evaluate

from rpt_tasks.compare import compare, load_run, plain_words, to_markdown, write_outputs


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=str(Path(__file__).with_name("observational_models.yaml")))
    parser.add_argument("--preset", default="default", choices=["default", "paper"],
                        help="paper: the authors' protocol (rpt_paper) instead of the robust tasks (rpt_suite)")
    parser.add_argument("--tasks", default=None, help="tasks or groups (default: the preset's suite)")
    parser.add_argument("--out", default="runs/observational")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--backend", default="auto", choices=["auto", "hf", "vllm"])
    parser.add_argument("--model_args_extra", default="", help="appended to every --model_args (e.g. dtype=bfloat16)")
    parser.add_argument("--gen_kwargs", default=None, help="passed to rpt eval")
    args = parser.parse_args()
    args.tasks = args.tasks or ("rpt_paper" if args.preset == "paper" else "rpt_suite")

    entries = yaml.safe_load(Path(args.models).read_text())["models"]
    out, backend = Path(args.out), backend_name(args.backend)
    extra = ["--apply_chat_template"] + (["--gen_kwargs", args.gen_kwargs] if args.gen_kwargs else [])
    suffix = f",{args.model_args_extra}" if args.model_args_extra else ""
    merged = {"models": {}, "base": "each model's own base", "significance_level": 0.05}
    for entry in entries:
        base_dir, model_dir = out / "evals" / slug(entry["base"]), out / "evals" / slug(entry["model"])
        evaluate(f"pretrained={entry['base']}{suffix}", args.tasks, base_dir, args.limit, backend, extra)
        evaluate(f"pretrained={entry['model']}{suffix}", args.tasks, model_dir, args.limit, backend, extra)
        summary = compare(load_run(base_dir, entry["base"], []),
                          [load_run(model_dir, entry["name"], list(entry["trained_domains"]))])
        merged["models"].update(summary["models"])
    write_outputs(merged, out / "compare")
    print(to_markdown(merged))
    print("\n".join(plain_words(merged)))


if __name__ == "__main__":
    main()
