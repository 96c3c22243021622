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
    """Equivalence of two final answers (not whole outputs). Never equal when the answer drops
    or adds a symbol (a variable, a prime, a unit that differs from the gold's), uses digits of
    another script, or hedges ("2 or 3"): a policy must not gain by leaving things out."""
    if len(answer) > MAX_ANSWER_CHARS:
        return False
    answer, gold = look_alikes_folded(answer), look_alikes_folded(str(gold))
    if answer is None or gold is None:
        return False
    pred_norm, gold_norm = normalize_math_answer(answer), normalize_math_answer(gold)
    pred_unit, gold_unit = _unit_of(answer), _unit_of(gold)
    if pred_unit and gold_unit and pred_unit != gold_unit:
        return False  # 5 pm is not 5 am
    if pred_norm == gold_norm or _squeezed(pred_norm) == _squeezed(gold_norm):
        return True
    pred_num, gold_num = as_number(pred_norm), as_number(gold_norm)
    if gold_num is not None and pred_num is not None:
        return pred_num == gold_num
    if _is_choice(gold_norm):
        chosen = re.match(r"^\(?([A-Za-z])\)?(?:[.:)\s]|$)", pred_norm)  # "(D) (2,0)" chooses D
        return bool(chosen) and chosen.group(1).upper() == gold_norm.upper()
    if _symbols(pred_norm) != _symbols(gold_norm):
        return False
    return symbolic_equal(*_renamed_variables(gold_norm, pred_norm))


# Letters that are names, not variables, once commands and \text{} are gone.
_FUNCTION_NAMES = re.compile(r"\b(?:sin|cos|tan|cot|sec|csc|arcsin|arccos|arctan|sinh|cosh|tanh|log|ln|lg|exp|"
                             r"sqrt|max|min|gcd|lcm|mod|det|lim|inf|sup|deg)\b")


def _symbols(s: str) -> tuple:
    """The variables and primes of an answer: letters outside commands, \\text{} and function
    names, with their primes. Two answers with different symbols are not equal, whatever a
    parser that drops a prime or an unknown letter concludes."""
    s = re.sub(r"\\(?:text|textbf|mbox|mathrm|operatorname)\s*\{[^{}]*\}", " ", s)
    s = re.sub(r"\\(?:mathcal|mathbf|mathbb|boldsymbol)\s*\{\s*([A-Za-z])\s*\}", r"\1", s)
    s = re.sub(r"\\(?:prime)\b", "'", s)
    s = re.sub(r"\\[A-Za-z]+", " ", s)
    s = _FUNCTION_NAMES.sub(" ", s)
    return tuple(sorted({v.lower() for v in re.findall(r"[^\W\d_]'*", s)})), s.count("'")


# Single letters math-verify would strip as units ("m", "s", "h" ...) or that differ only in
# case (an integration constant C or c): once both answers have the same symbols, each is
# renamed to a letter math-verify reads as a variable, the same in both.
_SAFE_LETTERS = "xyzuvwabcnkpqrt"


def _renamed_variables(gold: str, pred: str) -> tuple[str, str]:
    token = re.compile(r"\\[A-Za-z]+|" + _FUNCTION_NAMES.pattern + r"|([A-Za-z])")
    letters = {m.group(1) for text in (gold, pred) for m in token.finditer(text) if m.group(1)}
    if all(c in _SAFE_LETTERS or c in "ei" for c in letters):
        return gold, pred
    lowered = sorted({c.lower() for c in letters} - set("ei"))  # e and i stay the constants
    free = [c for c in _SAFE_LETTERS if c not in lowered]
    mapping = {c: c if c in _SAFE_LETTERS else (free.pop(0) if free else c) for c in lowered}

    def rename(text: str) -> str:
        return token.sub(lambda m: (f" {mapping.get(m.group(1).lower(), m.group(1))} " if m.group(1) else m.group(0)),
                         text)

    return rename(gold), rename(pred)


def _squeezed(s: str) -> str:
    """Without whitespace, with one spelling of each matrix environment."""
    s = re.sub(r"\s+", "", s)
    return re.sub(r"\\(begin|end)\{[bBpvV]?matrix\}", r"\\\1{matrix}", s)


_GREEK = {ord(k): v for k, v in {"α": "\\alpha ", "β": "\\beta ", "γ": "\\gamma ", "δ": "\\delta ", "θ": "\\theta ",
                                   "λ": "\\lambda ", "μ": "\\mu ", "π": "\\pi ", "σ": "\\sigma ", "φ": "\\phi ",
                                   "ω": "\\omega ", "∞": "\\infty "}.items()}
_MINUS_SIGNS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\ufe63\uff0d"), "-")


def look_alikes_folded(text: str) -> str | None:
    """NFKC (fullwidth digits and letters are the ASCII ones: a model writing them means the same
    number) and every minus-like dash as '-'. None (never equal to anything) when digits of
    another script remain: Arabic-Indic or Devanagari digits are not silently read as 0-9."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).translate(_MINUS_SIGNS)
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return None
    return text


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
# A unit after a number: \text{...}, a word of two or more letters after a space ("12 dollars"),
# or a known unit written against the number ("10cm"). Never one letter: "3n", "2k", "4 x" are
# expressions, not 3, 2 and 4 with units.
_UNIT_WORDS = ("cm", "mm", "km", "kg", "mg", "ml", "hr", "hrs", "min", "mins", "sec", "secs", "mph", "ft", "in",
               "yd", "mi", "lb", "lbs", "oz", "dollars", "cents", "degrees", "units", "sq", "inches", "feet",
               "meters", "miles", "hours", "minutes", "seconds", "days", "weeks", "years", "pounds")
_UNITS_AFTER_NUMBER = re.compile(
    r"^(-?[\d.,/:]*\d)\s*(\\(?:text|mbox|mathrm)\{[^{}]*\}(?:\^\{?\d\}?)?|\s[A-Za-z]{2,}[A-Za-z .]*(?:\^\{?\d\}?)?|"
    r"\s?[ap]\.?m\.?|(?:" + "|".join(_UNIT_WORDS) + r")\.?(?:\^\{?\d\}?)?)$")
_VARIABLE_ASSIGNMENT = re.compile(r"^[A-Za-z]\w*(?:_\{?\w+\}?)?(?:\([^()=]*\))?\s*=\s*([^=]+)$")  # x =, f(x) =, a_1 =
_FULL_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?$|^-?\d+/\d+$", re.ASCII)


def normalize_math_answer(text: str) -> str:
    """Cosmetic normalisation only: wrappers, units, degree and percent signs, 'x ='."""
    s = text.strip().replace("\\$", "\0").replace("$", "").replace("\0", "\\$").strip()
    s = s.translate(_GREEK)
    s = re.sub(r"(?<!\\)\\[!,;](?![A-Za-z])|\\displaystyle", "", s)
    # several answers: "5 and 9", "5 \text{ or } 9", "1 \quad 2" are the list "5, 9" (a hedge
    # between values stays a list, which equals no single gold value)
    s = re.sub(r"\s*(?:\\text\{\s*(?:and|or|,)\s*\}|\\q?quad|\s(?:and|or)\s)\s*", ", ", s).strip(", ")  # spacing, not a row break "\\\\"
    s = re.sub(r"(?<!\\)\\ ", " ", s)
    s = re.sub(r"\^\s*\{?\\circ\}?|°|\\%|%|^\\\$|^\$", "", s).strip()
    s = s.replace("{,}", ",")
    s = re.sub(r"(?<=\d),\s+(?=\d{3}(?!\d))", ",", s)  # 11,\! 111,\! 100 once the spacing is gone
    s = re.sub(r"\\(?:mathcal|mathbf|mathrm|mathbb|text|textbf)\s*\{\s*([A-Za-z])\s*\}", r"\1", s)
    s = re.sub(r"^[a-z]\s*\\in\s*", "", s)  # x \in [2, 5]
    mixed = re.match(r"^(-?)(\d+)\s+(\d+)/(\d+)$", s)  # 3128 1/2
    if mixed and int(mixed.group(4)) != 0 and int(mixed.group(3)) < int(mixed.group(4)):
        whole = Fraction(int(mixed.group(2))) + Fraction(int(mixed.group(3)), int(mixed.group(4)))
        s = mixed.group(1) + str(whole)
    choice = _TEXT_WRAPPED_CHOICE.match(s) or re.match(r"^\(\s*([A-Za-z])\s*\)$", s)
    if choice:
        return choice.group(1)
    assignment = _VARIABLE_ASSIGNMENT.match(s)
    if assignment:
        s = assignment.group(1).strip()
    parts = s.split(",")
    if len(parts) > 1 and all(re.match(r"^\s*[A-Za-z]\s*=[^=]+$", p) for p in parts):  # a=2, a=-6
        s = ", ".join(p.split("=", 1)[1].strip() for p in parts)
    units = _UNITS_AFTER_NUMBER.match(s)
    if units:
        s = units.group(1)
    return s.rstrip(".").strip()


def _unit_of(text: str) -> str:
    """The unit written after a number ("" if none), in one spelling."""
    s = text.replace("$", "").strip()
    m = _UNITS_AFTER_NUMBER.match(re.sub(r"\\[,;! ]", "", s))
    if not m:
        return ""
    unit = re.sub(r"\\(?:text|mbox|mathrm)\{([^{}]*)\}", r"\1", m.group(2)).replace(".", "").strip().lower()
    return unit[:-1] if unit.endswith("s") and len(unit) > 3 else unit


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
