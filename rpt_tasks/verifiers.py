"""The verifiers: one function per answer kind, shared by lm-eval metrics and GRPO rewards.

Each takes the raw model output and the gold answer and returns a `Verdict`, which is truthy
when correct and converts to the 0/1 reward with float(). Malformed output never raises: it is
simply wrong (and `answer is None` says it had no extractable answer).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from rpt_tasks.extract import extract_answer, extract_code, strip_reasoning

MATH_TIMEOUT_S = 1.5  # per comparison, after the worker is up; the 2 s budget includes IPC slack
WORKER_START_TIMEOUT_S = 60.0  # importing sympy on a loaded 2-core box can take a while, once
MAX_ANSWER_CHARS = 2000  # no real answer is longer; longer ones are junk not worth parsing
CODE_TIMEOUT_S = 10.0  # per program in function mode (all of its tests together)


@dataclass(frozen=True)
class Verdict:
    correct: bool
    answer: str | None  # what was read as the final answer (code: the program); None = none found
    detail: str = ""  # why not, when it is useful (e.g. the sandbox status)

    def __bool__(self) -> bool:
        return self.correct

    def __float__(self) -> float:
        return 1.0 if self.correct else 0.0


def verify_math(prediction: str | None, gold: str) -> Verdict:
    """Is the final answer of `prediction` mathematically equal to `gold`?

    Plain numbers are compared exactly in-process (GSM8K, AIME, AMC: no worker needed);
    everything else goes to math-verify in a worker process that is killed if it overruns,
    because sympy can hang in C code where no signal or thread timeout reaches it.
    """
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
    pred_num, gold_num = _as_number(pred_norm), _as_number(gold_norm)
    if gold_num is not None and pred_num is not None:
        return pred_num == gold_num
    if _is_choice(gold_norm):
        return pred_norm.upper() == gold_norm.upper()
    return _worker().equal(gold_norm, pred_norm)


_TEXT_WRAPPED_CHOICE = re.compile(r"^\\(?:text|textbf|mathrm)\{\s*\(?\s*([A-Za-z])\s*\)?\s*\}$")
_UNITS_AFTER_NUMBER = re.compile(
    r"^(-?[\d.,/]+)\s*(?:\\(?:text|mbox|mathrm)\{[^{}]*\}|\s[A-Za-z][A-Za-z .]*|[A-Za-z]+\.?)$")
_VARIABLE_ASSIGNMENT = re.compile(r"^[A-Za-z]\w*\s*=\s*([^=]+)$")
_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$|^-?\d+/\d+$")


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


def _as_number(s: str) -> Fraction | None:
    if not s or not _NUMBER.match(s) or s in ("-", ".", "-."):
        return None
    try:
        return Fraction(s.replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return None


def _is_choice(s: str) -> bool:
    return len(s) == 1 and s.isalpha()


# ---------------------------------------------------------------- code


def code_program(prediction: str | None, tests: dict) -> str | None:
    """The program to run for a code answer, or None when the output holds no code.

    The last fenced block is the answer. For HumanEval-style specs (with a `prompt`), a block
    that does not define the entry point is a function body, and an output without any block
    is a plain continuation of the prompt (base models): both get the prompt in front.
    """
    code = extract_code(prediction)
    prompt = tests.get("prompt") or ""
    if code is None:
        if not prompt or not isinstance(prediction, str) or strip_reasoning(prediction) is None:
            return None
        code = prompt + strip_reasoning(prediction)
    elif prompt and not re.search(rf"def\s+{re.escape(tests.get('entry_point') or '')}\s*\(", code):
        code = prompt + code
    return (tests.get("prefix") or "") + code


def sandbox_job(program: str, tests: dict):
    """A tests spec (registry format) as sandbox arguments: (code, tests, limits)."""
    from rpt_tasks.sandbox import FunctionTests, Limits, StdioTests

    if tests["kind"] == "function":
        return program, FunctionTests(tests["program"], tests.get("entry_point")), Limits(timeout_s=CODE_TIMEOUT_S)
    cases = tuple((str(i), str(o)) for i, o in tests["cases"])
    return (program, StdioTests(cases, tests.get("float_tolerance")),
            Limits(timeout_s=float(tests.get("time_limit_s") or CODE_TIMEOUT_S)))


def verify_code(prediction: str | None, tests: dict) -> Verdict:
    """Does the program in `prediction` pass every test? Runs in rpt_tasks.sandbox."""
    return verify_code_many([prediction], [tests], progress=False)[0]


def verify_code_many(predictions: list, tests: list[dict], progress: bool = True) -> list[Verdict]:
    """verify_code over many outputs at once, in parallel on the machine's cores."""
    from rpt_tasks.sandbox import default_sandbox

    programs = [code_program(p, t) for p, t in zip(predictions, tests)]
    jobs = [(i, sandbox_job(prog, t)) for i, (prog, t) in enumerate(zip(programs, tests)) if prog is not None]
    sandbox = default_sandbox()
    futures = {i: sandbox.submit(*job) for i, job in _progress(jobs, progress)}
    verdicts = []
    for i, program in enumerate(programs):
        if program is None:
            verdicts.append(Verdict(False, None, "no code"))
            continue
        result = futures[i].result()
        verdicts.append(Verdict(result.passed, program, f"{result.status}: {result.detail}".strip(": ")))
    return verdicts


def _progress(jobs, enabled: bool):
    from tqdm import tqdm

    return tqdm(jobs, desc="running code", disable=not enabled or len(jobs) < 2)


# ---------------------------------------------------------------- math-verify worker process
class _MathWorker:
    """A child process running math-verify, one per thread, killed and replaced on overrun."""

    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [
            str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")])))
        self.owner = os.getpid()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rpt_tasks.verifiers", "--serve"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        self._buf = b""
        if self._readline(time.monotonic() + WORKER_START_TIMEOUT_S) != b"ready":
            self.close()
            raise RuntimeError("math-verify worker did not start; is math-verify installed?")

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None

    def equal(self, gold: str, pred: str) -> bool:
        request = json.dumps({"gold": gold, "pred": pred}).encode() + b"\n"
        try:
            self.proc.stdin.write(request)
            self.proc.stdin.flush()
            reply = self._readline(time.monotonic() + MATH_TIMEOUT_S)
        except OSError:
            reply = None
        if reply not in (b"1", b"0"):
            self.close()  # overran or died: the next call gets a fresh worker
            return False
        return reply == b"1"

    def _readline(self, deadline: float) -> bytes | None:
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.strip()

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
    from math_verify import parse, verify
    from math_verify.parser import ExprExtractionConfig, LatexExtractionConfig

    config = [LatexExtractionConfig(), ExprExtractionConfig()]
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            gold = parse(f"${request['gold']}$", extraction_config=config, parsing_timeout=1)
            pred = parse(f"${request['pred']}$", extraction_config=config, parsing_timeout=1)
            ok = bool(gold and pred and verify(gold, pred, timeout_seconds=1))
        except BaseException:  # noqa: BLE001 - RecursionError, MemoryError, sympy internals: all "not equal"
            ok = False
        out.write(b"1\n" if ok else b"0\n")
        out.flush()


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
