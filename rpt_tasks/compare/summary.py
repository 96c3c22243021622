"""The comparison itself: models against their base, per benchmark and per domain, in-domain
versus out-of-domain. A comparison of mismatched runs (other limits, tasks, task versions or
base models) is refused with the reason, never computed on the overlap.

The primary test is paired: each document's score under the model minus under the base, tested
by sign flips (McNemar's exact test on 0/1 outcomes; avg@k fractions as they are). The paper's
Cochran-Mantel-Haenszel test, which treats base and model as independent groups, is kept beside
it as `cmh_p` (paper-compatible). Per-benchmark p-values are Holm-adjusted across a model's
benchmarks; stars use the adjusted p. Every delta comes as `delta` (document-weighted) and, for a
domain, `macro_delta` (the mean over its benchmarks, LegalBench, FinBen and Aider Polyglot
counting once each, as among the paper's 16). `mde`: the smallest delta the paired test would
detect with 80% power at the observed n and spread.
"""

from __future__ import annotations

import numpy as np

from rpt_tasks.benchmarks import DOMAINS, get_benchmark
from rpt_tasks.compare.runs import CompareError, Run, same_base
from rpt_tasks.compare.stats import (cmh_test, holm, mcnemar_exact, minimum_detectable_delta, paired_bootstrap_ci,
                                     sign_flip_test)

SIGNIFICANCE = 0.05
PAIRED_TEST = "sign-flip permutation of per-document differences (McNemar's exact test on 0/1 outcomes)"
ADJUSTMENT = "holm"
# Benchmarks the paper counts as one: their tasks form one benchmark in the macro delta.
FAMILIES = ("legalbench_", "finben_", "aider_polyglot")


def compare(base: Run, models: list[Run], seed: int = 0, domains: dict[str, str] | None = None) -> dict:
    """The summary.json structure (see README): per model, per benchmark and per domain.
    `domains`: task -> domain for tasks outside the registry (`--domain TASK=DOMAIN`)."""
    domains = domains or {}
    summary = {"models": {}, "base": base.name, "significance_level": SIGNIFICANCE, "paired_test": PAIRED_TEST,
               "adjustment": ADJUSTMENT, "metric": base.metric, "skipped": {}, "warnings": []}
    for model in models:
        summary["warnings"] += _check_comparable(base, model, domains)
        benchmarks, diffs, tables = {}, {}, {}
        for task in sorted(t for t in model.scores if t in base.scores):
            domain = task_domain(task, domains)
            if domain is None:
                summary["skipped"][task] = "no domain: not an rpt task; give one with --domain TASK=DOMAIN"
                continue
            # the base run's document order; over a subset (rpt budget) the subset run's documents
            docs = [d for d in base.scores[task] if d in model.scores[task]]
            b = np.array([base.scores[task][d] for d in docs])
            m = np.array([model.scores[task][d] for d in docs])
            diff = m - b
            binary = bool(np.isin(b, (0.0, 1.0)).all() and np.isin(m, (0.0, 1.0)).all())
            low, high = paired_bootstrap_ci(b, m, seed=seed)
            row = {"domain": domain, "n": len(docs), "base_acc": float(b.mean()), "model_acc": float(m.mean()),
                   "delta": float(diff.mean()), "ci_low": low, "ci_high": high, "binary": binary,
                   "paired_p": sign_flip_test(diff, seed=seed), "mde": minimum_detectable_delta(diff)}
            if binary:
                row["mcnemar_p"] = mcnemar_exact(b.astype(bool), m.astype(bool))
            planned = (model.subset or base.subset or {}).get("planned_mde", {})
            if task in planned:
                row["planned_mde"] = planned[task]
            benchmarks[task] = row
            diffs[task] = diff
            # the paper's CMH needs one outcome per document: avg@k documents count as solved at >= 1/2
            bb, mb = b >= 0.5, m >= 0.5
            tables[task] = np.array([[mb.sum(), (~mb).sum()], [bb.sum(), (~bb).sum()]])
        for task, adjusted in zip(benchmarks, holm([r["paired_p"] for r in benchmarks.values()])):
            benchmarks[task]["paired_p_adjusted"] = adjusted
            benchmarks[task]["significant"] = adjusted < SIGNIFICANCE
        by_domain = {}
        for domain in [d for d in DOMAINS if any(r["domain"] == d for r in benchmarks.values())] + sorted(
                {r["domain"] for r in benchmarks.values()} - set(DOMAINS)):
            tasks = [t for t, r in benchmarks.items() if r["domain"] == domain]
            by_domain[domain] = _aggregate(tasks, benchmarks, diffs, tables, seed)
            _subset_verdict(by_domain[domain], domain, model.subset or base.subset)
        trained = set(model.trained_domains)
        inside = [t for t, r in benchmarks.items() if r["domain"] in trained]
        outside = [t for t, r in benchmarks.items() if r["domain"] not in trained]
        in_domain = _aggregate(inside, benchmarks, diffs, tables, seed) if inside else None
        out_domain = _aggregate(outside, benchmarks, diffs, tables, seed) if outside and trained else None
        summary["models"][model.name] = {
            "trained_domains": sorted(trained), "benchmarks": benchmarks, "domains": by_domain,
            "in_domain": in_domain, "out_of_domain": out_domain,
            "in_domain_delta": in_domain["delta"] if in_domain else None,
            "out_of_domain_delta": out_domain["delta"] if out_domain else None,
        }
    return summary


def _aggregate(tasks: list[str], benchmarks: dict, diffs: dict, tables: dict, seed: int) -> dict:
    """A domain (or the in/out-of-domain set) over its benchmarks' documents."""
    rows = [benchmarks[t] for t in tasks]
    pooled = np.concatenate([diffs[t] for t in tasks])
    delta = sum(r["delta"] * r["n"] for r in rows) / sum(r["n"] for r in rows)
    families: dict[str, list[dict]] = {}
    for task, row in zip(tasks, rows):
        families.setdefault(_family(task), []).append(row)
    macro = float(np.mean([sum(r["delta"] * r["n"] for r in group) / sum(r["n"] for r in group)
                           for group in families.values()]))
    odds, cmh_p = cmh_test([tables[t] for t in tasks])
    result = {"delta": float(delta), "macro_delta": macro, "n": int(pooled.size), "benchmarks": len(families),
              "paired_test": PAIRED_TEST, "paired_p": sign_flip_test(pooled, seed=seed),
              "mde": minimum_detectable_delta(pooled), "cmh_odds_ratio": odds, "cmh_p": cmh_p,
              "cmh_note": "paper-compatible: treats base and model as independent groups"}
    if all(r["binary"] for r in rows):
        gained, lost = int(np.sum(pooled > 0)), int(np.sum(pooled < 0))
        result["paired_odds_ratio"] = gained / lost if lost else (float("inf") if gained else float("nan"))
    result["significant"] = result["paired_p"] < SIGNIFICANCE
    starred = [t for t in tasks if benchmarks[t]["significant"]]
    if result["significant"] and not starred:
        result["note"] = "significant as a whole though no single benchmark is after adjustment (the pooled test sees more)"
    elif not result["significant"] and starred:
        result["note"] = f"not significant as a whole though {len(starred)} benchmark(s) are"
    return result


def _subset_verdict(result: dict, domain: str, subset: dict | None) -> None:
    """Over an `rpt budget` subset: the MDE planned beside the one achieved and, with batches
    (sequential stopping), whether the domain's paired test is decided at this look."""
    if not subset:
        return
    from rpt_tasks.compare.budget import boundary

    planned = (subset.get("domain_planned_mde") or {}).get(domain)
    if planned is not None:
        result["planned_mde"] = planned
    looks, look = int(subset.get("looks", 1)), int(subset.get("look", 1))
    if looks > 1:
        alpha = float((subset.get("params") or {}).get("alpha", SIGNIFICANCE))
        threshold = boundary(look, looks, alpha)
        decided = result["paired_p"] < threshold
        result["sequential"] = {
            "look": look, "looks": looks, "boundary_p": threshold, "rule": "Haybittle-Peto", "decided": decided,
            "next": "stop: decided" if decided else "final look: not significant" if look >= looks else
            f"continue: rpt eval --subset ... --look {look + 1}"}
        result["significant"] = decided


def _family(task: str) -> str:
    name = task.removeprefix("rpt_")
    return next((f for f in FAMILIES if name.startswith(f)), name)


def task_domain(task: str, given: dict[str, str] | None = None) -> str | None:
    """An rpt task's domain (variants such as rpt_tabfact_2k are their benchmark's), or the one
    given on the command line; None for other tasks and groups."""
    if given and task in given:
        return given[task]
    try:
        return get_benchmark(task).domain
    except KeyError:  # a group, or a task that is not ours
        return None


_domain = task_domain  # the report's name for it


def _check_comparable(base: Run, model: Run, given: dict[str, str]) -> list[str]:
    """Refuses mismatched runs; returns warnings for comparable ones that look odd."""
    problems, warnings = [], []
    if model.model_id and "+" in model.model_id and same_base(base, model) is False:
        problems.append(f"different base models: the base run {base.name} evaluated {base.model_id}, but "
                        f"{model.name}'s adapter was trained from {model.base_model.replace('|', ' ').strip()}")
    if base.model_id and base.model_id == model.model_id:
        warnings.append(f"{model.name} and the base {base.name} are the same model ({base.model_id}): every delta is noise")
    if base.folder.resolve() == model.folder.resolve():
        warnings.append(f"{model.name} is the base run itself ({base.folder})")
    tasks = sorted(t for t in set(base.scores) | set(model.scores) if task_domain(t, given))
    for task in tasks:
        if task not in base.scores or task not in model.scores:
            problems.append(f"{task}: only in {'base' if task in base.scores else model.name}")
            continue
        if base.versions.get(task) != model.versions.get(task):
            problems.append(f"{task}: task version {base.versions.get(task)} (base) vs {model.versions.get(task)}")
        problem = _same_documents(task, base, model)
        if problem:
            problems.append(problem)
    if base.subset and model.subset and base.subset.get("sha256") != model.subset.get("sha256"):
        problems.insert(0, f"evaluated over different subsets (base {str(base.subset.get('sha256'))[:12]}, "
                           f"{model.name} {str(model.subset.get('sha256'))[:12]}): plan once, evaluate every run on it")
    if problems:
        raise CompareError(f"cannot compare {model.name} with base {base.name}:\n  " + "\n  ".join(problems))
    return warnings + base.notes + model.notes


def _same_documents(task: str, base: Run, model: Run) -> str | None:
    """Runs pair on the same documents: all of them, or, where one run was evaluated on an
    `rpt budget` subset, exactly that subset's (which the other must have)."""
    from rpt_tasks.compare.budget import keys_sha256

    b, m = set(base.scores[task]), set(model.scores[task])
    for run, docs in ((model, m), (base, b)):
        recorded = ((run.subset or {}).get("documents_sha256") or {}).get(task)
        if recorded and keys_sha256(docs) != recorded:
            return f"{task}: {run.name}'s documents are not those of its subset {run.subset.get('sha256', '')[:12]}"
    if base.subset and model.subset and base.subset.get("look") != model.subset.get("look") and b != m:
        return f"{task}: look {base.subset.get('look')} (base) vs look {model.subset.get('look')} ({model.name})"
    if (model.subset and not base.subset and m <= b) or (base.subset and not model.subset and b <= m):
        return None
    if b != m:
        return (f"{task}: different documents ({len(b)} in base, {len(m)} in {model.name}; was --limit the same?"
                + (" the full run lacks some of the subset's documents)" if (model.subset or base.subset) else ")"))
    return None
