"""Math answers: is the final answer of an output mathematically equal to the gold answer?

Plain numbers are compared exactly in-process (GSM8K, AIME, AMC: no worker needed); everything
else goes to math-verify in a worker process that is killed if it overruns, because sympy can
hang in C code where no signal or thread timeout reaches it.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

from rpt_tasks.verify.extract import extract_answer
from rpt_tasks.verify.pipes import Closed, PipeReader, Timeout, TooLong
from rpt_tasks.verify.verdict import Verdict

MATH_TIMEOUT_S = 1.5  # per comparison, after the worker is up; the 2 s budget includes IPC slack
WORKER_START_TIMEOUT_S = 60.0  # importing sympy on a loaded 2-core box can take a while, once
MAX_ANSWER_CHARS = 2000  # no real answer is longer; longer ones are junk not worth parsing


def verify_math(prediction: str | None, gold: str) -> Verdict:
    """Is the final answer of `prediction` mathematically equal to `gold`?"""
    answer = extract_answer(prediction, allow_last_number=True)
    if answer is None:
        return Verdict(False, None)
    return Verdict(math_equal(answer, gold), answer)


def math_equal(answer: str, gold: str) -> bool:
    """Equivalence of two final answers (not whole outputs)."""
    if len(answer) > MAX_ANSWER_CHARS:
        return False
    pred_norm, gold_norm = normalize_math_answer(answer), normalize_math_answer(str(gold))
    if pred_norm == gold_norm:
        return True
    pred_num, gold_num = as_number(pred_norm), as_number(gold_norm)
    if gold_num is not None and pred_num is not None:
        return pred_num == gold_num
    if _is_choice(gold_norm):
        return pred_norm.upper() == gold_norm.upper()
    return symbolic_equal(gold_norm, pred_norm)


def symbolic_equal(gold: str, pred: str) -> bool:
    """math-verify's equivalence, in this thread's worker process (a hard time bound)."""
    return _worker().equal(gold, pred)


def math_verify_equal(gold: str, pred: str) -> bool:
    """math-verify on two final answers, bounded by its own timeouts (signals: main thread only)."""
    from math_verify import parse, verify
    from math_verify.parser import ExprExtractionConfig, LatexExtractionConfig

    config = [LatexExtractionConfig(), ExprExtractionConfig()]
    try:
        gold_parsed = parse(f"${gold}$", extraction_config=config, parsing_timeout=1)
        pred_parsed = parse(f"${pred}$", extraction_config=config, parsing_timeout=1)
        return bool(gold_parsed and pred_parsed and verify(gold_parsed, pred_parsed, timeout_seconds=1))
    except BaseException:  # noqa: BLE001 - RecursionError, MemoryError, sympy internals: all "not equal"
        return False


_TEXT_WRAPPED_CHOICE = re.compile(r"^\\(?:text|textbf|mathrm)\{\s*\(?\s*([A-Za-z])\s*\)?\s*\}$")
_UNITS_AFTER_NUMBER = re.compile(
    r"^(-?[\d.,/]+)\s*(?:\\(?:text|mbox|mathrm)\{[^{}]*\}|\s[A-Za-z][A-Za-z .]*|[A-Za-z]+\.?)$")
_VARIABLE_ASSIGNMENT = re.compile(r"^[A-Za-z]\w*\s*=\s*([^=]+)$")
_FULL_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$|^-?\d+/\d+$")


def normalize_math_answer(text: str) -> str:
    """Cosmetic normalisation only: wrappers, units, degree and percent signs, 'x ='."""
    s = text.strip().strip("$").strip()
    for junk in ("\\!", "\\,", "\\;", "\\ ", "\\displaystyle"):
        s = s.replace(junk, "" if junk != "\\ " else " ")
    s = re.sub(r"\^\s*\{?\\circ\}?|°|\\%|%|^\\\$|^\$", "", s).strip()
    choice = _TEXT_WRAPPED_CHOICE.match(s) or re.match(r"^\(\s*([A-Za-z])\s*\)$", s)
    if choice:
        return choice.group(1)
    assignment = _VARIABLE_ASSIGNMENT.match(s)
    if assignment:
        s = assignment.group(1).strip()
    units = _UNITS_AFTER_NUMBER.match(s)
    if units:
        s = units.group(1)
    return s.rstrip(".").strip()


def as_number(s: str) -> Fraction | None:
    """An exact number for plain numerals ('1,234', '-0.5', '3/4'), else None."""
    if not s or not _FULL_NUMBER.match(s) or s in ("-", ".", "-."):
        return None
    try:
        return Fraction(s.replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return None


def _is_choice(s: str) -> bool:
    return len(s) == 1 and s.isalpha()


# ---------------------------------------------------------------- math-verify worker process
def worker_command() -> tuple[list[str], dict]:
    """How the worker starts: this module run with --serve (argv, environment)."""
    root = str(Path(__file__).resolve().parent.parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    return [sys.executable, "-m", "rpt_tasks.verify.math_answers", "--serve"], env


class _MathWorker:
    """A child process running math-verify, one per thread, killed and replaced on overrun."""

    def __init__(self) -> None:
        argv, env = worker_command()
        self.owner = os.getpid()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
        self.reader = PipeReader(self.proc.stdout.fileno())
        if self._reply(WORKER_START_TIMEOUT_S) != b"ready":
            self.close()
            raise RuntimeError("math-verify worker did not start; is math-verify installed?")

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None

    def equal(self, gold: str, pred: str) -> bool:
        request = json.dumps({"gold": gold, "pred": pred}).encode() + b"\n"
        try:
            self.proc.stdin.write(request)
            self.proc.stdin.flush()
            reply = self._reply(MATH_TIMEOUT_S)
        except OSError:
            reply = None
        if reply not in (b"1", b"0"):
            self.close()  # overran or died: the next call gets a fresh worker
            return False
        return reply == b"1"

    def _reply(self, seconds: float) -> bytes | None:
        self.reader.deadline = time.monotonic() + seconds
        try:
            return self.reader.line(limit=64).strip()
        except (Timeout, Closed, TooLong):
            return None

    def close(self) -> None:
        if self.owner == os.getpid() and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()


_local = threading.local()
_all_workers: list[_MathWorker] = []


def _worker() -> _MathWorker:
    worker = getattr(_local, "worker", None)
    if worker is None or not worker.alive():
        worker = _local.worker = _MathWorker()
        _all_workers.append(worker)
    return worker


@atexit.register
def _close_workers() -> None:
    for worker in _all_workers:
        worker.close()


def _serve() -> None:
    """Worker loop: one JSON request per line in, '1' or '0' per line out."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # a runaway bignum dies, not the box
    import math_verify  # noqa: F401 - loaded before "ready": the first comparison is then fast

    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            ok = math_verify_equal(request["gold"], request["pred"])
        except ValueError:
            ok = False
        out.write(b"1\n" if ok else b"0\n")
        out.flush()


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
