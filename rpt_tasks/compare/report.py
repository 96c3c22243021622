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


def write_outputs(summary: dict, out: Path, scale: float | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "summary.json", json.dumps(_json_safe(summary), indent=2, allow_nan=False))
    _atomic_write(out / "summary.md", to_markdown(summary))
    _atomic_write(out / "summary.csv", to_csv(summary))
    heatmap(summary, out / "heatmap.png", scale or HEATMAP_SCALE)


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


CSV_FIELDS = ("base_acc", "model_acc", "delta", "ci_low", "ci_high", "paired_p", "paired_p_adjusted", "mde")


def to_csv(summary: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["model", "task", "domain", "n", *CSV_FIELDS, "mcnemar_p"])
    for name, model in summary["models"].items():
        for task, r in model["benchmarks"].items():
            writer.writerow([name, task, r["domain"], r["n"], *(f"{r[k]:.6g}" for k in CSV_FIELDS),
                             f"{r['mcnemar_p']:.6g}" if "mcnemar_p" in r else ""])
    return buffer.getvalue()


def _star(significant: bool) -> str:
    return " *" if significant else ""


def _aggregate_line(label: str, a: dict | None) -> str:
    if a is None:
        return f"| {label} | n/a | | | | | |"
    return (f"| {label} | {100 * a['delta']:+.1f}{_star(a['significant'])} | {100 * a['macro_delta']:+.1f} | "
            f"{a['paired_p']:.3g} | {100 * a['mde']:.1f} | {a['cmh_p']:.3g} | {a['n']} |")


def to_markdown(summary: dict) -> str:
    lines = [f"# Transfer summary (base: {summary['base']}, metric: {summary.get('metric', 'acc')})", ""]
    for warning in summary.get("warnings") or []:
        lines.append(f"> warning: {warning}")
    if summary.get("warnings"):
        lines.append("")
    for name, model in summary["models"].items():
        trained = ", ".join(model["trained_domains"]) or "unknown"
        lines += [f"## {name} (trained on: {trained})", "",
                  "| domain | delta (points) | macro delta | paired p | MDE (points) | CMH p (paper) | n |",
                  "|---|---|---|---|---|---|---|"]
        lines.append(_aggregate_line("**in-domain**", model.get("in_domain")))
        lines.append(_aggregate_line("**out-of-domain**", model.get("out_of_domain")))
        for domain, d in model["domains"].items():
            lines.append(_aggregate_line(domain, d))
        notes = [f"{domain}: {d['note']}" for domain, d in model["domains"].items() if d.get("note")]
        notes += [f"{domain}: over an rpt budget subset: MDE planned {100 * d['planned_mde']:.1f} points, achieved "
                  f"{100 * d['mde']:.1f}" for domain, d in model["domains"].items() if d.get("planned_mde") is not None]
        notes += [f"{domain}: sequential look {q['look']} of {q['looks']} ({q['rule']}, boundary p < {q['boundary_p']:g}): "
                  f"{q['next']}" for domain, d in model["domains"].items() if (q := d.get("sequential"))]
        lines += [""] + [f"- {note}" for note in notes] + ([""] if notes else [])
        lines += ["| task | domain | n | base | model | delta | 95% CI | paired p | Holm p | MDE |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for task, r in model["benchmarks"].items():
            lines.append(f"| {task} | {r['domain']} | {r['n']} | {100 * r['base_acc']:.1f} | {100 * r['model_acc']:.1f} "
                         f"| {100 * r['delta']:+.1f}{_star(r['significant'])} | [{100 * r['ci_low']:+.1f}, "
                         f"{100 * r['ci_high']:+.1f}] | {r['paired_p']:.3g} | {r['paired_p_adjusted']:.3g} | "
                         f"{100 * r['mde']:.1f} |")
        lines.append("")
    if summary.get("skipped"):
        lines += ["Skipped (no domain): " + ", ".join(f"{t} ({why})" for t, why in summary["skipped"].items()), ""]
    lines.append(f"`*`: significant at p < {SIGNIFICANCE}: tasks by the paired test (sign flips of per-document "
                 "differences; McNemar's exact test on 0/1 outcomes) after Holm's adjustment across the model's "
                 "tasks; domains by the same paired test on all their documents. CMH p: the paper's test, which "
                 "treats base and model as independent groups (kept for comparison with the paper). Delta: "
                 "document-weighted; macro delta: mean over the domain's benchmarks (LegalBench, FinBen, Aider "
                 "counted once). MDE: the smallest delta the paired test detects with 80% power here; a "
                 "non-significant delta smaller than it is not evidence of no change.")
    return "\n".join(lines) + "\n"


def plain_words(summary: dict) -> list[str]:
    """One sentence per model, for a terminal: which deltas were significant."""
    sentences = []
    for name, model in summary["models"].items():
        significant = [f"{d} ({100 * v['delta']:+.1f} points, p={v['paired_p']:.2g})"
                       for d, v in model["domains"].items() if v["significant"]]
        where = f"trained on {', '.join(model['trained_domains'])}" if model["trained_domains"] else "training unknown"
        if significant:
            sentences.append(f"{name} ({where}): significant changes in {'; '.join(significant)}.")
        else:
            sentences.append(f"{name} ({where}): no domain changed significantly (paired p >= {SIGNIFICANCE}).")
    return sentences


def _points(value) -> str:
    return "n/a" if value is None else f"{100 * value:+.1f} points"


HEATMAP_SCALE = 20.0  # points: the colour scale is fixed, so two figures can be compared


def heatmap(summary: dict, path: Path, scale: float = HEATMAP_SCALE) -> None:
    """Models by benchmarks plus one aggregate column per domain, diverging colours on a fixed
    symmetric scale (+-`scale` points). Each cell: delta and the base accuracy; a star where
    significant (adjusted), hatching where the MDE exceeds |delta| (too little data to tell), a
    box around in-domain cells."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.patches import Rectangle

    names = list(summary["models"])
    order = {d: i for i, d in enumerate(DOMAINS)}
    tasks = sorted({t for m in summary["models"].values() for t in m["benchmarks"]},
                   key=lambda t: (order.get(_task_domain(summary, t), len(order)), _task_domain(summary, t), t))
    domains_present = []
    for t in tasks:
        if _task_domain(summary, t) not in domains_present:
            domains_present.append(_task_domain(summary, t))
    columns = tasks + [f"[{d}]" for d in domains_present]
    grid = np.full((len(names), len(columns)), np.nan)
    labels = [["" for _ in columns] for _ in names]
    hatch = np.zeros_like(grid, dtype=bool)
    inside = np.zeros_like(grid, dtype=bool)
    for i, name in enumerate(names):
        model = summary["models"][name]
        for j, column in enumerate(columns):
            if j < len(tasks):
                r = model["benchmarks"].get(column)
                domain = r["domain"] if r else None
            else:
                domain = column[1:-1]
                r = model["domains"].get(domain)
                if r:
                    r = {**r, "base_acc": None}
            if not r:
                continue
            grid[i, j] = 100 * r["delta"]
            base = "" if r.get("base_acc") is None else f"\n{100 * r['base_acc']:.0f}%"
            labels[i][j] = f"{grid[i, j]:+.1f}{'*' if r['significant'] else ''}{base}"
            hatch[i, j] = np.isfinite(r["mde"]) and r["mde"] > abs(r["delta"])
            inside[i, j] = domain in model["trained_domains"]
    fig, ax = plt.subplots(figsize=(max(6, 0.55 * len(columns) + 3), max(2.5, 0.6 * len(names) + 2)))
    image = ax.imshow(np.clip(grid, -scale, scale), cmap="RdBu", norm=TwoSlopeNorm(vcenter=0, vmin=-scale, vmax=scale),
                      aspect="auto")
    ax.set_xticks(range(len(columns)), [c.removeprefix("rpt_") for c in columns], rotation=70, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    for i in range(len(names)):
        for j in range(len(columns)):
            if not np.isfinite(grid[i, j]):
                continue
            dark = abs(grid[i, j]) > 0.6 * scale
            ax.text(j, i, labels[i][j], ha="center", va="center", fontsize=5.5, color="white" if dark else "black")
            if hatch[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="grey",
                                       linewidth=0))
            if inside[i, j]:
                ax.add_patch(Rectangle((j - 0.47, i - 0.47), 0.94, 0.94, fill=False, edgecolor="black", linewidth=1.6))
    column_domains = [_task_domain(summary, t) for t in tasks] + ["aggregate"] * len(domains_present)
    starts = [j for j in range(len(columns)) if j == 0 or column_domains[j] != column_domains[j - 1]]
    for j in starts[1:]:
        ax.axvline(j - 0.5, color="black", linewidth=1.5)
    ends = starts[1:] + [len(columns)]
    top = ax.secondary_xaxis("top")
    top.set_xticks([(a + b - 1) / 2 for a, b in zip(starts, ends)], [column_domains[a] for a in starts], fontsize=8,
                   fontweight="bold")
    top.tick_params(length=0)
    fig.colorbar(image, ax=ax, label=f"delta (points), +-{scale:g}")
    ax.set_title(f"{', '.join(names)} vs base {summary['base']}\ncell: delta (points) and base accuracy; "
                 f"* p < {SIGNIFICANCE} (adjusted); boxed: trained domain; hatched: MDE > |delta|",
                 fontsize=7, pad=16)
    fig.tight_layout()
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}.png")
    fig.savefig(tmp, dpi=150)
    plt.close(fig)
    os.replace(tmp, path)


def _task_domain(summary: dict, task: str) -> str:
    for model in summary["models"].values():
        if task in model["benchmarks"]:
            return model["benchmarks"][task]["domain"]
    return _domain(task) or "other"
