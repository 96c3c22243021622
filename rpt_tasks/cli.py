"""`rpt`: the project's command line.

    rpt eval  ...   lm-eval's own `run` command (same flags), on our tasks only
    rpt tasks       our tasks with domain, source and size
    rpt train ...   LoRA/QLoRA GRPO with the harness's verifiers as rewards (rpt train --help)
    rpt compare ... models against their base: deltas, significance, heatmap (rpt compare --help)
    rpt export-upstream --tasks PATTERN --dest DIR   lm-eval-ready task folders (CONTRIBUTING.md)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from rpt_tasks import __version__
from rpt_tasks.models import file_sha256, folder_sha256, resolve_model
from rpt_tasks.paths import task_dir
from rpt_tasks.registry import BENCHMARKS

_MAX_TOKS_ALIASES = ("max_gen_toks", "max_new_tokens", "max_tokens", "max_completion_tokens")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"eval": cmd_eval, "tasks": cmd_tasks, "train": cmd_train, "compare": cmd_compare,
                "export-upstream": cmd_export_upstream}
    if not argv or argv[0] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    return commands[argv[0]](argv[1:]) or 0


# ---------------------------------------------------------------- rpt eval
def cmd_eval(argv: list[str]) -> int:
    """Parse with lm-eval's own `run` parser, so every lm_eval flag works unchanged; then run
    lm-eval's own `run` with a TaskManager that indexes only our task folder (include_defaults=False
    skips the ~13 s scan of lm-eval's 14.7k built-in tasks)."""
    from lm_eval._cli.harness import HarnessCLI

    cli = HarnessCLI()
    args = cli._parser.parse_args(["run", *argv])
    if not args.tasks:
        cli._parser.error("rpt eval: --tasks is required (see `rpt tasks`)")
    args.metadata = {**(args.metadata or {}), **_provenance(args)}
    user_paths = [p for p in (args.include_path or "").split(":") if p]
    _use_our_tasks_only(user_paths)
    args.include_path = None  # given to the TaskManager above instead

    final = Path(args.output_path) if args.output_path else None
    staging = None
    if final is not None:
        # lm-eval writes files in place as it goes; we let it write into a staging folder and
        # move the files over once the run has finished, so a crash never leaves partial results.
        root = final.parent if final.suffix == ".json" else final
        staging = root / f".rpt-partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        args.output_path = str(staging / final.name if final.suffix == ".json" else staging)
    args.func(args)
    if staging is not None and staging.exists():
        _publish(staging, final.parent if final.suffix == ".json" else final)
    return 0


def _use_our_tasks_only(extra_paths: list[str]) -> None:
    import lm_eval.tasks
    from lm_eval.tasks.manager import TaskManager

    class RptTaskManager(TaskManager):
        def __init__(self, verbosity=None, include_path=None, include_defaults=False, metadata=None):
            paths = [str(task_dir()), *extra_paths]
            super().__init__(verbosity=verbosity, include_path=paths, include_defaults=False, metadata=metadata)

    # lm-eval's run command imports TaskManager from lm_eval.tasks when it builds the task list.
    lm_eval.tasks.TaskManager = RptTaskManager


def _publish(staging: Path, dest: Path) -> None:
    """Move finished files into place, samples before results: a results_*.json that exists
    always has its samples beside it."""
    files = sorted((p for p in staging.rglob("*") if p.is_file()), key=lambda p: p.name.startswith("results"))
    for src in files:
        target = dest / src.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
    shutil.rmtree(staging, ignore_errors=True)


def _provenance(args) -> dict:
    """Recorded in every task's config metadata in the results file: what exactly was evaluated."""
    from rpt_tasks.data import mirror_dir

    meta = {"rpt_version": __version__}
    gen = args.gen_kwargs or {}
    for key in _MAX_TOKS_ALIASES:
        if key in gen:  # lets the `truncated` metric know the limit that --gen_kwargs imposed
            meta["rpt_max_gen_toks"] = int(gen[key])
            break
    model_args = args.model_args if isinstance(args.model_args, dict) else {}
    if isinstance(model_args.get("pretrained"), str):
        model_args["pretrained"] = resolve_model(model_args["pretrained"])
    for arg, key in (("pretrained", "rpt_model_sha256"), ("peft", "rpt_adapter_sha256")):
        value = model_args.get(arg)
        if isinstance(value, str) and Path(value).is_dir():
            meta[key] = folder_sha256(Path(value))
    mirror = mirror_dir()
    meta["rpt_data_source"] = f"mirror:{mirror}" if mirror else "hub"
    if mirror and (mirror / "manifest.json").is_file():
        meta["rpt_data_manifest_sha256"] = file_sha256(mirror / "manifest.json")
    return meta


def cmd_train(argv: list[str]) -> int:
    from rpt_train.cli import main as train_main

    return train_main(argv)


def cmd_compare(argv: list[str]) -> int:
    from rpt_tasks.compare import CompareError, compare, load_run, plain_words, to_markdown, write_outputs

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


def cmd_export_upstream(argv: list[str]) -> int:
    from rpt_tasks.export import export_upstream

    parser = argparse.ArgumentParser(prog="rpt export-upstream",
                                     description="Write lm-evaluation-harness task folders (hub data, self-contained hooks).")
    parser.add_argument("--tasks", nargs="+", default=["rpt_*"], help="task name patterns (fnmatch), e.g. 'rpt_gsm8k'")
    parser.add_argument("--dest", required=True, help="folder to write one subfolder per benchmark into")
    args = parser.parse_args(argv)
    written, skipped = export_upstream(args.tasks, Path(args.dest))
    for folder in written:
        print(f"wrote {folder}")
    for task, why in sorted(skipped.items()):
        print(f"skipped {task}: {why}")
    return 0 if written else 1


# ---------------------------------------------------------------- rpt tasks
def cmd_tasks(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rpt tasks", description="List the rpt_* tasks.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    rows = [dict(task=b.task, domain=b.domain, kind="structured" if b.structured else "unstructured",
                 source=_source(b),
                 size=b.size if b.size is not None else "-", samples=b.samples, metric=b.metric) for b in BENCHMARKS.values()]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    cols = ["task", "domain", "kind", "size", "samples", "source"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in sorted(rows, key=lambda r: (r["domain"], r["task"])):
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    print(f"\ngroups: {', '.join(sorted(_groups()))}")
    return 0


def _source(bench) -> str:
    if bench.hub_path is None:
        return f"no hub copy; $RPT_DATA_DIR/{bench.mirror_folder}/"
    return bench.hub_path + (f" ({bench.hub_name})" if bench.hub_name else "") + f" [{bench.hub_split}]"


def _groups() -> list[str]:
    import yaml

    names = []
    for path in task_dir().rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("group:"):
            names.append(yaml.safe_load(text.split("\n", 1)[0])["group"])
    return names


if __name__ == "__main__":
    sys.exit(main())
