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
    given = args.tasks if isinstance(args.tasks, list) else [args.tasks]
    requested = [t for item in given for t in str(item).replace(",", " ").split() if t]
    leaves = _leaves(requested, _group_members())
    skipped = _unjudgeable(leaves)
    for task, why in skipped.items():
        print(f"rpt eval: skipping {task}: {why}", file=sys.stderr)
    if skipped:
        if all(t in skipped for t in requested):
            print("rpt eval: nothing left to run", file=sys.stderr)
            return 2
        args.metadata["rpt_skipped"] = skipped
    tasks_root = _task_view(skipped) if skipped else None
    _use_our_tasks_only(user_paths, tasks_root)
    args.include_path = None  # given to the TaskManager above instead
    polyglot = [t for t in leaves if t.startswith("rpt_aider_polyglot_") and t not in skipped]
    if polyglot and args.output_path:
        args.log_samples = True  # the second attempt is built from the first one's samples
    elif polyglot:
        print("rpt eval: Aider Polyglot's second attempt needs --output_path; only the first runs", file=sys.stderr)

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
    if polyglot and staging is not None and staging.exists():
        _second_attempt(args, staging, polyglot)
    if staging is not None and staging.exists():
        _write_left_out(staging, leaves)
    if staging is not None and staging.exists():
        _publish(staging, final.parent if final.suffix == ".json" else final)
    if tasks_root is not None:
        shutil.rmtree(tasks_root, ignore_errors=True)
    return 0


def _second_attempt(args, staging: Path, tasks: list[str]) -> None:
    """Aider's protocol: every exercise failed at the first attempt is asked again with its test
    output; pass_rate_2 counts the exercises solved at either attempt (polyglot_attempts.json)."""
    from rpt_tasks.polyglot import attempts_summary

    first = {t: str(max(staging.rglob(f"samples_{t}_*.jsonl"))) for t in tasks if any(staging.rglob(f"samples_{t}_*.jsonl"))}
    if not first:
        return
    second_dir = staging / "second_attempt"
    args.tasks = ",".join(first)
    args.metadata = {**args.metadata, "rpt_polyglot_first_attempt": first}
    args.output_path = str(second_dir)
    args.limit = None  # the first attempt already applied --limit
    print(f"rpt eval: second attempt (with test feedback) for {', '.join(first)}", file=sys.stderr)
    try:
        args.func(args)
    except ValueError as e:  # lm-eval refuses an empty task: nothing failed at the first attempt
        print(f"rpt eval: no second attempt: {e}", file=sys.stderr)
    second = {t: [str(p) for p in second_dir.rglob(f"samples_{t}_*.jsonl")] for t in first}
    summary = attempts_summary(first, {t: max(paths) if paths else None for t, paths in second.items()}, staging)
    # staging files are complete before _publish moves them into place
    (staging / "polyglot_attempts.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    for task, row in summary["tasks"].items():
        print(f"{task}: pass_rate_1 {row['pass_rate_1']:.3f}  pass_rate_2 {row['pass_rate_2']:.3f}  "
              f"({row['exercises']} exercises)")


def _write_left_out(staging: Path, tasks: list[str]) -> None:
    """Rows a task left out on this machine (missing libraries, crates.io packages), by task."""
    from rpt_tasks.data import LEFT_OUT

    left = {f"rpt_{name}": rows for name, rows in LEFT_OUT.items() if rows and f"rpt_{name}" in tasks}
    if left:
        (staging / "rpt_left_out.json").write_text(json.dumps(left, indent=2), encoding="utf-8")
        for task, rows in left.items():
            print(f"rpt eval: {task} left out {len(rows)} rows (see rpt_left_out.json)", file=sys.stderr)


def _leaves(names: list[str], groups: dict[str, list[str]]) -> list[str]:
    """Task names with our groups (_group_members) expanded to their subtasks."""
    out: list[str] = []
    for name in names:
        out += _leaves(groups[name], groups) if name in groups else [name]
    return out


def _unjudgeable(tasks: list[str]) -> dict[str, str]:
    """The tasks (group members included) that this machine cannot judge, and why."""
    from rpt_tasks.registry import get_benchmark

    skipped = {}
    for task in tasks:
        try:
            bench = get_benchmark(task)
        except KeyError:
            continue  # a group or a user's own task
        problem = bench.requires() if bench.requires else None
        if problem:
            skipped[task] = problem
    return skipped


def _task_view(skipped: dict[str, str]) -> Path:
    """A copy of our task folder without the skipped tasks (removed from their groups too), so
    that the groups still aggregate what did run."""
    import tempfile

    import yaml

    root = Path(tempfile.mkdtemp(prefix="rpt-tasks-")) / "task_configs"
    shutil.copytree(task_dir(), root, ignore=shutil.ignore_patterns("__pycache__"))
    for path in root.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.stem in skipped:
            path.unlink()
        elif text.lstrip().startswith("group:"):
            group = yaml.safe_load(text)
            group["task"] = [t for t in group["task"] if t not in skipped]
            path.write_text(yaml.safe_dump(group, sort_keys=False), encoding="utf-8")
    return root


def _use_our_tasks_only(extra_paths: list[str], tasks_root: Path | None = None) -> None:
    import lm_eval.tasks
    from lm_eval.tasks.manager import TaskManager

    class RptTaskManager(TaskManager):
        def __init__(self, verbosity=None, include_path=None, include_defaults=False, metadata=None):
            paths = [str(tasks_root or task_dir()), *extra_paths]
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
    paper = _paper_suite()
    if args.json:
        print(json.dumps({"tasks": rows, "paper_suite": paper}, indent=2))
        return 0
    print(f"The paper's {len(paper)} benchmarks:")
    pcols = ["benchmark", "domain", "run_with", "here"]
    pwidths = {c: max(len(c), *(len(str(r[c])) for r in paper)) for c in pcols}
    for r in [dict(zip(pcols, pcols)), *paper]:
        print("  " + "  ".join(str(r[c]).ljust(pwidths[c]) for c in pcols))
    print("\nAll tasks:")
    cols = ["task", "domain", "kind", "size", "samples", "source"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in sorted(rows, key=lambda r: (r["domain"], r["task"])):
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    print(f"\ngroups: {', '.join(sorted(_groups()))}")
    return 0


def _paper_suite() -> list[dict]:
    """Each of the paper's benchmarks, its domain, the task or group that runs it, and what this
    machine has for it (offline data, a hub-only set, a missing toolchain)."""
    from rpt_tasks.data import mirror_dir
    from rpt_tasks.registry import PAPER_SUITE, get_benchmark

    mirror = mirror_dir()
    groups = _group_members()
    out = []
    for name, (domain, task) in PAPER_SUITE.items():
        members = [get_benchmark(t) for t in _leaves([task], groups)]
        offline = sum(1 for b in members if mirror and b.mirror_folder and (mirror / b.mirror_folder).is_dir())
        cannot = len(_unjudgeable([b.task for b in members]))
        here = (f"{offline}/{len(members)} tasks offline" if len(members) > 1 else
                "offline" if offline else ("hub" if members[0].hub_path else "needs its data in $RPT_DATA_DIR"))
        if cannot:
            here += f"; {cannot} cannot run here (toolchains)"
        out.append(dict(benchmark=name, domain=domain, run_with=task, here=here))
    return out


def _source(bench) -> str:
    if bench.hub_path is None:
        return f"no hub copy; $RPT_DATA_DIR/{bench.mirror_folder}/"
    return bench.hub_path + (f" ({bench.hub_name})" if bench.hub_name else "") + f" [{bench.hub_split}]"


def _groups() -> list[str]:
    return list(_group_members())


def _group_members() -> dict[str, list[str]]:
    import yaml

    groups = {}
    for path in task_dir().rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("group:"):
            group = yaml.safe_load(text)
            groups[group["group"]] = list(group["task"])
    return groups


if __name__ == "__main__":
    sys.exit(main())
