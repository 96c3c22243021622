"""`rpt compare`'s cost against reading its inputs: 5 models x 50k documents (synthetic lm-eval
folders, 10 tasks of 5k documents, coupled 0/1 outcomes and one avg@16 task).

    python scripts/bench_compare.py [--models 5] [--docs 50000]
Target (issue 17): the statistics (bootstrap, paired tests, CMH, Holm, MDE) within 1.5x the time
of reading the files.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

TASKS = ["rpt_gsm8k", "rpt_math500", "rpt_humaneval", "rpt_mbpp", "rpt_medqa", "rpt_pubmedqa", "rpt_arc_challenge",
         "rpt_gpqa_diamond", "rpt_folio", "rpt_aime24"]


def write_run(folder: Path, outcomes: dict[str, np.ndarray]) -> None:
    run = folder / "m"
    run.mkdir(parents=True)
    stamp = "2026-12-03T00-00-00.000000"
    (run / f"results_{stamp}.json").write_text(json.dumps({"versions": {t: 1.0 for t in outcomes},
                                                           "configs": {t: {} for t in outcomes}}))
    for task, values in outcomes.items():
        with (run / f"samples_{task}_{stamp}.jsonl").open("w") as f:
            for i, v in enumerate(values):
                f.write(json.dumps({"doc_id": i, "doc": {"rpt_id": f"{task}-{i}"}, "acc": float(v)}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=5)
    parser.add_argument("--docs", type=int, default=50_000)
    args = parser.parse_args()
    from rpt_tasks.compare import compare, load_run

    rng = np.random.default_rng(0)
    per_task = args.docs // len(TASKS)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = {t: (rng.random(per_task) < 0.5).astype(float) for t in TASKS}
        base["rpt_aime24"] = rng.integers(0, 17, per_task) / 16
        write_run(root / "base", base)
        for k in range(args.models):
            model = {t: np.where(rng.random(per_task) < 0.85, v, rng.random(per_task) < 0.55).astype(float)
                     for t, v in base.items()}
            model["rpt_aime24"] = np.clip(base["rpt_aime24"] + rng.integers(-1, 2, per_task) / 16, 0, 1)
            write_run(root / f"model{k}", model)
        start = time.perf_counter()
        runs = [load_run(root / "base")] + [load_run(root / f"model{k}") for k in range(args.models)]
        read = time.perf_counter() - start
        start = time.perf_counter()
        compare(runs[0], runs[1:])
        stats = time.perf_counter() - start
    print(f"{args.models} models x {per_task * len(TASKS)} documents")
    print(f"reading the files   {read:7.2f} s")
    print(f"the statistics      {stats:7.2f} s")
    print(f"ratio statistics / reading: {stats / read:.2f}  (target <= 1.50)")


if __name__ == "__main__":
    main()
