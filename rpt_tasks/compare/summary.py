"""The comparison itself: models against their base, per benchmark and per domain, in-domain
versus out-of-domain, with the paper's tests. A comparison of mismatched runs (other limits,
tasks or task versions) is refused with the reason, never computed on the overlap."""

from __future__ import annotations

import numpy as np

from rpt_tasks.benchmarks import DOMAINS, get_benchmark
from rpt_tasks.compare.runs import CompareError, Run
from rpt_tasks.compare.stats import cmh_test, mcnemar_exact, paired_bootstrap_ci

SIGNIFICANCE = 0.05


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
        return get_benchmark(task).domain  # variants (rpt_tabfact_2k) are their benchmark's
    except KeyError:  # a group, or a task that is not ours
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


