"""`rpt train --config recipes/<name>.yaml [--key value | --key=value ...] [--plan] [--resume]`

TRL's own parser reads the recipe and the flags (trl.TrlParser over RptGRPOConfig and
ModelConfig): every `trl grpo` flag works. Multi-GPU: accelerate launch --config_file <TRL's
zero2/zero3/fsdp config> -m rpt_train.cli --config ...
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from rpt_train.config import parse

    try:
        cfg, model_args = parse(argv)
    except (ValueError, OSError, TypeError) as e:
        message = str(e)
        if "not used by the HfArgumentParser" in message or "Unknown arguments" in message:
            message = f"unknown config key(s): {message.split(':', 1)[1].strip()}; see `rpt train --help`"
        print(f"rpt train: {message}", file=sys.stderr)
        return 2
    if cfg.plan:
        from rpt_train.plan import PlanError, print_plan

        try:
            print_plan(cfg, model_args)
        except PlanError as e:
            print(f"rpt train --plan: {e}", file=sys.stderr)
            return 2
        return 0
    from rpt_tasks.data import DataError
    from rpt_train.trainer import SetupError, train

    if cfg.export_dataset:
        try:
            return _export_dataset(cfg, model_args)
        except DataError as e:
            print(f"rpt train: {e}", file=sys.stderr)
            return 2

    try:
        out = train(cfg, model_args)
    except (DataError, SetupError) as e:  # a missing dataset, no GPU for bf16, no hub to push to: what to do
        print(f"rpt train: {e}", file=sys.stderr)
        return 2
    print(f"adapter, its model card (README.md) and rpt_adapter.json written to {out}" +
          ("; pushed to the Hub (hub_model_id)" if cfg.push_to_hub else ""))
    return 0


def _export_dataset(cfg, model_args) -> int:
    """The mixture as the trainer would build it (the model's chat template decides the prompt
    form), written as DIR/train.jsonl with a line of provenance in DIR/README.md."""
    import json
    from pathlib import Path

    from transformers import AutoTokenizer

    from rpt_tasks.models import resolve_model
    from rpt_train.data import build_dataset

    tokenizer = AutoTokenizer.from_pretrained(resolve_model(model_args.model_name_or_path))
    dataset, report = build_dataset(cfg, tokenizer)
    out = Path(cfg.export_dataset)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".train.jsonl.tmp"
    with tmp.open("w", encoding="utf-8") as f:
        for row in dataset:
            f.write(json.dumps(row) + "\n")
    tmp.replace(out / "train.jsonl")
    (out / "README.md").write_text(
        f"# rpt-transfer training mixture\n\n{len(dataset)} rows; columns prompt, rpt_domain, rpt_doc. Score with "
        f"`trl grpo --dataset_name {out} --reward_funcs rpt_train.rewards.<domain>` (one per domain in "
        f"rpt_domain).\n\n```json\n{json.dumps(report, indent=1)}\n```\n", encoding="utf-8")
    print(f"{len(dataset)} rows written to {out / 'train.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
