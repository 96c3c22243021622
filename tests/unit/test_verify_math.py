import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from rpt_tasks.verify import Verdict, math_equal, verify_math

EQUIVALENT = [
    ("\\frac{1}{2}", "\\dfrac12"), ("\\frac{1}{2}", "0.5"), ("\\frac12", "1/2"),
    ("3", "x = 3"), ("1000", "1,000"), ("1000", "1{,}000"), ("50", "50\\%"), ("50", "50%"),
    ("90", "90^\\circ"), ("90", "90^{\\circ}"), ("(1,2]", "(1, 2]"), ("\\{1,2\\}", "\\{2,1\\}"),
    ("[-2, 3)", "[-2,3)"), ("\\text{(B)}", "B"), ("\\text{(B)}", "(B)"), ("18", "18 dollars"),
    ("18", "18 \\text{ dollars}"), ("5", "5 cm"), ("25", "025"), ("27", "27.0"), ("-4", "-4"),
    ("\\frac{\\sqrt{3}}{2}", "\\sqrt3/2"), ("2\\sqrt{2}", "\\sqrt{8}"),
    ("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})"), ("18", "\\$18"),
]
DIFFERENT = [("2", "3"), ("\\frac{1}{2}", "\\frac{1}{3}"), ("(1,2]", "[1,2]"), ("\\text{(B)}", "C"),
             ("1000", "100"), ("x^2", "x^3"), ("27", "27.5")]


@pytest.mark.parametrize("gold, answer", EQUIVALENT)
def test_equivalent_forms(gold, answer):
    assert math_equal(answer, gold), (gold, answer)


@pytest.mark.parametrize("gold, answer", DIFFERENT)
def test_different_answers(gold, answer):
    assert not math_equal(answer, gold), (gold, answer)


def test_verdict_is_reward_and_metric():
    right = verify_math("work... ANSWER: \\boxed{\\dfrac{1}{2}}", "\\frac{1}{2}")
    assert right and float(right) == 1.0 and right.answer == "\\dfrac{1}{2}"
    wrong = verify_math("nothing to see", "1")
    assert wrong == Verdict(False, None) and float(wrong) == 0.0


HOSTILE = {
    "power tower": "ANSWER: 10^{10^{10^{10}}}",
    "tower in a box": "\\boxed{9^{9^{9^{9^{9^{9}}}}}}",
    "factorial tower": "ANSWER: ((10^{100})!)!",
    "nested braces": "{" * 10000 + "1" + "}" * 10000,
    "nested boxed braces": "\\boxed{" + "{" * 10000 + "1" + "}" * 10000 + "}",
    "one megabyte": "x = 1 " * 180_000,
    "binary junk": bytes(range(256)).decode("latin-1") * 400,
    "unbalanced latex": "ANSWER: \\frac{1}{\\sqrt{\\left( 2 \\right.}",
    "lone surrogates": "ANSWER: \ud800\udfff 5",
    "deep parens": "ANSWER: " + "(" * 5000 + "1" + ")" * 5000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_output_returns_within_2s(name):
    verify_math("ANSWER: 2/4", "\\frac{1}{2}")  # worker already up: the 2 s bound is per call
    start = time.monotonic()
    verdict = verify_math(HOSTILE[name], "10")
    assert isinstance(verdict, Verdict) and not verdict.correct
    assert time.monotonic() - start < 2.0


def test_time_bound_holds_in_threads():
    outputs = [HOSTILE["power tower"], "ANSWER: \\frac{2}{4}", HOSTILE["tower in a box"], "ANSWER: 0.5"] * 2
    start = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        verdicts = list(pool.map(lambda o: verify_math(o, "\\frac{1}{2}"), outputs))
    assert [v.correct for v in verdicts] == [False, True, False, True] * 2
    # each thread has its own worker; worst case is a cold start plus two overruns per thread
    assert time.monotonic() - start < 30


def _verify_in_child(args):
    output, gold = args
    start = time.monotonic()
    return bool(verify_math(output, gold)), time.monotonic() - start


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_time_bound_holds_in_worker_processes(method):
    verify_math("ANSWER: \\frac{2}{4}", "\\frac{1}{2}")  # a forked child must not reuse this worker
    with multiprocessing.get_context(method).Pool(2) as pool:
        pool.map(_verify_in_child, [("ANSWER: \\sqrt{4}", "2")] * 2)  # warm each child's worker
        results = pool.map(_verify_in_child, [(HOSTILE["power tower"], "10"), ("ANSWER: \\sqrt{4}", "2")] * 2)
    assert [ok for ok, _ in results] == [False, True, False, True]
    assert max(elapsed for _, elapsed in results) < 2.0


def test_daemonic_process_can_verify():
    # multiprocessing.Pool children are daemonic and may not start multiprocessing children;
    # the worker is a plain subprocess, so verification still works there.
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=lambda q: q.put(bool(verify_math("ANSWER: \\dfrac{1}{2}", "0.5"))), args=(queue,),
                       daemon=True)
    proc.start()
    assert queue.get(timeout=60) is True
    proc.join(10)
