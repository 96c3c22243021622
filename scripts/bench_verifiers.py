"""Our answer verifiers against the graders that come with real evaluation logs.

Reads the regression corpus in tests/data/graded_outputs/ (real model outputs from public logs
and graders' own test cases, each with its peer grader's verdict; see its README) and, per
source, prints: rows, agreement with the peer, adjudicated accuracy (the truth is the peer's
verdict unless adjudications.jsonl holds a reading of the case that overrules it), false
positives (we reward a wrong answer) and false negatives.

    python scripts/bench_verifiers.py [--disagreements out.jsonl] [--only FILE_STEM]
    python scripts/bench_verifiers.py --timing [--baseline /path/to/older/checkout]
Targets (issue 15): adjudicated accuracy >= 99.5% on the real outputs, zero false positives;
with --timing, MATH-500's 500 reference answers verified (as "ANSWER: <gold>", and as the gold in
a box after prose) within 1.2x of the baseline checkout's time, every comparison under 2 s.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "graded_outputs"
GRADER_TESTS = ("math-verify-tests", "nemo-skills-math-equal-tests")  # graders' test cases, not model outputs


def load_corpus(only: str | None = None) -> dict[str, list[dict]]:
    files = sorted(CORPUS.glob("*.jsonl.gz"))
    return {f.name[:-len(".jsonl.gz")]: [json.loads(line) for line in gzip.open(f, "rt", encoding="utf-8")]
            for f in files if only is None or f.name.startswith(only)}


def load_adjudications() -> dict[tuple[str, str], dict]:
    path = CORPUS / "adjudications.jsonl"
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(row["file"], row["id"]): row for row in rows}


def _as_list(value) -> list:
    return value if isinstance(value, list) else ast.literal_eval(value)


def _truthy(value) -> bool:
    return value is True or str(value).lower() == "true"


def our_verdict(row: dict):
    from rpt_tasks.verify.math_answers import verify_math
    from rpt_tasks.verify.text_answers import verify_choice, verify_label

    if row["kind"] == "math":
        return verify_math(row["output"], row["gold"])
    if row["kind"] == "choice":
        return verify_choice(row["output"], row["gold"], _as_list(row["options"]))
    return verify_label(row["output"], row["gold"], _as_list(row["labels"]))


TIMING_SNIPPET = r"""
import json, os, sys, time
from pathlib import Path
from rpt_tasks.verify.math_answers import verify_math
rows = [json.loads(l) for l in (Path(os.environ["RPT_DATA_DIR"]) / "math500" / "test.jsonl").read_text().splitlines()]
golds = [str(r.get("answer") or r.get("gold")) for r in rows]
# the reference solutions as outputs (extraction from real text), and the golds respelled
# (\\dfrac, spaces) so that most comparisons go to math-verify
respelled = [g.replace("\\frac", "\\dfrac").replace(",", ", ") + " " for g in golds]
outputs = [r["solution"] for r in rows] + [f"So the answer is \\boxed{{{g}}}." for g in respelled]
verify_math("ANSWER: \\frac{1}{2}", "0.5")  # the worker's start is not the comparison's time
start, worst, right = time.perf_counter(), 0.0, 0
for output, gold in zip(outputs, golds + golds):
    t = time.perf_counter()
    right += bool(verify_math(output, gold))
    worst = max(worst, time.perf_counter() - t)
print(json.dumps({"seconds": time.perf_counter() - start, "worst": worst, "right": right, "n": len(outputs)}))
"""


def timing(baseline: str | None) -> None:
    import os
    import subprocess
    import sys

    runs = {"this checkout": str(Path(__file__).resolve().parent.parent)}
    if baseline:
        runs["baseline " + baseline] = baseline
    results = {}
    for _ in range(3):  # interleaved, medians: the machine's load hits both alike
        for name, root in runs.items():
            env = dict(os.environ, PYTHONPATH=root)
            out = subprocess.run([sys.executable, "-c", TIMING_SNIPPET], env=env, cwd=root, capture_output=True,
                                 text=True, check=True).stdout
            results.setdefault(name, []).append(json.loads(out.splitlines()[-1]))
    print(f"{'MATH-500 references':<46}{'median s':>10}{'worst s':>9}{'right':>11}")
    for name, values in results.items():
        seconds = sorted(v["seconds"] for v in values)[1]
        print(f"{name[:45]:<46}{seconds:>10.2f}{max(v['worst'] for v in values):>9.2f}"
              f"{values[0]['right']:>6}/{values[0]['n']}")
    if baseline:
        ours, theirs = (sorted(v["seconds"] for v in values)[1] for values in results.values())
        print(f"ratio this / baseline (medians): {ours / theirs:.2f}  (target <= 1.20)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--disagreements", help="write the rows where we differ from the peer or the truth here")
    parser.add_argument("--only", help="one file (its name without .jsonl.gz, or a prefix)")
    parser.add_argument("--timing", action="store_true", help="time MATH-500's references instead")
    parser.add_argument("--baseline", help="with --timing: an older checkout to time side by side")
    args = parser.parse_args()
    if args.timing:
        timing(args.baseline)
        return
    corpus, adjudications = load_corpus(args.only), load_adjudications()
    print(f"{'source':<42}{'rows':>7}{'agree':>9}{'adjud. acc':>12}{'FP':>5}{'FN':>5}{'s':>7}")
    totals = {"rows": 0, "agree": 0, "right": 0, "fp": 0, "fn": 0}
    out = open(args.disagreements, "w", encoding="utf-8") if args.disagreements else None
    for name, rows in corpus.items():
        counts = dict.fromkeys(totals, 0)
        start = time.perf_counter()
        for row in rows:
            if row.get("answer_cut"):
                continue  # the peer judged text the logged output no longer holds (README)
            verdict = our_verdict(row)
            ours, peer = bool(verdict.correct), _truthy(row["peer_verdict"])
            ruling = adjudications.get((name, str(row["id"])))
            truth = _truthy(ruling["correct"]) if ruling else peer
            counts["rows"] += 1
            counts["agree"] += ours == peer
            counts["right"] += ours == truth
            counts["fp"] += ours and not truth
            counts["fn"] += truth and not ours
            if out and (ours != peer or ours != truth):
                out.write(json.dumps({"file": name, "id": row["id"], "ours": ours, "our_answer": verdict.answer,
                                      "peer": peer, "truth": truth, "adjudicated": bool(ruling), "gold": row["gold"],
                                      "peer_pred": row.get("peer_pred"), "kind": row["kind"],
                                      "options": row.get("options"), "labels": row.get("labels"),
                                      "output_tail": row["output"][-1500:]}) + "\n")
        elapsed = time.perf_counter() - start
        n = max(counts["rows"], 1)
        label = name + (" (grader tests)" if name in GRADER_TESTS else "")
        print(f"{label:<42}{counts['rows']:>7}{counts['agree'] / n:>9.2%}{counts['right'] / n:>12.2%}"
              f"{counts['fp']:>5}{counts['fn']:>5}{elapsed:>7.1f}")
        if name not in GRADER_TESTS:
            for key in totals:
                totals[key] += counts[key]
    n = max(totals["rows"], 1)
    print(f"{'real model outputs, all sources':<42}{totals['rows']:>7}{totals['agree'] / n:>9.2%}"
          f"{totals['right'] / n:>12.2%}{totals['fp']:>5}{totals['fn']:>5}")
    print(f"\nadjudications: {len(adjudications)} rows read from {CORPUS / 'adjudications.jsonl'}")
    if out:
        out.close()


if __name__ == "__main__":
    main()
