"""Writing a comparison: summary.json, summary.md, summary.csv, heatmap.png, and a sentence per model."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path

import numpy as np

from rpt_tasks.benchmarks import DOMAINS
from rpt_tasks.compare.summary import SIGNIFICANCE, _domain


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
