"""rpt compare: the statistics against reference implementations, the CMH test's false-positive
rate, and every number of summary.json on synthetic lm-eval folders with known outcomes."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest, permutation_test
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests

from rpt_tasks.compare import CompareError, compare, load_run
from rpt_tasks.compare.stats import (cmh_test, holm, mcnemar_exact, minimum_detectable_delta, paired_bootstrap_ci,
                                     sign_flip_test)
from rpt_tasks.testing.simulate import coupled as _coupled

RPT = str(Path(sys.executable).parent / "rpt")


def test_mcnemar_matches_scipy():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(1, 80))
        base, model = rng.random(n) < rng.random(), rng.random(n) < rng.random()
        b, c = int(np.sum(model & ~base)), int(np.sum(~model & base))
        expected = 1.0 if b + c == 0 else binomtest(b, b + c, 0.5).pvalue
        assert mcnemar_exact(base, model) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_cmh_matches_statsmodels():
    rng = np.random.default_rng(2)
    for _ in range(200):
        tables = [rng.integers(1, 60, size=(2, 2)) for _ in range(int(rng.integers(1, 6)))]
        reference = StratifiedTable([t.astype(float) for t in tables])
        odds, p = cmh_test(tables)
        assert odds == pytest.approx(reference.oddsratio_pooled, rel=1e-9)
        assert p == pytest.approx(reference.test_null_odds(correction=False).pvalue, rel=1e-7, abs=1e-12)


def test_cmh_false_positive_rate_is_near_five_percent():
    """No effect: base and model solve each benchmark with the same probability."""
    rng = np.random.default_rng(3)
    rejections, trials = 0, 2000
    for _ in range(trials):
        tables = []
        for _ in range(4):  # four benchmarks in the domain, each with its own difficulty
            p, n = rng.uniform(0.1, 0.9), int(rng.integers(50, 300))
            model, base = rng.binomial(n, p), rng.binomial(n, p)
            tables.append(np.array([[model, n - model], [base, n - base]]))
        rejections += cmh_test(tables)[1] < 0.05
    assert 0.035 < rejections / trials < 0.065, rejections / trials


def test_bootstrap_interval_covers_the_truth_about_95_percent():
    rng = np.random.default_rng(4)
    hits = 0
    for seed in range(200):
        base = rng.random(150) < 0.5
        model = rng.random(150) < 0.6
        low, high = paired_bootstrap_ci(base, model, reps=500, seed=seed)
        hits += low <= 0.1 <= high
    assert 0.88 < hits / 200 < 0.99


# ---------------------------------------------------------------- synthetic lm-eval folders
def write_run(folder: Path, outcomes: dict[str, list[float]], versions: dict | None = None, peft: str | None = None):
    """An lm-eval --output_path folder as `lm_eval --log_samples` writes it."""
    run = folder / "model__name"
    run.mkdir(parents=True)
    stamp = "2026-11-27T00-00-00.000000"
    model_args = {"pretrained": "base"} | ({"peft": peft} if peft else {})
    results = {"results": {t: {"acc,none": float(np.mean(v))} for t, v in outcomes.items()},
               "versions": {t: (versions or {}).get(t, 1.0) for t in outcomes},
               "configs": {t: {"task": t} for t in outcomes}, "config": {"model_args": model_args},
               "n-samples": {t: {"original": len(v), "effective": len(v)} for t, v in outcomes.items()}}
    (run / f"results_{stamp}.json").write_text(json.dumps(results))
    for task, values in outcomes.items():
        with (run / f"samples_{task}_{stamp}.jsonl").open("w") as f:
            for i, value in enumerate(values):
                f.write(json.dumps({"doc_id": i, "doc": {"rpt_id": f"{task}-{i}"}, "acc": value}) + "\n")


@pytest.fixture()
def synthetic(tmp_path):
    rng = np.random.default_rng(7)
    tasks = {"rpt_gsm8k": 300, "rpt_math500": 200, "rpt_humaneval": 164, "rpt_medqa": 250, "rpt_pubmedqa": 200}
    base = {t: (rng.random(n) < 0.4).astype(float).tolist() for t, n in tasks.items()}
    # the RPT model: much better at math, a bit better at code, worse at knowledge
    shift = {"rpt_gsm8k": 0.3, "rpt_math500": 0.25, "rpt_humaneval": 0.1, "rpt_medqa": -0.15, "rpt_pubmedqa": -0.1}
    model = {t: [float(min(1, max(0, v + (rng.random() < abs(shift[t])) * np.sign(shift[t])))) for v in vals]
             for t, vals in base.items()}
    base["rpt_aime24"] = [0.25, 0.5, 0.0, 1.0]  # avg@16 fractions
    model["rpt_aime24"] = [0.5, 0.75, 0.0, 1.0]
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "rpt_adapter.json").write_text(json.dumps({"trained_domains": ["math"]}))
    write_run(tmp_path / "base", base)
    write_run(tmp_path / "math-rpt", model, peft=str(adapter))
    return tmp_path, base, model


def test_summary_numbers_match_an_independent_computation(synthetic):
    root, base, model = synthetic
    out = root / "out"
    proc = subprocess.run([RPT, "compare", "--base", str(root / "base"), "--model", str(root / "math-rpt"),
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "math-rpt (trained on math): significant changes in math" in proc.stdout
    summary = json.loads((out / "summary.json").read_text())
    entry = summary["models"]["math-rpt"]
    assert entry["trained_domains"] == ["math"]
    domain_of = {"rpt_gsm8k": "math", "rpt_math500": "math", "rpt_aime24": "math", "rpt_humaneval": "code",
                 "rpt_medqa": "knowledge", "rpt_pubmedqa": "knowledge"}
    for task, domain in domain_of.items():
        b, m = np.array(base[task]), np.array(model[task])
        r = entry["benchmarks"][task]
        assert (r["domain"], r["n"]) == (domain, len(b))
        assert r["base_acc"] == pytest.approx(b.mean()) and r["model_acc"] == pytest.approx(m.mean())
        assert r["delta"] == pytest.approx(m.mean() - b.mean())
        if task != "rpt_aime24":  # 0/1 outcomes: the paired test is McNemar's exact test
            disc_b, disc_c = int(np.sum((m == 1) & (b == 0))), int(np.sum((m == 0) & (b == 1)))
            expected_p = 1.0 if disc_b + disc_c == 0 else binomtest(disc_b, disc_b + disc_c, 0.5).pvalue
            assert r["mcnemar_p"] == pytest.approx(expected_p) and r["paired_p"] == pytest.approx(expected_p)
        else:  # avg@16 fractions enter as they are: the exact sign-flip distribution, enumerated by scipy
            exact = permutation_test((m - b,), np.sum, permutation_type="samples", n_resamples=np.inf).pvalue
            assert r["paired_p"] == pytest.approx(exact) and "mcnemar_p" not in r
        # the percentile bootstrap, written out as a loop over resampled documents (another random
        # stream than the counts-based one: the same distribution, so the same interval within noise)
        rng = np.random.default_rng(0)
        draws = rng.integers(0, len(b), size=(2000, len(b)))
        means = sorted(float(np.mean([m[i] - b[i] for i in row])) for row in draws)
        assert abs(r["ci_low"] - np.quantile(means, 0.025)) < 0.012
        assert abs(r["ci_high"] - np.quantile(means, 0.975)) < 0.012
    adjusted = multipletests([entry["benchmarks"][t]["paired_p"] for t in entry["benchmarks"]], method="holm")[1]
    assert [entry["benchmarks"][t]["paired_p_adjusted"] for t in entry["benchmarks"]] == pytest.approx(list(adjusted))
    for domain in ("math", "code", "knowledge"):
        tasks = [t for t, d in domain_of.items() if d == domain]
        n = sum(len(base[t]) for t in tasks)
        expected_delta = sum(len(base[t]) * (np.mean(model[t]) - np.mean(base[t])) for t in tasks) / n
        tables = []
        for t in tasks:
            mb, bb = np.array(model[t]) >= 0.5, np.array(base[t]) >= 0.5
            tables.append(np.array([[mb.sum(), (~mb).sum()], [bb.sum(), (~bb).sum()]], float))
        reference = StratifiedTable(tables)
        d = entry["domains"][domain]
        assert d["delta"] == pytest.approx(expected_delta)
        assert d["macro_delta"] == pytest.approx(np.mean([np.mean(model[t]) - np.mean(base[t]) for t in tasks]))
        pooled = np.concatenate([np.array(model[t]) - np.array(base[t]) for t in tasks])
        assert d["paired_p"] == pytest.approx(sign_flip_test(pooled)) and d["mde"] > 0
        assert d["cmh_odds_ratio"] == pytest.approx(reference.oddsratio_pooled)
        assert d["cmh_p"] == pytest.approx(reference.test_null_odds(correction=False).pvalue)
    inside = ["rpt_gsm8k", "rpt_math500", "rpt_aime24"]
    outside = ["rpt_humaneval", "rpt_medqa", "rpt_pubmedqa"]
    for key, tasks in (("in_domain_delta", inside), ("out_of_domain_delta", outside)):
        n = sum(len(base[t]) for t in tasks)
        assert entry[key] == pytest.approx(sum(len(base[t]) * (np.mean(model[t]) - np.mean(base[t])) for t in tasks) / n)
    assert entry["in_domain_delta"] > 0 > entry["domains"]["knowledge"]["delta"]
    csv_rows = (out / "summary.csv").read_text().splitlines()
    assert len(csv_rows) == 1 + len(domain_of)
    assert "| math |" in (out / "summary.md").read_text() and "Holm" in (out / "summary.md").read_text()
    png = (out / "heatmap.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_mismatched_runs_are_refused(synthetic, tmp_path):
    root, base, model = synthetic
    fewer = {t: v[:-1] if t == "rpt_gsm8k" else v for t, v in model.items()}
    write_run(tmp_path / "limited", fewer)
    with pytest.raises(CompareError, match=r"rpt_gsm8k: different documents.*--limit"):
        compare(load_run(root / "base"), [load_run(tmp_path / "limited")])
    write_run(tmp_path / "newer", model, versions={"rpt_medqa": 2.0})
    with pytest.raises(CompareError, match=r"rpt_medqa: task version 1.0 \(base\) vs 2.0"):
        compare(load_run(root / "base"), [load_run(tmp_path / "newer")])
    write_run(tmp_path / "partial", {t: v for t, v in model.items() if t != "rpt_humaneval"})
    with pytest.raises(CompareError, match="rpt_humaneval: only in base"):
        compare(load_run(root / "base"), [load_run(tmp_path / "partial")])
    proc = subprocess.run([RPT, "compare", "--base", str(root / "base"), "--model", str(tmp_path / "partial"),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "only in base" in proc.stderr and not (tmp_path / "o").exists()


def test_public_models_take_trained_domains_from_the_command_line(synthetic):
    root, _, _ = synthetic
    out = root / "out2"
    subprocess.run([RPT, "compare", "--base", str(root / "base"), "--model", f"AZR={root / 'math-rpt'}",
                    "--trained-domains", "AZR=code", "--out", str(out)], check=True, capture_output=True, timeout=300)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["models"]["AZR"]["trained_domains"] == ["code"]


# ---------------------------------------------------------------- the paired test (issue 17)
def test_sign_flip_test_matches_scipy_and_mcnemar():
    rng = np.random.default_rng(11)
    for _ in range(60):
        n = int(rng.integers(2, 16))
        d = rng.choice([-1, -0.5, -0.25, 0, 0.25, 0.5, 1], size=n)
        exact = permutation_test((d,), np.sum, permutation_type="samples", n_resamples=np.inf).pvalue
        assert sign_flip_test(d) == pytest.approx(exact, abs=1e-12)
    base, model = rng.random(400) < 0.5, rng.random(400) < 0.55
    assert sign_flip_test(model.astype(float) - base) == pytest.approx(mcnemar_exact(base, model))
    d = rng.normal(0.05, 0.4, size=300)  # Monte Carlo branch against scipy's own
    reference = permutation_test((d,), np.sum, permutation_type="samples", n_resamples=20000, random_state=1).pvalue
    assert abs(sign_flip_test(d) - reference) < 0.01
    d = rng.choice([-0.5, -0.25, 0.25, 0.5, 0.75], size=1500) * (rng.random(1500) < 0.8)  # the normal branch
    reference = permutation_test((d,), np.sum, permutation_type="samples", n_resamples=20000, random_state=2).pvalue
    assert abs(sign_flip_test(d) - reference) < 0.01


def test_holm_matches_statsmodels():
    rng = np.random.default_rng(12)
    for _ in range(100):
        p = rng.random(int(rng.integers(1, 30))) ** 2
        assert holm(list(p)) == pytest.approx(list(multipletests(p, method="holm")[1]))


def _domain_tests(rng, gain):
    sizes = (1319, 500, 164, 257)
    pairs = [_coupled(rng, n, float(rng.uniform(0.3, 0.7)), 0.85, gain) for n in sizes]
    diffs = np.concatenate([m - b for b, m in pairs])
    tables = [np.array([[m.sum(), len(m) - m.sum()], [b.sum(), len(b) - b.sum()]]) for b, m in pairs]
    return sign_flip_test(diffs), cmh_test(tables)[1]


def test_paired_domain_test_holds_its_level_and_sees_what_cmh_misses():
    rng = np.random.default_rng(13)
    null = [_domain_tests(rng, 0.0) for _ in range(1000)]
    paired_level = np.mean([p < 0.05 for p, _ in null])
    assert 0.035 <= paired_level <= 0.065, paired_level
    effect = [_domain_tests(rng, 0.02) for _ in range(300)]
    paired_power = np.mean([p < 0.05 for p, _ in effect])
    cmh_power = np.mean([c < 0.05 for _, c in effect])
    assert paired_power > 0.9 and cmh_power < 0.3, (paired_power, cmh_power)


def test_minimum_detectable_delta_is_the_delta_found_80_percent_of_the_time():
    rng = np.random.default_rng(14)
    base, model = _coupled(rng, 2000, 0.5, 0.85, 0.0)
    mde = minimum_detectable_delta(model - base)
    hits = 0
    for _ in range(300):
        b, m = _coupled(rng, 2000, 0.5, 0.85, mde)
        hits += sign_flip_test(m - b) < 0.05
    assert 0.7 < hits / 300 < 0.9, (mde, hits / 300)


def test_a_superset_model_is_significant_under_the_paired_test_not_cmh(tmp_path):
    """The issue's case: the model solves every item the base solves plus 11 more (+4.6 points
    over 240 math documents): CMH p = 0.31, the paired test p = 0.001."""
    base = [1.0] * 120 + [0.0] * 120
    model = [1.0] * 131 + [0.0] * 109
    write_run(tmp_path / "base", {"rpt_gsm8k": base})
    write_run(tmp_path / "better", {"rpt_gsm8k": model})
    entry = compare(load_run(tmp_path / "base"), [load_run(tmp_path / "better")])["models"]["better"]
    math = entry["domains"]["math"]
    assert math["paired_p"] < 0.01 < 0.05 < math["cmh_p"] and math["paired_odds_ratio"] == float("inf")


def test_bad_input_is_refused_with_file_and_line(synthetic, tmp_path):
    root, base, model = synthetic
    cases = {"nan": float("nan"), "seven": 7.0}
    for name, value in cases.items():
        broken = {t: list(v) for t, v in model.items()}
        broken["rpt_gsm8k"][3] = value
        write_run(tmp_path / name, broken)
        proc = subprocess.run([RPT, "compare", "--base", str(root / "base"), "--model", str(tmp_path / name),
                               "--out", str(tmp_path / f"o-{name}")], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 2 and "samples_rpt_gsm8k" in proc.stderr and ":4:" in proc.stderr, proc.stderr
        assert "outside [0, 1]" in proc.stderr and "Traceback" not in proc.stderr
    write_run(tmp_path / "dup", model)
    samples = next((tmp_path / "dup").rglob("samples_rpt_medqa_*.jsonl"))
    lines = samples.read_text().splitlines()
    samples.write_text("\n".join(lines + [lines[0]]) + "\n")
    with pytest.raises(CompareError, match=r"samples_rpt_medqa.*:251: document rpt_medqa-0 appears twice"):
        load_run(tmp_path / "dup")
    write_run(tmp_path / "cut", model)
    samples = next((tmp_path / "cut").rglob("samples_rpt_pubmedqa_*.jsonl"))
    samples.write_text(samples.read_text()[:-20])
    proc = subprocess.run([RPT, "compare", "--base", str(root / "base"), "--model", str(tmp_path / "cut"),
                           "--out", str(tmp_path / "o-cut")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "samples_rpt_pubmedqa" in proc.stderr and "truncated" in proc.stderr
    results = next((tmp_path / "cut").rglob("results_*.json"))
    results.write_text(results.read_text()[:40])
    with pytest.raises(CompareError, match="not valid JSON"):
        load_run(tmp_path / "cut")


def test_runs_of_another_base_are_refused_and_the_same_model_warned(synthetic, tmp_path):
    root, base, model = synthetic
    adapter = tmp_path / "other-adapter"
    adapter.mkdir()
    (adapter / "rpt_adapter.json").write_text(json.dumps({"trained_domains": ["math"],
                                                          "base_model": {"name_or_path": "other-base"}}))
    write_run(tmp_path / "other", model, peft=str(adapter))
    proc = subprocess.run([RPT, "compare", "--base", str(root / "base"), "--model", str(tmp_path / "other"),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "different base models" in proc.stderr and "other-base" in proc.stderr
    summary = compare(load_run(root / "base"), [load_run(root / "base", "again")])
    assert any("same model" in w for w in summary["warnings"])


def test_any_lm_eval_task_with_metric_and_domain(tmp_path):
    """A task outside rpt's registry, scored by another per-sample metric, compares once it is
    given a domain; tasks without one are listed as skipped."""
    rng = np.random.default_rng(15)
    outcomes = {"arc_easy": (rng.random(200) < 0.5).astype(float).tolist(),
                "hellaswag": (rng.random(100) < 0.5).astype(float).tolist()}
    for name in ("base", "model"):
        run = tmp_path / name / "m"
        run.mkdir(parents=True)
        stamp = "2026-11-27T00-00-00.000000"
        (run / f"results_{stamp}.json").write_text(json.dumps({"versions": {t: 1.0 for t in outcomes},
                                                               "configs": {t: {} for t in outcomes},
                                                               "config": {"model_args": f"pretrained={name}"}}))
        for task, values in outcomes.items():
            with (run / f"samples_{task}_{stamp}.jsonl").open("w") as f:
                for i, v in enumerate(values):
                    value = v if name == "base" or i % 3 else 1.0
                    f.write(json.dumps({"doc_id": i, "doc": {}, "acc_norm": value}) + "\n")
    proc = subprocess.run([RPT, "compare", "--base", str(tmp_path / "base"), "--model", str(tmp_path / "model"),
                           "--metric", "acc_norm", "--domain", "arc_easy=science", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["metric"] == "acc_norm" and "hellaswag" in summary["skipped"] and "skipped hellaswag" in proc.stderr
    science = summary["models"]["model"]["domains"]["science"]
    assert science["delta"] > 0 and science["paired_p"] < 0.05
    proc = subprocess.run([RPT, "compare", "--base", str(tmp_path / "base"), "--model", str(tmp_path / "model"),
                           "--out", str(tmp_path / "o2")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "no per-sample 'acc'" in proc.stderr and "acc_norm" in proc.stderr


def test_update_model_cards_writes_the_results_into_the_adapters_readme(synthetic):
    """`--update-model-cards`: the adapter's README.md gains a results table and the hub's
    model-index (in-/out-of-domain and per-domain deltas); its rpt_adapter.json and hash stay."""
    import yaml

    from rpt_tasks.models import folder_sha256

    root, _, _ = synthetic
    adapter = root / "adapter"
    before = (adapter / "rpt_adapter.json").read_text(), folder_sha256(adapter)
    proc = subprocess.run([RPT, "compare", "--base", str(root / "base"), "--model", str(root / "math-rpt"),
                           "--out", str(root / "out"), "--update-model-cards"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    card = (adapter / "README.md").read_text()
    front = yaml.safe_load(card.split("---")[1])
    results = {r["dataset"]["name"]: r["metrics"] for r in front["model-index"][0]["results"]}
    summary = json.loads((root / "out" / "summary.json").read_text())["models"]["math-rpt"]
    assert results["in-domain"][0]["value"] == round(summary["in_domain"]["delta"], 4)
    assert results["out-of-domain"][0]["value"] == round(summary["out_of_domain"]["delta"], 4)
    assert "domain knowledge" in results and "## Evaluation" in card and "[More Information Needed]" not in card
    assert ((adapter / "rpt_adapter.json").read_text(), folder_sha256(adapter)) == before
    # a model without an adapter card is named, not an error
    proc = subprocess.run([RPT, "compare", "--base", str(root / "base"), "--model", str(root / "base"),
                           "--out", str(root / "out2"), "--update-model-cards"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "no model card to update" in proc.stderr
