"""The task folders (task_configs/), generated from the benchmark modules: per family module one
folder with `_template_yaml` (how its tasks load, prompt, generate and score), one YAML per task
(only what differs), the group YAMLs, `utils.py` (the hooks) and README.md; plus the task table
of the project README. A test fails when a committed file is stale.

    python -m rpt_tasks.harness.configs            # rewrite task_configs/ and the README table
    python -m rpt_tasks.harness.configs --check    # list stale files, exit 1 if any
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from rpt_tasks.benchmarks import BENCHMARKS, FAMILIES, Benchmark, Variant
from rpt_tasks.verify import CODE_KINDS

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_MAX_GEN_TOKS = 8192
GREEDY = {"until": [], "do_sample": False, "temperature": 0.0, "max_gen_toks": DEFAULT_MAX_GEN_TOKS}
_FN = "__rpt_function__"
METRICS = {
    "acc": {"aggregation": "mean", "higher_is_better": True},
    "no_answer": {"aggregation": "mean", "higher_is_better": False},
    "truncated": {"aggregation": "mean", "higher_is_better": False},
    "balanced_acc": {"aggregation": _FN + "utils.balanced_accuracy", "higher_is_better": True},
    "pass@5": {"aggregation": "mean", "higher_is_better": True},
    "pass@10": {"aggregation": "mean", "higher_is_better": True},
}
HOOKS = ("balanced_accuracy", "doc_to_text", "keep_all_samples", "load_benchmark", "process_label_results",
         "process_pass_at_k", "process_results", "verify_in_batch")
# YAML keys whose string values name a hook in utils.py
_HOOK_KEYS = {"custom_dataset", "doc_to_text", "process_results", "process_docs", "filter_fn", "aggregation"}
BEGIN, END = "<!-- generated task table: python -m rpt_tasks.harness.configs -->", "<!-- end of generated task table -->"


def task_dir() -> Path:
    """Where the task YAMLs are: inside the installed package, or at the top of a checkout."""
    installed = Path(__file__).resolve().parent.parent / "task_configs"
    if installed.is_dir():
        return installed
    checkout = REPO / "task_configs"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("task_configs not found: reinstall rpt-transfer (pip install rpt-transfer)")


def _is_code(family) -> bool:
    return bool(family.BENCHMARKS) and all(b.kind in CODE_KINDS for b in family.BENCHMARKS)


def _filter(function: str) -> list[dict]:
    # named "none" so that metric keys ("acc,none") match the unfiltered tasks and groups aggregate them
    return [{"name": "none", "filter": [{"function": "custom", "filter_fn": _FN + "utils." + function}]}]


def _metric_list(names) -> list[dict]:
    return [{"metric": name, **METRICS[name]} for name in names]


def template(family) -> dict:
    code = _is_code(family)
    config = {"custom_dataset": "utils.load_benchmark", "test_split": "test", "output_type": "generate_until"}
    if code:
        config["unsafe_code"] = True
    config.update(doc_to_text="utils.doc_to_text", doc_to_target="gold")
    if code:
        config["filter_list"] = _filter("verify_in_batch")
    config.update(process_results="utils.process_results", metric_list=["acc", "no_answer", "truncated"],
                  generation_kwargs=GREEDY, metadata={"version": getattr(family, "VERSION", 1.0)})
    config.update(getattr(family, "TEMPLATE", {}))  # what every task of the family shares beyond this
    return config


def task_config(item: Benchmark | Variant, family) -> dict:
    """What a task's YAML holds beyond its folder's template."""
    bench = BENCHMARKS[item.benchmark] if isinstance(item, Variant) else item
    config = {"include": "_template_yaml", "task": item.task}
    if bench.samples > 1:
        config["repeats"] = bench.samples
        config["generation_kwargs"] = {**GREEDY, **(bench.sampling or {})}
        if not _is_code(family) and bench.kind not in CODE_KINDS:
            config["filter_list"] = _filter("keep_all_samples")
    if bench.kind in CODE_KINDS and not _is_code(family):
        config.update(unsafe_code=True, filter_list=_filter("verify_in_batch"))
    dataset_kwargs = {"benchmark": bench.name}
    if bench.generator:  # fixed seed and size: change both to draw another set
        dataset_kwargs.update(rg_seed=bench.seed, rg_size=bench.size)
    extra = {**bench.task_yaml, **(item.task_yaml if isinstance(item, Variant) else {})}
    dataset_kwargs.update(extra.pop("dataset_kwargs", {}))
    if "generation_kwargs" in extra:
        config["generation_kwargs"] = {**config.get("generation_kwargs", GREEDY), **extra.pop("generation_kwargs")}
    config.update(extra)
    config["dataset_kwargs"] = dataset_kwargs
    return config


def render(config: dict, comment: str = "") -> str:
    config = dict(config)
    if isinstance(config.get("metric_list"), list) and config["metric_list"] and isinstance(config["metric_list"][0], str):
        config["metric_list"] = _metric_list(config["metric_list"])
    text = yaml.safe_dump(_mark_hooks(config), sort_keys=False, allow_unicode=True, width=120)
    text = text.replace(_FN, "!function ")
    head = "".join(f"# {line}\n" for line in comment.splitlines()) if comment else ""
    return head + text


def _mark_hooks(value, key=None):
    if isinstance(value, dict):
        return {k: _mark_hooks(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_hooks(v, key) for v in value]
    if key in _HOOK_KEYS and isinstance(value, str) and value.startswith("utils."):
        return _FN + value
    return value


def group_config(group) -> dict:
    return {"group": group.name, "task": list(group.members),
            "aggregate_metric_list": [{"metric": "acc", "aggregation": "mean", "weight_by_size": True}],
            "metadata": {"version": 1.0}}


def utils_py(family) -> str:
    return (f'"""Hooks of the {family.TITLE}; the logic lives in rpt_tasks (shared with the trainer).\n'
            f'Generated from {_source(family)}."""\n\n'
            f"from rpt_tasks.harness.hooks import {', '.join(HOOKS)}  # noqa: F401\n")


def _source(family) -> str:
    return "rpt_tasks/benchmarks/" + family.__name__.rsplit(".", 1)[1] + ".py"


def _where(bench: Benchmark) -> str:
    if bench.hub:
        text = f"`{bench.hub.path}`" + (f" ({bench.hub.name})" if bench.hub.name else "") + f", {bench.hub.split}"
        if bench.mirror:
            text += f"; mirror: `{bench.mirror.folder}`"
        return text
    if bench.generator:
        return f"reasoning-gym `{bench.generator}`, seed {bench.seed}"
    if bench.loader:
        return "a PyPI package"
    return f"no hub copy: `$RPT_DATA_DIR/{bench.mirror.folder}/{bench.mirror.split}.jsonl`"


def _size(bench: Benchmark) -> str:
    if bench.size is None:
        return "varies"
    if bench.mirror and bench.mirror.size and bench.mirror.size != bench.size:
        return f"{bench.size:,} ({bench.mirror.size:,} offline)"
    return f"{bench.size:,}"


def _samples(bench: Benchmark) -> str:
    generation = bench.task_yaml.get("generation_kwargs") or {}
    if bench.samples == 1 and not generation.get("do_sample"):
        return "1, greedy"
    settings = ", ".join(f"{k}={v}" for k, v in (bench.sampling or generation).items() if k != "do_sample")
    return f"{bench.samples} ({settings})"


def task_rows(family) -> list[list[str]]:
    rows = [[f"`{b.task}`", b.domain, _where(b), _size(b), _samples(b), b.metric] for b in family.BENCHMARKS]
    for v in family.VARIANTS:
        bench = BENCHMARKS[v.benchmark]
        rows.append([f"`{v.task}`", bench.domain, f"`{bench.task}`: {v.comment}", "", "", ""])
    return rows


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def readme(family) -> str:
    groups = "\n".join(f"- `{g.name}`: {g.comment.splitlines()[0]} ({len(g.members)} members)" for g in family.GROUPS)
    rows = task_rows(family)
    parts = [f"# {family.TITLE}", family.INTRO]
    if rows:
        parts.append(_table(["task", "domain", "source", "size", "samples", "metric"], rows))
    if groups:
        parts.append("Groups:\n" + groups)
    if family.NOTES:
        parts.append(family.NOTES)
    checklist = getattr(family, "CHECKLIST", "Existing benchmarks, referenced above; zero-shot; prompts ask for "
                        "step-by-step reasoning and a final `ANSWER:` line (code: one fenced block).")
    parts.append(f"## Checklist\n- [x] {checklist}\n"
                 f"- Generated from `{_source(family)}` by `python -m rpt_tasks.harness.configs`: edit there.")
    return "\n\n".join(parts) + "\n"


def folder_files(family) -> dict[str, str]:
    note = f"Generated from {_source(family)} by `python -m rpt_tasks.harness.configs`: edit there."
    files = {}
    if family.BENCHMARKS or family.VARIANTS:
        files["_template_yaml"] = render(template(family), f"Shared by the {family.TITLE}. {note}")
        for item in [*family.BENCHMARKS, *family.VARIANTS]:
            files[f"{item.task}.yaml"] = render(task_config(item, family), getattr(item, "comment", ""))
        files["utils.py"] = utils_py(family)
        files["README.md"] = readme(family)
    for group in family.GROUPS:  # `group:` first, then what it is (tools look for the group line)
        first, rest = render(group_config(group)).split("\n", 1)
        files[f"{group.name}.yaml"] = f"{first}\n" + "".join(f"# {line}\n" for line in group.comment.splitlines()) + rest
    return files


def readme_table() -> str:
    """The project README's task table: a row per benchmark, a row per family group for the
    families of many tasks (LegalBench, BBH, Aider Polyglot)."""
    rows = []
    for family in FAMILIES:
        by_group = len(family.BENCHMARKS) > 8 or family.FOLDER == "aider_polyglot"
        if getattr(family, "README_TABLE", "groups" if by_group else "tasks") == "groups":
            for group in family.GROUPS:
                first = BENCHMARKS[group.members[0].removeprefix("rpt_")]
                source = f"`{first.hub.path}` (a config per task)" if first.hub else _where(first)
                rows.append([f"`{group.name}` (group of {len(group.members)})", first.domain, source,
                             "", _samples(first), first.metric])
        else:
            rows += task_rows(family)
    return _table(["task", "domain", "source", "size", "samples", "metric"], rows)


def expected_files(root: Path = REPO) -> dict[Path, str]:
    files = {root / "task_configs" / family.FOLDER / name: text
             for family in FAMILIES for name, text in folder_files(family).items()}
    readme_path = root / "README.md"
    text = readme_path.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        files[readme_path] = f"{head}{BEGIN}\n{readme_table()}\n{END}{rest.split(END, 1)[1]}"
    return files


def stale_files(root: Path = REPO) -> list[Path]:
    """Generated files that differ from what the modules say, and task files no module declares."""
    expected = expected_files(root)
    stale = [p for p, text in expected.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    declared = {p for p in expected}
    stale += [p for p in (root / "task_configs").rglob("*") if p.is_file() and "__pycache__" not in p.parts
              and p.name != "__init__.py" and p not in declared]
    return sorted(stale)


def write(root: Path = REPO) -> list[Path]:
    changed = stale_files(root)
    expected = expected_files(root)
    for path in changed:
        if path in expected:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(expected[path], encoding="utf-8")
        else:
            path.unlink()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only list stale files")
    args = parser.parse_args(argv)
    paths = stale_files() if args.check else write()
    for path in paths:
        print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(REPO)}")
    return 1 if args.check and paths else 0


if __name__ == "__main__":
    sys.exit(main())
