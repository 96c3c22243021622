"""The verifier against the mirror itself: every row's own reference solution, read as a model
output, must score; another row's solution must (almost) never."""

import pytest

from rpt_tasks.data import load_docs, mirror_dir
from rpt_tasks.harness.hooks import process_results as process_answer
from rpt_tasks.benchmarks import get_benchmark


def _solutions(name):
    import json

    bench = get_benchmark(name)
    path = mirror_dir() / bench.mirror.folder / f"{bench.mirror.split}.jsonl"
    solution_field = "answer" if name == "gsm8k" else "solution"
    return [json.loads(line)[solution_field] for line in path.open(encoding="utf-8") if line.strip()]


@pytest.mark.parametrize("name, size", [("gsm8k", 1319), ("math500", 500)])
def test_own_solution_scores_and_another_rows_does_not(name, size, mirror):
    docs, solutions = load_docs(name), _solutions(name)
    assert len(docs) == len(solutions) == size
    own = [process_answer(doc, [sol])["acc"] for doc, sol in zip(docs, solutions)]
    assert sum(own) == size, [d["rpt_id"] for d, a in zip(docs, own) if a < 1][:10]
    shifted = solutions[1:] + solutions[:1]
    other = [process_answer(doc, [sol])["acc"] for doc, sol in zip(docs, shifted)]
    assert sum(other) / size < 0.03
