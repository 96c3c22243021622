"""`rpt compare`: did the gain transfer? Models scored against their base model.

    runs      reading lm-eval output folders (--log_samples)
    stats     the tests, each checked against scipy/statsmodels in the tests
    summary   the comparison (summary.json's structure)
    report    summary.md / .csv / heatmap.png and plain sentences
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rpt_tasks.compare.report import plain_words, to_csv, to_markdown, write_outputs
from rpt_tasks.compare.runs import CompareError, Run, load_run
from rpt_tasks.compare.summary import SIGNIFICANCE, compare

__all__ = ["SIGNIFICANCE", "CompareError", "Run", "compare", "load_run", "main", "plain_words", "to_csv",
           "to_markdown", "write_outputs"]


def _domain_map(items: list[str]) -> dict[str, str]:
    """--domain TASK=DOMAIN items, or YAML files mapping task -> domain."""
    mapping: dict[str, str] = {}
    for item in items:
        if "=" in item:
            task, domain = item.split("=", 1)
            mapping[task.strip()] = domain.strip()
            continue
        path = Path(item)
        if not path.is_file():
            raise CompareError(f"--domain {item!r}: neither TASK=DOMAIN nor a YAML file")
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise CompareError(f"{path}: not valid YAML ({e})") from None
        if not isinstance(data, dict):
            raise CompareError(f"{path}: expected a mapping of task: domain")
        mapping.update({str(k): str(v) for k, v in data.items()})
    return mapping


def _update_model_cards(summary: dict, models: list[Run]) -> None:
    """Each adapter's card gains this comparison (rpt_tasks.model_card); models without one are named."""
    import json

    from rpt_tasks.model_card import evaluation_record, write_card

    for run in models:
        if run.adapter_dir is None:
            print(f"rpt compare: {run.name}: no adapter folder with rpt_adapter.json; no model card to update",
                  file=sys.stderr)
            continue
        card_path = run.adapter_dir / "rpt_adapter.json"
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["evaluation"] = evaluation_record(summary, run.name)
        write_card(run.adapter_dir, card)  # README.md only: rpt_adapter.json (hashed with the weights) stays as trained
        print(f"rpt compare: {run.name}: results written to {run.adapter_dir / 'README.md'} (model-index)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rpt compare", description="Score models against their base model.")
    parser.add_argument("--base", required=True, help="lm-eval output folder of the base model (--log_samples)")
    parser.add_argument("--model", action="append", required=True, metavar="[NAME=]DIR",
                        help="output folder of a model to compare (repeatable); NAME defaults to the folder name")
    parser.add_argument("--trained-domains", action="append", default=[], metavar="NAME=DOMAIN[,DOMAIN]",
                        help="trained domains of a model without rpt_adapter.json (public RPT models)")
    parser.add_argument("--out", required=True, help="folder for summary.json/.md/.csv and heatmap.png")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap and permutation seed")
    parser.add_argument("--metric", default="acc", help="per-sample metric to compare (any lm-eval task's; default acc)")
    parser.add_argument("--domain", action="append", default=[], metavar="TASK=DOMAIN",
                        help="domain of a task outside rpt's registry (repeatable), or a YAML file of task: domain")
    parser.add_argument("--scale", type=float, default=None, help="heatmap colour scale, +- points (default 20)")
    parser.add_argument("--update-model-cards", action="store_true",
                        help="write each adapter's results into its README.md (a results table and the hub's "
                             "model-index)")
    args = parser.parse_args(argv)
    try:
        given = dict(item.split("=", 1) for item in args.trained_domains)
        domains = _domain_map(args.domain)
        base = load_run(args.base, Path(args.base).name if args.base else "base", trained_domains=[], metric=args.metric)
        models = []
        for spec in args.model:
            name, _, folder = spec.rpartition("=") if "=" in spec else (None, "", spec)
            name = name or Path(folder).name
            trained = given[name].split(",") if name in given else None
            models.append(load_run(folder, name, trained_domains=trained, metric=args.metric))
        summary = compare(base, models, seed=args.seed, domains=domains)
    except CompareError as e:
        print(f"rpt compare: {e}", file=sys.stderr)
        return 2
    for warning in summary["warnings"]:
        print(f"rpt compare: warning: {warning}", file=sys.stderr)
    for task, why in summary["skipped"].items():
        print(f"rpt compare: skipped {task}: {why}", file=sys.stderr)
    write_outputs(summary, Path(args.out), args.scale)
    if args.update_model_cards:
        _update_model_cards(summary, models)
    print(to_markdown(summary))
    print("\n".join(plain_words(summary)))
    print(f"\nwritten: {args.out}/summary.json, summary.md, summary.csv, heatmap.png")
    return 0
