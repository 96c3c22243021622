"""`rpt compare`: did the gain transfer? Models scored against their base, per benchmark and per
domain, in-domain versus out-of-domain, with the paper's tests.

Inputs are lm-eval output folders written with --log_samples (by `rpt eval` or `lm_eval`).
Samples are paired by document id; a comparison of mismatched runs (other limits, tasks or task
versions) is refused with the reason, never computed on the overlap.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rpt_tasks.registry import DOMAINS, get_benchmark
from rpt_tasks.stats import cmh_test, mcnemar_exact, paired_bootstrap_ci

SIGNIFICANCE = 0.05


class CompareError(ValueError):
    """Inputs that cannot be compared; the message says which and why."""


@dataclass
class Run:
    """One lm-eval output folder: per task, the version and each document's per-sample acc."""

    name: str
    folder: Path
    versions: dict[str, str]
    scores: dict[str, dict[str, float]]  # task -> doc id -> acc (a fraction for avg@k tasks)
    trained_domains: list[str]


def load_run(folder: str | Path, name: str | None = None, trained_domains: list[str] | None = None) -> Run:
    folder = Path(folder)
    results = sorted(folder.rglob("results_*.json"))
    if not results:
        raise CompareError(f"{folder}: no results_*.json (is this an lm-eval --output_path folder?)")
    versions, scores, model_args = {}, {}, {}
    for path in results:
        data = json.loads(path.read_text())
        model_args = data.get("config", {}).get("model_args") or model_args
        run_id = path.stem.removeprefix("results_")
        for task in data.get("configs", {}):
            if task in scores:
                raise CompareError(f"{folder}: task {task} is in several runs ({path.name} and an earlier one); "
                                   "keep one run per task in a folder")
            samples = list(path.parent.glob(f"samples_{task}_{run_id}.jsonl"))
            if not samples:
                raise CompareError(f"{folder}: no samples for {task}: evaluate with --log_samples")
            scores[task] = _doc_scores(samples[0], task)
            versions[task] = str(data.get("versions", {}).get(task))
    domains = trained_domains if trained_domains is not None else _trained_domains(folder, model_args)
    return Run(name or folder.name, folder, versions, scores, domains)


def _doc_scores(path: Path, task: str) -> dict[str, float]:
    out = {}
    for line in path.open(encoding="utf-8"):
        sample = json.loads(line)
        doc = sample.get("doc") or {}
        key = str(doc.get("rpt_id", sample["doc_id"]))
        if "acc" not in sample:
            raise CompareError(f"{path}: samples of {task} have no per-sample 'acc'")
        out[key] = float(sample["acc"])
    return out


def _trained_domains(folder: Path, model_args) -> list[str]:
    """From the adapter's rpt_adapter.json (the folder itself, or the peft= path in model_args)."""
    candidates = [folder / "rpt_adapter.json"]
    args = model_args if isinstance(model_args, dict) else _parse_model_args(str(model_args or ""))
    if args.get("peft"):
        candidates.append(Path(args["peft"]) / "rpt_adapter.json")
    for card in candidates:
        if card.is_file():
            return list(json.loads(card.read_text())["trained_domains"])
    return []


def _parse_model_args(text: str) -> dict:
    return dict(part.split("=", 1) for part in text.split(",") if "=" in part)


def compare(base: Run, models: list[Run], seed: int = 0) -> dict:
    """The summary.json structure (see README): per model, per benchmark and per domain."""
    summary = {"models": {}, "base": base.name, "significance_level": SIGNIFICANCE}
    for model in models:
        _check_comparable(base, model)
        benchmarks, tables = {}, {d: [] for d in DOMAINS}
        for task in sorted(t for t in model.scores if t in base.scores):
            domain = _domain(task)
            if domain is None:
                continue
            docs = list(base.scores[task])  # the base run's document order
            b = np.array([base.scores[task][d] for d in docs])
            m = np.array([model.scores[task][d] for d in docs])
            low, high = paired_bootstrap_ci(b, m, seed=seed)
            # Tests need one outcome per document: avg@k documents count as solved at >= 1/2.
            bb, mb = b >= 0.5, m >= 0.5
            benchmarks[task] = {"domain": domain, "n": len(docs), "base_acc": float(b.mean()),
                                "model_acc": float(m.mean()), "delta": float(m.mean() - b.mean()),
                                "ci_low": low, "ci_high": high, "mcnemar_p": mcnemar_exact(bb, mb)}
            tables[domain].append(np.array([[mb.sum(), (~mb).sum()], [bb.sum(), (~bb).sum()]]))
        domains = {}
        for domain in DOMAINS:
            rows = [r for r in benchmarks.values() if r["domain"] == domain]
            if not rows:
                continue
            odds, p = cmh_test(tables[domain])
            domains[domain] = {"delta": _weighted(rows), "n": sum(r["n"] for r in rows),
                               "cmh_odds_ratio": odds, "cmh_p": p}
        trained = set(model.trained_domains)
        inside = [r for r in benchmarks.values() if r["domain"] in trained]
        outside = [r for r in benchmarks.values() if r["domain"] not in trained]
        summary["models"][model.name] = {
            "trained_domains": sorted(trained), "benchmarks": benchmarks, "domains": domains,
            "in_domain_delta": _weighted(inside) if inside else None,
            "out_of_domain_delta": _weighted(outside) if outside and trained else None,
        }
    return summary


def _weighted(rows: list[dict]) -> float:
    return sum(r["delta"] * r["n"] for r in rows) / sum(r["n"] for r in rows)


def _domain(task: str) -> str | None:
    try:
        return get_benchmark(task).domain
    except KeyError:  # groups and variants (rpt_tabfact_2k): map variants onto their benchmark
        for suffix in ("_2k", "_pass10"):
            if task.endswith(suffix):
                return _domain(task.removesuffix(suffix))
        return None


def _check_comparable(base: Run, model: Run) -> None:
    problems = []
    tasks = sorted(t for t in set(base.scores) | set(model.scores) if _domain(t))
    for task in tasks:
        if task not in base.scores or task not in model.scores:
            problems.append(f"{task}: only in {'base' if task in base.scores else model.name}")
            continue
        if base.versions.get(task) != model.versions.get(task):
            problems.append(f"{task}: task version {base.versions.get(task)} (base) vs {model.versions.get(task)}")
        if set(base.scores[task]) != set(model.scores[task]):
            problems.append(f"{task}: different documents ({len(base.scores[task])} in base, "
                            f"{len(model.scores[task])} in {model.name}; was --limit the same?)")
    if problems:
        raise CompareError(f"cannot compare {model.name} with base {base.name}:\n  " + "\n  ".join(problems))


# ---------------------------------------------------------------- writing


def write_outputs(summary: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "summary.json", json.dumps(_json_safe(summary), indent=2, allow_nan=False))
    _atomic_write(out / "summary.md", to_markdown(summary))
    _atomic_write(out / "summary.csv", to_csv(summary))
    heatmap(summary, out / "heatmap.png")


def _json_safe(value):
    """NaN/inf (an odds ratio of 0/0, say) become null: strict JSON has no NaN."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def to_csv(summary: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["model", "task", "domain", "n", "base_acc", "model_acc", "delta", "ci_low", "ci_high", "mcnemar_p"])
    for name, model in summary["models"].items():
        for task, r in model["benchmarks"].items():
            writer.writerow([name, task, r["domain"], r["n"], *(f"{r[k]:.6g}" for k in
                            ("base_acc", "model_acc", "delta", "ci_low", "ci_high", "mcnemar_p"))])
    return buffer.getvalue()


def to_markdown(summary: dict) -> str:
    lines = [f"# Transfer summary (base: {summary['base']})", ""]
    for name, model in summary["models"].items():
        trained = ", ".join(model["trained_domains"]) or "unknown"
        lines += [f"## {name} (trained on: {trained})", ""]
        if model["in_domain_delta"] is not None:
            lines.append(f"In-domain delta: {100 * model['in_domain_delta']:+.1f} points; "
                         f"out-of-domain delta: {_points(model['out_of_domain_delta'])}.")
            lines.append("")
        lines += ["| domain | delta (points) | CMH odds ratio | CMH p |", "|---|---|---|---|"]
        for domain, d in model["domains"].items():
            mark = " *" if d["cmh_p"] < SIGNIFICANCE else ""
            lines.append(f"| {domain} | {100 * d['delta']:+.1f}{mark} | {d['cmh_odds_ratio']:.3f} | {d['cmh_p']:.3g} |")
        lines += ["", "| task | domain | n | base | model | delta | 95% CI | McNemar p |",
                  "|---|---|---|---|---|---|---|---|"]
        for task, r in model["benchmarks"].items():
            mark = " *" if r["mcnemar_p"] < SIGNIFICANCE else ""
            lines.append(f"| {task} | {r['domain']} | {r['n']} | {100 * r['base_acc']:.1f} | {100 * r['model_acc']:.1f} "
                         f"| {100 * r['delta']:+.1f}{mark} | [{100 * r['ci_low']:+.1f}, {100 * r['ci_high']:+.1f}] "
                         f"| {r['mcnemar_p']:.3g} |")
        lines.append("")
    lines.append(f"`*`: significant at p < {SIGNIFICANCE} (McNemar's exact test per task; Cochran-Mantel-Haenszel "
                 "across a domain's tasks). Deltas are model minus base accuracy.")
    return "\n".join(lines) + "\n"


def plain_words(summary: dict) -> list[str]:
    """One sentence per model, for a terminal: which deltas were significant."""
    sentences = []
    for name, model in summary["models"].items():
        significant = [f"{d} ({100 * v['delta']:+.1f} points, p={v['cmh_p']:.2g})"
                       for d, v in model["domains"].items() if v["cmh_p"] < SIGNIFICANCE]
        where = f"trained on {', '.join(model['trained_domains'])}" if model["trained_domains"] else "training unknown"
        if significant:
            sentences.append(f"{name} ({where}): significant changes in {'; '.join(significant)}.")
        else:
            sentences.append(f"{name} ({where}): no domain changed significantly (CMH p >= {SIGNIFICANCE}).")
    return sentences


def _points(value) -> str:
    return "n/a" if value is None else f"{100 * value:+.1f} points"


def heatmap(summary: dict, path: Path) -> None:
    """Models by benchmarks, diverging colours centred at zero, domain blocks separated,
    significant cells (McNemar p < 0.05) marked with a star."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    names = list(summary["models"])
    tasks = sorted({t for m in summary["models"].values() for t in m["benchmarks"]},
                   key=lambda t: (DOMAINS.index(_domain(t)), t))
    grid = np.full((len(names), len(tasks)), np.nan)
    stars = np.zeros_like(grid, dtype=bool)
    for i, name in enumerate(names):
        for j, task in enumerate(tasks):
            r = summary["models"][name]["benchmarks"].get(task)
            if r:
                grid[i, j] = 100 * r["delta"]
                stars[i, j] = r["mcnemar_p"] < SIGNIFICANCE
    limit = max(1.0, float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0)
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(tasks) + 3), max(2.5, 0.5 * len(names) + 2)))
    image = ax.imshow(grid, cmap="RdBu", norm=TwoSlopeNorm(vcenter=0, vmin=-limit, vmax=limit), aspect="auto")
    ax.set_xticks(range(len(tasks)), [t.removeprefix("rpt_") for t in tasks], rotation=70, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    for i in range(len(names)):
        for j in range(len(tasks)):
            if np.isfinite(grid[i, j]):
                dark = abs(grid[i, j]) > 0.6 * limit
                ax.text(j, i, f"{grid[i, j]:+.0f}{'*' if stars[i, j] else ''}", ha="center", va="center",
                        fontsize=6, color="white" if dark else "black")
    domains = [_domain(t) for t in tasks]
    starts = [j for j in range(len(tasks)) if j == 0 or domains[j] != domains[j - 1]]
    for j in starts[1:]:
        ax.axvline(j - 0.5, color="black", linewidth=1.5)
    ends = starts[1:] + [len(tasks)]
    top = ax.secondary_xaxis("top")
    top.set_xticks([(a + b - 1) / 2 for a, b in zip(starts, ends)], [domains[a] for a in starts], fontsize=8,
                   fontweight="bold")
    top.tick_params(length=0)
    fig.colorbar(image, ax=ax, label="delta vs base (points)")
    ax.set_title(f"Transfer of RPT gains (base: {summary['base']}; * p < {SIGNIFICANCE})", fontsize=9, pad=14)
    fig.tight_layout()
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}.png")
    fig.savefig(tmp, dpi=150)
    plt.close(fig)
    os.replace(tmp, path)
