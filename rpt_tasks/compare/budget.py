"""`rpt budget`: the documents a paired comparison needs, planned from the base model's run.

A paired test of "adapter versus base" needs only enough documents to detect the smallest delta
that matters (`--mde`); the base run, computed once over the full suite, tells how many and what
each costs. Per domain (the level of the study's conclusions) the plan draws the same fraction of
every benchmark, stratified by the base's outcome and seeded, so that the pooled paired test on the
subset (what `rpt compare` computes) estimates the full suite's document-weighted delta. The
fraction is the smallest whose pooled paired test detects `--mde` with `--power` at `--alpha`
(normal approximation of the sign-flip test: n = (z_{1-alpha/2} + z_power)^2 Var(d) / mde^2),
where Var(d), the variance of a document's model-minus-base difference, is

- by default the bound of the stated, conservative assumption that the model's outcome on a
  document is independent of the base's (Var(d) = Var_base + Var_model, the model's accuracy
  moved by mde towards 1/2). An adapter agrees with its base on most documents, so the real
  variance is smaller and the plan's power larger than stated;
- `--discordance Q`: Q, the expected fraction of documents on which the two disagree (0/1
  outcomes; Var(d) <= Q);
- `--pilot RUN`: the variance observed between a pilot adapter's run (any documents of the
  suite, e.g. a first `rpt eval --subset` of another plan) and the base, per domain.

Each document's cost is what the base generated for it (characters / `--chars-per-token`, or
`--tokens-per-sample FILE` with tokens per sample per task). `--looks K` orders the subset into K
seeded batches for sequential stopping (`rpt eval --subset FILE --look j` evaluates the first j;
`rpt compare` then says whether the domain's test is decided at the Haybittle-Peto boundary:
p < 0.001 at a look before the last, p < alpha at the last, which holds the overall level).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rpt_tasks.compare.runs import CompareError, _read_json
from rpt_tasks.compare.stats import _normal_quantile

FORMAT = "rpt-subset/1"
INTERIM_P = 0.001  # Haybittle-Peto: the boundary at every look but the last
MIN_PER_TASK = 20  # documents kept of every task, however small the fraction (its own row stays readable)
ASSUMPTION = ("independence: the model's outcome on a document is independent of the base's, so Var(d) = "
              "Var(base) + Var(model) with the model's accuracy moved by mde towards 1/2 (an upper bound "
              "when, as for an adapter and its base, outcomes are positively correlated)")


@dataclass
class TaskOutcomes:
    """A task of the base run: per document its key (rpt_id, else doc_id), lm-eval doc index, score
    and generation cost in tokens."""

    task: str
    domain: str
    keys: list[str]
    doc_ids: list[int]
    scores: np.ndarray
    tokens: np.ndarray

    @property
    def binary(self) -> bool:
        return bool(np.isin(self.scores, (0.0, 1.0)).all())


# ---------------------------------------------------------------- the statistics of the plan
def z_sum(alpha: float, power: float) -> float:
    return _normal_quantile(1 - alpha / 2) + _normal_quantile(power)


def independence_variance(scores: np.ndarray, mde: float) -> float:
    """Var(d) under the independence assumption: the base's variance plus the model's, the model's
    mean moved by mde towards 1/2 (0/1 outcomes: p'(1-p'); fractions: the base's spread, the larger
    of the two)."""
    p = float(scores.mean())
    shifted = min(max(p + mde if p < 0.5 else p - mde, 0.0), 1.0) if abs(p - 0.5) > mde else 0.5
    base_var = float(scores.var())
    return base_var + max(base_var, shifted * (1 - shifted)) if np.isin(scores, (0.0, 1.0)).all() else 2 * base_var


def pairs_needed(variance: float, mde: float, alpha: float, power: float) -> int:
    return max(1, math.ceil(z_sum(alpha, power) ** 2 * max(variance, 1e-12) / mde ** 2))


def detectable(variance: float, n: int, alpha: float, power: float) -> float:
    """The delta the paired test detects with `power` at n documents (the plan's expected MDE)."""
    return z_sum(alpha, power) * math.sqrt(max(variance, 1e-12) / max(n, 1))


def stratified_draw(scores: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of n documents drawn without replacement, proportionally from each stratum of the
    base's outcome (0/1, or fractions in quarters), largest remainders rounded up; in a random
    order whose every prefix is close to stratified (for batches)."""
    if n >= scores.size:
        return rng.permutation(scores.size)
    strata = np.minimum((scores * 4).astype(int), 3) if not np.isin(scores, (0.0, 1.0)).all() else scores.astype(int)
    labels, counts = np.unique(strata, return_counts=True)
    quota = counts * n / scores.size
    take = np.floor(quota).astype(int)
    for i in np.argsort(-(quota - take))[: n - take.sum()]:
        take[i] += 1
    chosen, ranks = [], []
    for label, k in zip(labels, take):
        members = rng.permutation(np.flatnonzero(strata == label))[:k]
        chosen.append(members)
        ranks.append((np.arange(k) + rng.random(k)) / max(k, 1))  # interleaves the strata in every prefix
    chosen, ranks = np.concatenate(chosen), np.concatenate(ranks)
    return chosen[np.argsort(ranks, kind="stable")]


def plan_domain(tasks: list[TaskOutcomes], mde: float, alpha: float, power: float, seed: int,
                variance: float | None = None, min_per_task: int = MIN_PER_TASK) -> dict:
    """The subset of one domain: the fraction of its documents whose pooled paired test detects
    mde, drawn from every task alike. `variance`: Var(d) when known (pilot or stated discordance);
    else the independence bound per task, pooled."""
    total = sum(t.scores.size for t in tasks)
    pooled_var = variance if variance is not None else \
        sum(independence_variance(t.scores, mde) * t.scores.size for t in tasks) / total
    needed = pairs_needed(pooled_var, mde, alpha, power)
    fraction = min(1.0, needed / total)
    rows = {}
    for t in tasks:
        n = min(t.scores.size, max(math.ceil(fraction * t.scores.size), min(min_per_task, t.scores.size)))
        rng = np.random.default_rng([seed, zlib.crc32(t.task.encode())])
        picked = stratified_draw(t.scores, n, rng)
        task_var = variance if variance is not None else independence_variance(t.scores, mde)
        rows[t.task] = {"domain": t.domain, "n": int(n), "n_full": int(t.scores.size),
                        "doc_ids": [t.doc_ids[i] for i in picked], "keys": [t.keys[i] for i in picked],
                        "expected_tokens": float(t.tokens[picked].sum()), "full_tokens": float(t.tokens.sum()),
                        "planned_mde": detectable(task_var, n, alpha, power)}
    n_domain = sum(r["n"] for r in rows.values())
    return {"tasks": rows, "n": n_domain, "n_full": total, "fraction": fraction, "variance": pooled_var,
            "needed": needed, "planned_mde": detectable(pooled_var, n_domain, alpha, power),
            "full_mde": detectable(pooled_var, total, alpha, power)}


def boundary(look: int, looks: int, alpha: float) -> float:
    """The p-value a domain's paired test must reach at `look` of `looks` (Haybittle-Peto)."""
    return alpha if look >= looks else INTERIM_P


def look_keys(subset: dict, task: str, look: int | None) -> list[str]:
    """The documents of `task` evaluated at `look` (all of them when looks are not used)."""
    row = subset["tasks"][task]
    looks = subset.get("looks", 1)
    if look is None or look >= looks:
        return row["keys"]
    return row["keys"][: math.ceil(len(row["keys"]) * look / looks)]


def subset_sha256(subset: dict) -> str:
    """The identity of a plan: its parameters and documents (not its printed estimates)."""
    core = {"format": subset["format"], "params": subset["params"], "looks": subset.get("looks", 1),
            "tasks": {t: r["keys"] for t, r in sorted(subset["tasks"].items())}}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


def keys_sha256(keys) -> str:
    return hashlib.sha256("\n".join(sorted(map(str, keys))).encode()).hexdigest()


# ---------------------------------------------------------------- reading runs
def read_outcomes(folder: Path, metric: str = "acc", chars_per_token: float = 4.0,
                  tokens_per_sample: dict[str, float] | None = None, allow_subset: bool = False) -> list[TaskOutcomes]:
    """The base run's documents per task, with the domain of each rpt task (a pilot's: any run)."""
    from rpt_tasks.compare.summary import task_domain

    if not folder.is_dir():
        raise CompareError(f"{folder}: no such folder (give the --output_path of the base model's rpt eval run)")
    results = sorted(folder.rglob("results_*.json"), key=lambda p: p.stem)
    if not results:
        raise CompareError(f"{folder}: no results_*.json (is this an lm-eval --output_path folder?)")
    found: dict[str, TaskOutcomes] = {}
    for path in results:  # the newest run of a task wins
        data = _read_json(path)
        run_id = path.stem.removeprefix("results_")
        for task, config in (data.get("configs") or {}).items():
            if not allow_subset and ((config or {}).get("metadata") or {}).get("rpt_subset"):
                raise CompareError(f"{path}: {task} was evaluated on a subset; plan from a full run of the base")
            domain = task_domain(task)
            samples = list(path.parent.glob(f"samples_{task}_{run_id}.jsonl"))
            if domain is None:
                continue
            if not samples:
                raise CompareError(f"{path}: no samples for {task}: evaluate the base with --log_samples")
            found[task] = _task_outcomes(samples[0], task, domain, metric, chars_per_token,
                                         (tokens_per_sample or {}).get(task))
    if not found:
        raise CompareError(f"{folder}: no rpt task in its results")
    return [found[t] for t in sorted(found)]


def _task_outcomes(path: Path, task: str, domain: str, metric: str, chars_per_token: float,
                   tokens_each: float | None) -> TaskOutcomes:
    keys, doc_ids, scores, tokens = [], [], [], []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                sample = json.loads(line)
                value = sample[metric]
                value = float(value[0] if isinstance(value, list) else value)
            except (ValueError, KeyError, TypeError, IndexError):
                raise CompareError(f"{path}:{lineno}: no per-sample {metric!r} (a truncated samples file, or "
                                   "another --metric)") from None
            doc = sample.get("doc") or {}
            keys.append(str(doc.get("rpt_id", sample.get("doc_id"))))
            doc_ids.append(int(sample["doc_id"]))
            scores.append(value)
            texts = list(_strings(sample.get("resps")))
            tokens.append(tokens_each * max(1, len(texts)) if tokens_each is not None else
                          sum(len(t) for t in texts) / chars_per_token)
    return TaskOutcomes(task, domain, keys, doc_ids, np.array(scores, float), np.array(tokens, float))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def pilot_variances(base: list[TaskOutcomes], pilot_folder: Path, metric: str) -> dict[str, float]:
    """Per domain, the variance of model-minus-base differences on the documents a pilot run shares
    with the base (at least one discordant pair's worth: 1/n)."""
    pilot = {t.task: dict(zip(t.keys, t.scores)) for t in read_outcomes(pilot_folder, metric, allow_subset=True)}
    by_domain: dict[str, list[float]] = {}
    for t in base:
        seen = pilot.get(t.task, {})
        by_domain.setdefault(t.domain, []).extend(seen[k] - s for k, s in zip(t.keys, t.scores) if k in seen)
    out = {}
    for domain, diffs in by_domain.items():
        if len(diffs) >= 2:
            out[domain] = max(float(np.var(diffs, ddof=1)), 1.0 / len(diffs))
    if not out:
        raise CompareError(f"{pilot_folder}: the pilot shares no documents with the base run")
    return out


# ---------------------------------------------------------------- the command
def make_plan(base_folder: Path, mde: float, alpha: float = 0.05, power: float = 0.8, seed: int = 0,
              discordance: float | None = None, pilot: Path | None = None, looks: int = 1, metric: str = "acc",
              chars_per_token: float = 4.0, tokens_per_sample: dict | None = None,
              min_per_task: int = MIN_PER_TASK) -> dict:
    if not 0 < mde < 1:
        raise CompareError(f"--mde {mde}: a difference in accuracy, between 0 and 1 (0.02 = 2 points)")
    if not (0 < alpha < 1 and 0 < power < 1) or looks < 1:
        raise CompareError("--alpha and --power lie between 0 and 1, --looks is at least 1")
    base = read_outcomes(base_folder, metric, chars_per_token, tokens_per_sample)
    pilot_var = pilot_variances(base, pilot, metric) if pilot else {}
    domains: dict[str, list[TaskOutcomes]] = {}
    for t in base:
        domains.setdefault(t.domain, []).append(t)
    plans, tasks = {}, {}
    for domain, members in domains.items():
        variance = pilot_var.get(domain, discordance)
        plan = plan_domain(members, mde, alpha, power, seed, variance, min_per_task)
        tasks.update(plan.pop("tasks"))
        plan["assumption"] = ("pilot" if domain in pilot_var else
                              f"stated discordance {discordance}" if discordance is not None else "independence")
        plans[domain] = plan
    subset = {"format": FORMAT, "base_run": str(base_folder),
              "params": {"mde": mde, "alpha": alpha, "power": power, "seed": seed, "metric": metric,
                         "discordance": discordance, "pilot": str(pilot) if pilot else None},
              "looks": looks, "assumption": ASSUMPTION, "domains": plans, "tasks": tasks}
    subset["sha256"] = subset_sha256(subset)
    return subset


def plan_table(subset: dict) -> str:
    lines = [f"{'task':<34} {'domain':<10} {'n':>7} {'of':>7} {'tokens':>12} {'planned MDE':>12}"]
    for task, row in sorted(subset["tasks"].items(), key=lambda kv: (kv[1]["domain"], kv[0])):
        lines.append(f"{task:<34} {row['domain']:<10} {row['n']:>7} {row['n_full']:>7} "
                     f"{row['expected_tokens']:>12,.0f} {row['planned_mde']:>12.3f}")
    lines.append("")
    for domain, plan in subset["domains"].items():
        note = "" if plan["fraction"] < 1 else \
            f"  (all documents: even the full set detects only {plan['full_mde']:.3f})" \
            if plan["full_mde"] > subset["params"]["mde"] else "  (all documents)"
        lines.append(f"domain {domain}: {plan['n']:,} of {plan['n_full']:,} documents, planned MDE "
                     f"{plan['planned_mde']:.3f} ({plan['assumption']}){note}")
    used = sum(r["expected_tokens"] for r in subset["tasks"].values())
    full = sum(r["full_tokens"] for r in subset["tasks"].values())
    lines.append(f"expected generated tokens: {used:,.0f} of the full suite's {full:,.0f} "
                 f"({used / full:.0%} per model)" if full else "expected generated tokens: unknown (no outputs)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rpt budget", description=__doc__.split("\n\n")[0],
                                     epilog="Then: rpt eval --subset FILE ...; rpt compare as usual.")
    parser.add_argument("--base", required=True, help="the base model's full run (rpt eval --log_samples)")
    parser.add_argument("--mde", type=float, required=True, help="smallest delta to detect (0.02 = 2 points)")
    parser.add_argument("--power", type=float, default=0.8)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--discordance", type=float, default=None,
                        help="expected fraction of documents where model and base disagree (else: independence)")
    parser.add_argument("--pilot", default=None, help="a pilot adapter's run: its observed variance of differences")
    parser.add_argument("--looks", type=int, default=1, help="batches for sequential stopping (default 1: none)")
    parser.add_argument("--metric", default="acc")
    parser.add_argument("--tokens-per-sample", default=None, help="JSON file {task: tokens per sample}")
    parser.add_argument("--chars-per-token", type=float, default=4.0)
    parser.add_argument("--min-per-task", type=int, default=MIN_PER_TASK)
    parser.add_argument("--out", required=True, help="the subset file to write (JSON)")
    args = parser.parse_args(argv)
    try:
        tokens = None
        if args.tokens_per_sample:
            try:
                tokens = json.loads(Path(args.tokens_per_sample).read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise CompareError(f"--tokens-per-sample {args.tokens_per_sample}: {e}") from None
        subset = make_plan(Path(args.base), args.mde, args.alpha, args.power, args.seed, args.discordance,
                           Path(args.pilot) if args.pilot else None, args.looks, args.metric,
                           args.chars_per_token, tokens, args.min_per_task)
    except CompareError as e:
        print(f"rpt budget: {e}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(json.dumps(subset, indent=1), encoding="utf-8")
    partial.replace(out)
    print(plan_table(subset))
    print(f"\nwritten: {out} (sha256 {subset['sha256'][:12]}); evaluate with rpt eval --subset {out}"
          + (f" --look 1 .. {args.looks}" if args.looks > 1 else ""))
    return 0


def load_subset(path: str | Path) -> dict:
    """A subset file written by `rpt budget`, checked."""
    path = Path(path)
    try:
        subset = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CompareError(f"--subset {path}: cannot read it ({e})") from None
    if not isinstance(subset, dict) or subset.get("format") != FORMAT or not isinstance(subset.get("tasks"), dict):
        raise CompareError(f"--subset {path}: not a subset file of rpt budget (format {FORMAT})")
    if subset.get("sha256") != subset_sha256(subset):
        raise CompareError(f"--subset {path}: its documents or parameters were edited after planning (sha256 differs)")
    return subset
