"""rpt compare: the statistics against reference implementations, the CMH test's false-positive
rate, and every number of summary.json on synthetic lm-eval folders with known outcomes."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest
from statsmodels.stats.contingency_tables import StratifiedTable

from rpt_tasks.compare import CompareError, compare, load_run
from rpt_tasks.compare.stats import cmh_test, mcnemar_exact, paired_bootstrap_ci

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
        bb, mb = b >= 0.5, m >= 0.5
        disc_b, disc_c = int(np.sum(mb & ~bb)), int(np.sum(~mb & bb))
        expected_p = 1.0 if disc_b + disc_c == 0 else binomtest(disc_b, disc_b + disc_c, 0.5).pvalue
        assert r["mcnemar_p"] == pytest.approx(expected_p)
        # the same percentile bootstrap, written out as a loop
        rng = np.random.default_rng(0)
        draws = rng.integers(0, len(b), size=(2000, len(b)))
        means = sorted(float(np.mean([m[i] - b[i] for i in row])) for row in draws)
        assert r["ci_low"] == pytest.approx(np.quantile(means, 0.025))
        assert r["ci_high"] == pytest.approx(np.quantile(means, 0.975))
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
    assert "| math |" in (out / "summary.md").read_text()
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
