"""rpt budget: the plan's statistics, its validation by simulation (the budgeted study reaches
the full suite's per-domain conclusion while generating a fraction of its tokens; sequential
stopping holds its level), the subset file's integrity, and rpt compare over subsets."""

import json

import numpy as np
import pytest
from test_compare import write_run

from rpt_tasks.compare import compare, load_run
from rpt_tasks.compare.budget import (INTERIM_P, TaskOutcomes, boundary, detectable, independence_variance,
                                      load_subset, make_plan, pairs_needed, plan_domain, stratified_draw)
from rpt_tasks.compare.runs import CompareError
from rpt_tasks.compare.stats import sign_flip_test
from rpt_tasks.testing.simulate import coupled as _coupled

ALPHA, MDE = 0.05, 0.02


def _conclusion(diffs: np.ndarray) -> int:
    """A domain's conclusion: the sign of its delta where the paired test is significant, else 0."""
    return int(np.sign(diffs.mean())) if sign_flip_test(diffs) < ALPHA else 0


# The knowledge domain at the paper's sizes (TabFact, FinBen headlines, LegalBench's largest
# tasks, MedQA, PubMedQA), where most of a full suite's tokens go
SIZES = (12779, 20000, 8000, 1273, 1000)
TOKENS = (150.0, 60.0, 120.0, 400.0, 300.0)  # generated per document


def _study(rng, effect: float, pilot_docs: int = 400) -> tuple[int, int, float]:
    """One simulated study of a domain: (full suite's conclusion, budgeted study's, token share).
    The plan comes from the base's outcomes and a pilot adapter's run on `pilot_docs` documents
    (another adapter of the same kind: its own coupling and effect)."""
    unchanged = float(rng.uniform(0.75, 0.92))
    pairs = [_coupled(rng, n, float(rng.uniform(0.3, 0.8)), unchanged, effect) for n in SIZES]
    tasks = [TaskOutcomes(f"t{i}", "knowledge", [str(j) for j in range(n)], list(range(n)), b, np.full(n, c))
             for i, ((b, _), n, c) in enumerate(zip(pairs, SIZES, TOKENS))]
    pilot = np.concatenate([m - b for b, m in (_coupled(rng, pilot_docs // len(SIZES), float(rng.uniform(0.3, 0.8)),
                                                        float(rng.uniform(0.75, 0.92)), 0.01) for _ in SIZES)])
    variance = max(float(np.var(pilot, ddof=1)), 1.0 / pilot.size)
    plan = plan_domain(tasks, MDE, ALPHA, 0.8, seed=int(rng.integers(1 << 30)), variance=variance)
    full = np.concatenate([m - b for b, m in pairs])
    chosen = np.concatenate([(m - b)[[int(k) for k in plan["tasks"][t.task]["keys"]]] for t, (b, m) in zip(tasks, pairs)])
    used = sum(r["expected_tokens"] for r in plan["tasks"].values())
    return _conclusion(full), _conclusion(chosen), used / sum(r["full_tokens"] for r in plan["tasks"].values())


def test_budgeted_studies_reach_the_full_suites_conclusion_with_a_fifth_of_the_tokens():
    rng = np.random.default_rng(23)
    # effects: none, or at least twice the planned MDE, either sign (at exactly the MDE the
    # budgeted study agrees as often as its planned power, by design: scripts/bench_budget.py)
    effects = [0.0] * 100 + [2 * MDE] * 100 + [-2 * MDE] * 100 + [3 * MDE] * 100
    runs = [(effect, *_study(rng, effect)) for effect in effects]
    agree = np.array([full == budget for _, full, budget, _ in runs])
    shares = np.array([share for *_, share in runs])
    assert agree.mean() >= 0.95, agree.mean()
    for effect in sorted(set(effects) - {0.0}):
        assert agree[[e == effect for e in effects]].mean() >= 0.95, effect
    null_positive = np.mean([budget != 0 for effect, _, budget, _ in runs if effect == 0.0])
    assert null_positive <= 0.1, null_positive  # the budgeted test's level (5%) within Monte Carlo error
    assert shares.max() <= 0.2, shares.max()


def test_sequential_stopping_holds_its_level_and_stops_early_under_an_effect():
    rng = np.random.default_rng(29)
    looks, n = 4, 3000

    def rejected_at(diffs):
        for look in range(1, looks + 1):
            seen = diffs[: int(np.ceil(n * look / looks))]
            if sign_flip_test(seen) < boundary(look, looks, ALPHA):
                return look
        return None

    null = [rejected_at(np.subtract(*_coupled(rng, n, 0.5, 0.8, 0.0)[::-1])) for _ in range(4000)]
    level = np.mean([r is not None for r in null])
    assert 0.035 <= level <= 0.065, level
    strong = [rejected_at(np.subtract(*_coupled(rng, n, 0.5, 0.8, 0.06)[::-1])) for _ in range(200)]
    assert np.mean([r is not None and r < looks for r in strong]) > 0.8  # most stop before the last look
    assert boundary(1, 4, ALPHA) == INTERIM_P and boundary(4, 4, ALPHA) == ALPHA


def test_the_plans_sample_size_has_its_power():
    """n from pairs_needed detects mde with the planned power (the normal approximation checked
    against the exact paired test) and a larger mde needs fewer documents."""
    rng = np.random.default_rng(31)
    base, model = _coupled(rng, 200_000, 0.5, 0.85, 0.0)
    variance = float(np.var(model - base))
    n = pairs_needed(variance, 0.03, ALPHA, 0.8)
    hits = np.mean([sign_flip_test(np.subtract(*_coupled(rng, n, 0.5, 0.85, 0.03)[::-1])) < ALPHA for _ in range(300)])
    assert 0.72 < hits < 0.88, (n, hits)
    assert pairs_needed(variance, 0.04, ALPHA, 0.8) < n < pairs_needed(variance, 0.02, ALPHA, 0.8)
    assert detectable(variance, n, ALPHA, 0.8) == pytest.approx(0.03, rel=0.01)
    # the stated assumption is an upper bound for coupled outcomes
    assert independence_variance(base, 0.03) > variance


def test_stratified_draw_keeps_the_bases_accuracy_in_every_prefix():
    rng = np.random.default_rng(37)
    scores = (rng.random(10_000) < 0.3).astype(float)
    picked = stratified_draw(scores, 1000, np.random.default_rng(0))
    assert len(set(picked.tolist())) == 1000
    assert abs(scores[picked].mean() - scores.mean()) < 0.002
    assert abs(scores[picked[:250]].mean() - scores.mean()) < 0.03
    assert (stratified_draw(scores, 1000, np.random.default_rng(0)) == picked).all()  # seeded


def _base_run(tmp_path, rng):
    outcomes = {"rpt_gsm8k": (rng.random(1319) < 0.6).astype(float).tolist(),
                "rpt_medqa": (rng.random(1273) < 0.4).astype(float).tolist(),
                "rpt_pubmedqa": (rng.random(1000) < 0.7).astype(float).tolist()}
    write_run(tmp_path / "base", outcomes)
    return outcomes


def test_make_plan_from_a_base_run_and_a_larger_mde_gives_a_smaller_plan(tmp_path):
    _base_run(tmp_path, np.random.default_rng(41))
    small = make_plan(tmp_path / "base", 0.05, seed=1)
    large = make_plan(tmp_path / "base", 0.10, seed=1)
    n = lambda plan: sum(r["n"] for r in plan["tasks"].values())  # noqa: E731
    assert n(large) < n(small) < 1319 + 1273 + 1000
    assert set(small["domains"]) == {"math", "knowledge"}
    knowledge = [small["tasks"][t] for t in ("rpt_medqa", "rpt_pubmedqa")]
    fractions = [r["n"] / r["n_full"] for r in knowledge]
    assert abs(fractions[0] - fractions[1]) < 0.01  # one fraction per domain: the pooled delta stays unbiased
    assert small["domains"]["knowledge"]["planned_mde"] <= 0.05 + 1e-9
    assert make_plan(tmp_path / "base", 0.05, seed=1)["sha256"] == small["sha256"]  # seeded, reproducible
    assert make_plan(tmp_path / "base", 0.05, seed=2)["sha256"] != small["sha256"]
    stated = make_plan(tmp_path / "base", 0.05, seed=1, discordance=0.1)
    assert n(stated) < n(small)  # a stated (smaller) discordance than independence's bound
    # a pilot adapter that changes 10% of the first 200 documents of each task
    base = {t: [float(json.loads(line)["acc"]) for line in next((tmp_path / "base").rglob(f"samples_{t}_*")).read_text().splitlines()]
            for t in ("rpt_gsm8k", "rpt_medqa", "rpt_pubmedqa")}
    write_run(tmp_path / "pilot", {t: [1.0 - v if i % 10 == 0 else v for i, v in enumerate(vals[:200])]
                                   for t, vals in base.items()})
    piloted = make_plan(tmp_path / "base", 0.05, seed=1, pilot=tmp_path / "pilot")
    assert piloted["domains"]["math"]["assumption"] == "pilot"
    assert piloted["domains"]["math"]["variance"] == pytest.approx(0.1, abs=0.03)
    assert n(piloted) < n(small)
    with pytest.raises(CompareError, match="no such folder"):
        make_plan(tmp_path / "base", 0.05, pilot=tmp_path / "no-pilot")


def test_subset_files_are_checked(tmp_path):
    _base_run(tmp_path, np.random.default_rng(43))
    plan = make_plan(tmp_path / "base", 0.05)
    path = tmp_path / "subset.json"
    path.write_text(json.dumps(plan))
    assert load_subset(path)["sha256"] == plan["sha256"]
    plan["tasks"]["rpt_gsm8k"]["keys"] = plan["tasks"]["rpt_gsm8k"]["keys"][:-1]
    path.write_text(json.dumps(plan))
    with pytest.raises(CompareError, match="edited after planning"):
        load_subset(path)
    path.write_text("{not json")
    with pytest.raises(CompareError, match="cannot read it"):
        load_subset(path)
    with pytest.raises(CompareError, match="between 0 and 1"):
        make_plan(tmp_path / "base", 2.0)
    with pytest.raises(CompareError, match="no such folder"):
        make_plan(tmp_path / "nowhere", 0.05)


def _subset_run(folder, base_outcomes, plan, shift, look=None, sha=None):
    """A model run over the plan's documents, with the record rpt eval --subset writes."""
    from rpt_tasks.compare.budget import keys_sha256, look_keys

    outcomes, keep = {}, {}
    for task, values in base_outcomes.items():
        keys = look_keys(plan, task, look)
        keep[task] = [int(k.rsplit("-", 1)[1]) for k in keys]
        outcomes[task] = [min(1.0, values[i] + (shift if j % 5 == 0 else 0.0)) for j, i in enumerate(keep[task])]
    write_run(folder, outcomes)
    run_dir = folder / "model__name"
    results = next(run_dir.glob("results_*.json"))
    data = json.loads(results.read_text())
    record = {"sha256": sha or plan["sha256"], "look": look or plan["looks"], "looks": plan["looks"],
              "params": plan["params"],
              "documents_sha256": {t: keys_sha256(f"{t}-{i}" for i in keep[t]) for t in outcomes},
              "planned_mde": {t: plan["tasks"][t]["planned_mde"] for t in outcomes},
              "domain_planned_mde": {d: p["planned_mde"] for d, p in plan["domains"].items()}}
    for task in outcomes:
        data["configs"][task]["metadata"] = {"rpt_subset": record}
    results.write_text(json.dumps(data))
    for samples in run_dir.glob("samples_*.jsonl"):  # doc ids as the subset's: the base's positions
        task = samples.name.removeprefix("samples_").rsplit("_", 1)[0]
        lines = [json.loads(line) for line in samples.read_text().splitlines()]
        for line, i in zip(lines, keep[task]):
            line["doc_id"], line["doc"]["rpt_id"] = i, f"{task}-{i}"
        samples.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_compare_pairs_a_subset_run_with_the_full_base_and_reports_both_mdes(tmp_path):
    base = _base_run(tmp_path, np.random.default_rng(47))
    plan = make_plan(tmp_path / "base", 0.05)
    _subset_run(tmp_path / "model", base, plan, 1.0)
    summary = compare(load_run(tmp_path / "base"), [load_run(tmp_path / "model")])
    entry = summary["models"]["model"]
    assert entry["benchmarks"]["rpt_gsm8k"]["n"] == plan["tasks"]["rpt_gsm8k"]["n"]
    knowledge = entry["domains"]["knowledge"]
    assert knowledge["planned_mde"] == pytest.approx(plan["domains"]["knowledge"]["planned_mde"])
    assert knowledge["mde"] > 0 and "sequential" not in knowledge
    # two runs over different subsets are refused; a run whose documents are not its subset's too
    other = make_plan(tmp_path / "base", 0.05, seed=9)
    _subset_run(tmp_path / "other", base, other, 1.0)
    with pytest.raises(CompareError, match="different subsets"):
        compare(load_run(tmp_path / "model"), [load_run(tmp_path / "other")])
    # the documents evaluated are not the subset's (the data changed under the doc indices)
    _subset_run(tmp_path / "moved", base, other, 1.0, sha=plan["sha256"])
    results = next((tmp_path / "moved").rglob("results_*.json"))
    data = json.loads(results.read_text())
    recorded = json.loads(next((tmp_path / "model").rglob("results_*.json")).read_text())
    for task in data["configs"]:
        data["configs"][task]["metadata"] = recorded["configs"][task]["metadata"]
    results.write_text(json.dumps(data))
    with pytest.raises(CompareError, match="not those of its subset"):
        compare(load_run(tmp_path / "base"), [load_run(tmp_path / "moved")])


def test_compare_reports_the_sequential_decision_per_look(tmp_path):
    base = _base_run(tmp_path, np.random.default_rng(53))
    plan = make_plan(tmp_path / "base", 0.05, looks=3)
    _subset_run(tmp_path / "look1", base, plan, 0.0, look=1)
    first = compare(load_run(tmp_path / "base"), [load_run(tmp_path / "look1")])["models"]["look1"]["domains"]["math"]
    assert first["sequential"]["look"] == 1 and not first["sequential"]["decided"]
    assert first["sequential"]["next"].startswith("continue") and first["sequential"]["boundary_p"] == INTERIM_P
    _subset_run(tmp_path / "look3", base, plan, 1.0, look=3)
    last = compare(load_run(tmp_path / "base"), [load_run(tmp_path / "look3")])["models"]["look3"]["domains"]["math"]
    assert last["sequential"]["decided"] and last["sequential"]["boundary_p"] == ALPHA
