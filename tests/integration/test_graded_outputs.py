"""The verifiers against real model outputs graded by others (tests/data/graded_outputs): on the
adjudicated truth, >= 99.5% right on every source of real outputs and no wrong answer rewarded."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench_verifiers.py"
spec = importlib.util.spec_from_file_location("bench_verifiers", BENCH)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
CORPUS = bench.load_corpus()
ADJUDICATIONS = bench.load_adjudications()


def test_corpus_is_real_and_sourced():
    real = {name: rows for name, rows in CORPUS.items() if name not in bench.GRADER_TESTS}
    assert len(real) >= 3 and sum(map(len, real.values())) >= 5000
    for rows in CORPUS.values():
        assert all("@" in row["source"] and ":" in row["source"] for row in rows)
    ids = {(name, str(row["id"])) for name, rows in CORPUS.items() for row in rows}
    assert set(ADJUDICATIONS) <= ids, "an adjudication names a row the corpus does not hold"
    assert all(row["why"].strip() for row in ADJUDICATIONS.values())


@pytest.mark.parametrize("name", [n for n in CORPUS if n not in bench.GRADER_TESTS])
def test_adjudicated_accuracy_and_no_false_positive(name):
    right = total = 0
    false_positives = []
    for row in CORPUS[name]:
        if row.get("answer_cut"):
            continue
        ours = bool(bench.our_verdict(row).correct)
        ruling = ADJUDICATIONS.get((name, str(row["id"])))
        truth = bench._truthy(ruling["correct"]) if ruling else bench._truthy(row["peer_verdict"])
        total += 1
        right += ours == truth
        if ours and not truth:
            false_positives.append(row["id"])
    assert right / total >= 0.995, f"{name}: {right}/{total}"
    assert not false_positives, f"{name}: wrong answers rewarded: {false_positives[:10]}"
