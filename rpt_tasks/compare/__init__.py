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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rpt compare", description="Score models against their base model.")
    parser.add_argument("--base", required=True, help="lm-eval output folder of the base model (--log_samples)")
    parser.add_argument("--model", action="append", required=True, metavar="[NAME=]DIR",
                        help="output folder of a model to compare (repeatable); NAME defaults to the folder name")
    parser.add_argument("--trained-domains", action="append", default=[], metavar="NAME=DOMAIN[,DOMAIN]",
                        help="trained domains of a model without rpt_adapter.json (public RPT models)")
    parser.add_argument("--out", required=True, help="folder for summary.json/.md/.csv and heatmap.png")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    args = parser.parse_args(argv)
    given = dict(item.split("=", 1) for item in args.trained_domains)
    try:
        base = load_run(args.base, "base", trained_domains=[])
        models = []
        for spec in args.model:
            name, _, folder = spec.rpartition("=") if "=" in spec else (None, "", spec)
            name = name or Path(folder).name
            domains = given[name].split(",") if name in given else None
            models.append(load_run(folder, name, trained_domains=domains))
        summary = compare(base, models, seed=args.seed)
    except CompareError as e:
        print(f"rpt compare: {e}", file=sys.stderr)
        return 2
    write_outputs(summary, Path(args.out))
    print(to_markdown(summary))
    print("\n".join(plain_words(summary)))
    print(f"\nwritten: {args.out}/summary.json, summary.md, summary.csv, heatmap.png")
    return 0
