"""`rpt eval`: lm-eval's own `run` command (same flags) on our task folder, with what a study
needs around it: results published only once a run has finished (staged, then moved in),
provenance in every task's metadata, tasks this machine cannot judge skipped and recorded, rows
it cannot judge listed, and the benchmarks' after-run hooks (Aider Polyglot's second attempt).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from rpt_tasks import __version__
from rpt_tasks.benchmarks import BENCHMARKS, GROUPS, VARIANTS, get_benchmark, group_members
from rpt_tasks.harness import lm_eval_internals as internals
from rpt_tasks.harness.configs import task_dir

_MAX_TOKS_ALIASES = ("max_gen_toks", "max_new_tokens", "max_tokens", "max_completion_tokens")


def main(argv: list[str]) -> int:
    """`rpt eval`: lm-eval's run command on our tasks (with `--include_defaults`, lm-eval's own
    too), staged output, provenance, and a request cache by default so that a killed run resumes."""
    if "-h" in argv or "--help" in argv:
        print(EVAL_HELP)
    include_defaults = "--include_defaults" in argv
    no_cache = "--no-cache" in argv
    argv = [a for a in argv if a not in ("--include_defaults", "--no-cache")]
    argv, subset_file = _pop_option(argv, "--subset")
    argv, look = _pop_option(argv, "--look")
    parser = internals.run_parser()
    args = parser.parse_args(["run", *argv])
    internals.once_per_run_metadata_hint()
    if getattr(args, "config", None):
        problem = merge_config_file(args)
        if problem:
            print(f"rpt eval: {problem}", file=sys.stderr)
            return 2
    subset = None
    if subset_file or look:
        from rpt_tasks.compare.budget import load_subset
        from rpt_tasks.compare.runs import CompareError

        try:
            subset = load_subset(subset_file) if subset_file else parser.error("rpt eval: --look needs --subset")
        except CompareError as e:
            print(f"rpt eval: {e}", file=sys.stderr)
            return 2
        if args.limit is not None:
            parser.error("rpt eval: --subset chooses the documents; drop --limit")
        if not args.tasks:
            args.tasks = ",".join(sorted(subset["tasks"]))
    if not args.tasks:
        parser.error("rpt eval: --tasks is required (see `rpt tasks`)")
    args.metadata = {**(args.metadata or {}), **provenance(args)}
    fit_generation_length(args)
    user_paths = [p for p in (args.include_path or "").split(":") if p]
    given = args.tasks if isinstance(args.tasks, list) else [args.tasks]
    requested = [t for item in given for t in str(item).replace(",", " ").split() if t]
    leaves = [task for name in requested for task in group_members(name)]
    if args.num_fewshot:
        from rpt_tasks.harness.hooks import fewshot_refusal

        ours = [t for t in leaves if t in {b.task for b in BENCHMARKS.values()}]
        if ours:
            print(f"rpt eval: {fewshot_refusal(', '.join(ours[:3]) + (' ...' if len(ours) > 3 else ''), args.num_fewshot)}",
                  file=sys.stderr)
            return 2
    if subset is not None:
        problem = use_subset(args, subset, subset_file, leaves, look)
        if problem:
            print(f"rpt eval: {problem}", file=sys.stderr)
            return 2
    skipped = unjudgeable(leaves)
    for task, why in skipped.items():
        print(f"rpt eval: skipping {task}: {why}", file=sys.stderr)
    if skipped:
        if all(t in skipped for t in requested):
            print("rpt eval: nothing left to run", file=sys.stderr)
            return 2
        args.metadata["rpt_skipped"] = skipped
    tasks_root = task_view(skipped) if skipped else None
    internals.use_task_manager([str(tasks_root or task_dir()), *user_paths], with_defaults=include_defaults)
    if not no_cache and not getattr(args, "use_cache", None):
        args.use_cache = str(request_cache(args))
        print(f"rpt eval: finished requests are cached in {args.use_cache}* (a killed run resumes from there; "
              "--no-cache turns it off)", file=sys.stderr)
    args.include_path = None  # given to the TaskManager above instead
    ran = [t for t in leaves if t not in skipped]
    hooks = {bench.after_run for bench in map(_benchmark, ran) if bench is not None and bench.after_run}
    if hooks and args.output_path:
        args.log_samples = True  # further attempts are built from the first one's samples

    final = Path(args.output_path) if args.output_path else None
    staging = None
    if final is not None:
        # lm-eval writes files in place as it goes; we let it write into a staging folder and
        # move the files over once the run has finished, so a crash never leaves partial results.
        root = final.parent if final.suffix == ".json" else final
        staging = root / f".rpt-partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        args.output_path = str(staging / final.name if final.suffix == ".json" else staging)
    try:
        args.func(args)
    except ValueError as e:  # lm-eval's answer to a task name it has not found: a user's typo, not a crash
        if not str(e).startswith("Tasks not found"):
            raise
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        print(f"rpt eval: {unknown_tasks(str(e))}", file=sys.stderr)
        return 2
    except SystemExit:  # a task's data could not be loaded (the message is printed): no partial results
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    except KeyboardInterrupt:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        where = f" the finished requests are cached in {args.use_cache}*: run the same command to resume" \
            if getattr(args, "use_cache", None) else ""
        print(f"\nrpt eval: interrupted, no results written;{where}", file=sys.stderr)
        return 130
    for hook in hooks:
        hook(args, staging, ran)
    if staging is not None and staging.exists():
        write_left_out(staging, ran)
        publish(staging, final.parent if final.suffix == ".json" else final)
    if tasks_root is not None:
        shutil.rmtree(tasks_root.parent, ignore_errors=True)
    return 0


def merge_config_file(args) -> str | None:
    """lm-eval's `--config FILE`: its values for every option the command line left unset (the
    command line wins, as in lm-eval), so that what rpt eval does before lm-eval runs (tasks,
    generation length, provenance) sees them too. Returns a problem, or None."""
    from lm_eval.utils import simple_parse_args_string

    try:
        values = internals.load_config_file(args.config)
    except Exception as e:  # a missing file, bad YAML or a value lm-eval rejects
        return f"--config {args.config}: {e}"
    for key, value in (values or {}).items():
        current = getattr(args, key, None)
        if not hasattr(args, key) or current or current == 0:
            continue
        if key in ("model_args", "gen_kwargs", "metadata") and isinstance(value, str):
            value = simple_parse_args_string(value)
        setattr(args, key, value)
    return None


def _pop_option(argv: list[str], name: str) -> tuple[list[str], str | None]:
    """argv without `name VALUE` / `name=VALUE` (ours, not lm-eval's), and VALUE."""
    out, value, i = [], None, 0
    while i < len(argv):
        if argv[i] == name and i + 1 < len(argv):
            value, i = argv[i + 1], i + 2
            continue
        if argv[i].startswith(name + "="):
            value = argv[i].split("=", 1)[1]
        else:
            out.append(argv[i])
        i += 1
    return out, value


def use_subset(args, subset: dict, path: str, leaves: list[str], look: str | None) -> str | None:
    """Evaluate exactly the subset's documents (lm-eval's --samples), the first `look` batches of
    them when given, and record the subset in every task's metadata. Returns a problem, or None."""
    from rpt_tasks.compare.budget import keys_sha256, look_keys

    missing = [t for t in leaves if t not in subset["tasks"]]
    if missing:
        return (f"--subset {path} plans no documents for {', '.join(missing)}: plan them (rpt budget on a base run "
                "that has them) or leave them out of --tasks")
    looks = int(subset.get("looks", 1))
    try:
        at = int(look) if look is not None else looks
    except ValueError:
        return f"--look {look!r}: a batch number, 1 to {looks}"
    if not 1 <= at <= looks:
        return f"--look {at}: the subset has {looks} batch(es)"
    args.samples, documents = {}, {}
    for task in leaves:
        keys = look_keys(subset, task, at)
        args.samples[task] = subset["tasks"][task]["doc_ids"][:len(keys)]
        documents[task] = keys_sha256(keys)
    args.metadata["rpt_subset"] = {
        "sha256": subset["sha256"], "file": str(path), "params": subset["params"], "look": at, "looks": looks,
        "documents_sha256": documents,
        "planned_mde": {t: subset["tasks"][t]["planned_mde"] for t in leaves},
        "domain_planned_mde": {d: p["planned_mde"] for d, p in subset.get("domains", {}).items()}}
    print(f"rpt eval: subset {Path(path).name} ({subset['sha256'][:12]}): "
          f"{sum(len(v) for v in args.samples.values()):,} documents" +
          (f", look {at} of {looks}" if looks > 1 else ""), file=sys.stderr)
    return None


def unknown_tasks(lm_eval_message: str) -> str:
    """lm-eval's 'Tasks not found: a, b' as a message naming those tasks and their nearest names."""
    import difflib

    ours = sorted({b.task for b in BENCHMARKS.values()} | {f"rpt_{name}" for name in VARIANTS} | set(GROUPS))
    hints = []
    for name in lm_eval_message.removeprefix("Tasks not found:").strip().split(", "):
        close = difflib.get_close_matches(name, ours, n=3, cutoff=0.6)
        hints.append(f"{name!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    return (f"unknown task {', '.join(hints)}; `rpt tasks` lists ours, --include_defaults adds lm-eval's own, "
            "--include_path DIR a folder of your own")


def _benchmark(task: str):
    try:
        return get_benchmark(task)
    except KeyError:
        return None  # a user's own task


def unjudgeable(tasks: list[str]) -> dict[str, str]:
    """The tasks that this machine cannot judge (a missing toolchain), and why."""
    skipped = {}
    for task in tasks:
        bench = _benchmark(task)
        problem = bench.requires() if bench is not None and bench.requires else None
        if problem:
            skipped[task] = problem
    return skipped


def task_view(skipped: dict[str, str]) -> Path:
    """A copy of our task folder without the skipped tasks (removed from their groups too), so
    that the groups still aggregate what did run."""
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


def write_left_out(staging: Path, tasks: list[str]) -> None:
    """Rows a task left out on this machine (missing libraries, crates.io packages), by task."""
    from rpt_tasks.data import load

    left = {}
    for task in tasks:
        bench = _benchmark(task)
        if bench is not None and bench.unavailable and task in {b.task for b in BENCHMARKS.values()}:
            rows = load(task).left_out
            if rows:
                left[task] = rows
    if left:
        (staging / "rpt_left_out.json").write_text(json.dumps(left, indent=2), encoding="utf-8")
        for task, rows in left.items():
            print(f"rpt eval: {task} left out {len(rows)} rows (see rpt_left_out.json)", file=sys.stderr)


def publish(staging: Path, dest: Path) -> None:
    """Move finished files into place, samples before results: a results_*.json that exists
    always has its samples beside it."""
    files = sorted((p for p in staging.rglob("*") if p.is_file()), key=lambda p: p.name.startswith("results"))
    for src in files:
        target = dest / src.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
    shutil.rmtree(staging, ignore_errors=True)


EVAL_HELP = """rpt eval: lm-eval's `run` command on rpt's tasks, with every lm-eval flag (below). It adds:
  - only rpt's tasks are indexed (fast start); --include_defaults adds lm-eval's own
  - output is staged and published when the run has finished (a crash leaves no partial results)
  - provenance in every task's metadata: model/adapter sha256, data source, pinned hub revisions,
    the effective max_gen_toks (clamped to the model's context when the tasks ask for more)
  - tasks this machine cannot judge (a missing toolchain) are skipped and recorded (rpt_skipped)
  - a request cache per model, adapter and generation settings: after Ctrl-C or kill -9 the same
    command resumes (--no-cache turns it off)
  - --subset FILE [--look J]: exactly the documents `rpt budget` planned (the first J of its
    batches), recorded in the metadata so that `rpt compare` pairs only like with like
"""


def request_cache(args) -> Path:
    """lm-eval's request cache (--use_cache) for this model, adapter and generation settings:
    a sqlite file per rank under ~/.cache/rpt/eval-cache (RPT_CACHE moves it)."""
    import hashlib

    from rpt_tasks.models import cache_dir

    meta = args.metadata or {}
    key = json.dumps({"model": args.model, "model_args": str(args.model_args), "gen_kwargs": str(args.gen_kwargs),
                      "model_sha": meta.get("rpt_model_sha256"), "adapter_sha": meta.get("rpt_adapter_sha256"),
                      "num_fewshot": args.num_fewshot, "chat": bool(getattr(args, "apply_chat_template", False)),
                      "system": getattr(args, "system_instruction", None)}, sort_keys=True)
    folder = cache_dir() / "eval-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / hashlib.sha256(key.encode()).hexdigest()[:24]


PROMPT_ROOM = 2048  # tokens kept for the prompt when the generation limit has to shrink to fit


def model_context(args) -> int | None:
    """The model's context length (positions), where it can be read offline: --model hf from
    its config.json (or model_args max_length), --model vllm from max_model_len."""
    model_args = args.model_args if isinstance(args.model_args, dict) else {}
    for key in ("max_length", "max_model_len"):
        if str(model_args.get(key, "")).isdigit():
            return int(model_args[key])
    pretrained = model_args.get("pretrained")
    if not isinstance(pretrained, str) or not Path(pretrained).is_dir():
        return None
    try:
        config = json.loads((Path(pretrained) / "config.json").read_text())
    except (OSError, ValueError):
        return None
    for key in ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length"):
        if isinstance(config.get(key), int):
            return config[key]
    return None


def fit_generation_length(args) -> None:
    """A task asks for up to DEFAULT_MAX_GEN_TOKS new tokens; a model with a shorter context
    would fail every request (lm-eval asserts). Without a --gen_kwargs limit, clamp to what fits
    beside a prompt, say so once, and record it (so `truncated` counts against the new limit)."""
    from rpt_tasks.harness.configs import DEFAULT_MAX_GEN_TOKS

    gen = args.gen_kwargs if isinstance(args.gen_kwargs, dict) else None
    if gen is None and args.gen_kwargs:
        return  # a limit given as text: the user's choice
    if gen and any(key in gen for key in _MAX_TOKS_ALIASES):
        return
    context = model_context(args)
    if context is None or DEFAULT_MAX_GEN_TOKS + PROMPT_ROOM <= context:
        return
    limit = max(64, context - min(PROMPT_ROOM, context // 2))
    args.gen_kwargs = {**(gen or {}), "max_gen_toks": limit}
    args.metadata["rpt_max_gen_toks"] = limit
    print(f"rpt eval: the tasks allow {DEFAULT_MAX_GEN_TOKS} new tokens, but the model's context is {context}: "
          f"generating at most {limit} (recorded as rpt_max_gen_toks; set --gen_kwargs max_gen_toks=N to choose)",
          file=sys.stderr)


def provenance(args) -> dict:
    """Recorded in every task's config metadata in the results file: what exactly was evaluated."""
    from rpt_tasks.data import mirror_dir
    from rpt_tasks.models import file_sha256, folder_sha256, resolve_model

    meta = {"rpt_version": __version__}
    gen = args.gen_kwargs or {}
    for key in _MAX_TOKS_ALIASES:
        if key in gen:  # what --gen_kwargs asked for (the requests' own limits decide `truncated`)
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
    if not mirror:  # the pinned hub copies (rpt data check lists them)
        from rpt_tasks.benchmarks import BENCHMARKS

        meta["rpt_hub_revisions"] = {b.task: f"{b.hub.path}:{b.hub.name or 'default'}@{b.hub.revision or 'unpinned'}"
                                     for b in BENCHMARKS.values() if b.hub is not None}
    return meta


__all__ = ["GROUPS", "main"]
