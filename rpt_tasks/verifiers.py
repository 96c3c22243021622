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

from rpt_tasks.extract import answer_text, extract_answer, extract_choice, extract_code, extract_label, strip_reasoning

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


def _as_number(s: str) -> Fraction | None:
    if not s or not _FULL_NUMBER.match(s) or s in ("-", ".", "-."):
        return None
    try:
        return Fraction(s.replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return None


def _is_choice(s: str) -> bool:
    return len(s) == 1 and s.isalpha()


def verify_choice(prediction: str | None, gold: str, options: list[str]) -> Verdict:
    """Multiple choice: is the chosen letter (or the chosen option's text) the gold letter?"""
    letter = extract_choice(prediction, options)
    return Verdict(letter is not None and letter == gold.strip().upper(), letter)


def verify_label(prediction: str | None, gold: str, labels: list[str]) -> Verdict:
    """Classification: is the label named in the answer the gold label (case-insensitive)?"""
    label = extract_label(prediction, labels)
    return Verdict(label is not None and label.lower() == gold.strip().lower(), label)


_OPTION_TARGET = re.compile(r"^\(([A-Z])\)$")


def verify_exact(prediction: str | None, gold: str) -> Verdict:
    """Free-form exact match (BIG-Bench Hard): '(B)' targets compare as letters, numbers as
    numbers, anything else after case and whitespace normalisation."""
    answer = answer_text(prediction)
    if answer is None:
        return Verdict(False, None)
    target = _OPTION_TARGET.match(gold.strip())
    if target:
        letter = re.match(r"^\(?([A-Za-z])\)?(?:[.:)\s]|$)", answer.strip())
        return Verdict(bool(letter) and letter.group(1).upper() == target.group(1), answer)
    got, want = _plain(answer), _plain(gold)
    if got == want:
        return Verdict(True, answer)
    got_num, want_num = _as_number(got.replace(" ", "")), _as_number(want.replace(" ", ""))
    return Verdict(got_num is not None and got_num == want_num, answer)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().strip("*`").rstrip(".")).lower()


_SCALES = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "percent": 0.01}


def verify_number(prediction: str | None, gold: str, scale: str = "", rel_tol: float = 1e-3,
                  abs_tol: float = 0.011) -> Verdict:
    """Numeric answers (financial QA): equal within tolerance (gold is often rounded to cents),
    ignoring $, commas and %. With a `scale` ('million', 'percent', ...) the same quantity
    written out in units (1,500,000 for 1.5 million; 0.05 for 5 percent) counts too."""
    answer = answer_text(prediction)
    if answer is None:
        return Verdict(False, None)
    got, want = _number_in(answer), _number_in(gold)
    if got is None or want is None:
        return Verdict(False, answer)
    factors = {1.0, 1.0 / _SCALES.get(scale.lower(), 1.0)}
    return Verdict(any(abs(got * f - want) <= max(abs_tol, rel_tol * abs(want)) for f in factors), answer)


def _number_in(text: str) -> float | None:
    cleaned = re.sub(r"[$€£,%\s]|\\%|\\\$", "", str(text))
    cleaned = re.sub(r"^\((.*)\)$", r"-\1", cleaned)  # accounting negatives: (3.1)
    match = re.search(r"-?\d+(?:\.\d+)?", cleaned)
    try:
        return float(match.group()) if match else None
    except ValueError:
        return None


def verify_tatqa(prediction: str | None, gold_json: str, answer_type: str, scale: str = "") -> Verdict:
    """TAT-QA: arithmetic/count answers by number (tolerance), span answers by normalised text,
    multi-span answers as an unordered set of spans."""
    gold = json.loads(gold_json)
    if answer_type in ("arithmetic", "count") or isinstance(gold, (int, float)):
        return verify_number(prediction, str(gold if not isinstance(gold, list) else gold[0]), scale)
    answer = answer_text(prediction)
    if answer is None:
        return Verdict(False, None)
    spans = gold if isinstance(gold, list) else [gold]
    # Every gold span must appear, and nothing but separators may be left over: order-free,
    # and spans that themselves contain 'and' or commas stay whole.
    rest = _plain(answer)
    for span in sorted({_plain(str(x)) for x in spans}, key=len, reverse=True):
        if span not in rest:
            rest = None
            break
        rest = rest.replace(span, " ", 1)
    if rest is not None and re.fullmatch(r"[\s,;|&.]*(?:\band\b[\s,;|&.]*)*", rest):
        return Verdict(True, answer)
    want = {_plain(str(x)) for x in spans}
    if len(want) == 1 and all(_number_in(x) is not None for x in want | {answer}):
        return verify_number(prediction, str(spans[0]), scale)
    return Verdict(False, answer)


def verify_reasoning_gym(prediction: str | None, doc: dict) -> Verdict:
    """reasoning-gym puzzles, scored by reasoning-gym's own scorer on the regenerated entry;
    only a full-credit answer counts (its partial credit for Knights & Knaves is not a solve)."""
    from rpt_tasks.data import reasoning_gym_dataset

    answer = answer_text(prediction)
    if answer is None:
        return Verdict(False, None)
    dataset = reasoning_gym_dataset(doc["rg_name"], int(doc["rg_seed"]), int(doc["rg_size"]),
                                    doc.get("rg_config") or "{}")
    try:
        score = dataset.score_answer(answer, dataset[int(doc["rg_index"])])
    except Exception:  # noqa: BLE001 - a scorer choking on odd output means the answer is wrong
        score = 0.0
    return Verdict(score >= 1.0, answer)


_ROLE = re.compile(r"\b(knight|knave)s?\b", re.IGNORECASE)


def verify_assignment(prediction: str | None, gold_json: str, names: list[str]) -> Verdict:
    """Knights and Knaves: the answer must assign every person the gold role, in any order or
    phrasing ('Zoey is a knight', 'Zoey: knight', 'Zoey - knave'); the role closest after each
    name's last mention counts."""
    answer = answer_text(prediction)
    if answer is None:
        return Verdict(False, None)
    gold = json.loads(gold_json)
    found = {}
    for name in names:
        mentions = list(re.finditer(rf"\b{re.escape(name)}\b", answer))
        if not mentions:
            return Verdict(False, answer)
        role = _ROLE.search(answer, mentions[-1].end())
        next_name = min((m.start() for other in names if other != name
                         for m in re.finditer(rf"\b{re.escape(other)}\b", answer) if m.start() > mentions[-1].end()),
                        default=len(answer))
        if not role or role.start() > next_name:
            return Verdict(False, answer)
        found[name] = role.group(1).lower()
    return Verdict(found == gold, answer)


def _with_judge(verdict: Verdict, doc: dict) -> Verdict:
    """Free-form answers the rules reject go to the optional LLM judge (rpt_tasks.judge)."""
    from rpt_tasks.judge import judge_enabled, judge_equivalent

    if verdict.correct or verdict.answer is None or not judge_enabled():
        return verdict
    try:
        return Verdict(judge_equivalent(doc["question"], verdict.answer, doc["gold"]), verdict.answer, "judge")
    except (OSError, ValueError, KeyError) as e:  # an unreachable judge leaves the rule's verdict
        return Verdict(False, verdict.answer, f"judge unavailable: {type(e).__name__}")


def verify_doc(prediction: str | None, doc: dict) -> Verdict:
    """The one entry point: score an output against a canonical doc with the verifier its
    benchmark declares. lm-eval metrics and GRPO rewards both come through here (code in
    batches through verify_code_many)."""
    from rpt_tasks.registry import get_benchmark

    kind = get_benchmark(doc["rpt_benchmark"]).verifier
    if kind == "math":
        return verify_math(prediction, doc["gold"])
    if kind == "choice":
        return verify_choice(prediction, doc["gold"], list(doc["options"]))
    if kind == "label":
        return verify_label(prediction, doc["gold"], list(doc["labels"]))
    if kind == "exact":
        return verify_exact(prediction, doc["gold"])
    if kind == "number":
        return _with_judge(verify_number(prediction, doc["gold"]), doc)
    if kind == "tatqa":
        return _with_judge(verify_tatqa(prediction, doc["gold"], doc["answer_type"], doc.get("scale", "")), doc)
    if kind == "reasoning_gym":
        return verify_reasoning_gym(prediction, doc)
    if kind == "assignment":
        return verify_assignment(prediction, doc["gold"], list(doc["names"]))
    if kind == "code":
        return verify_code(prediction, json.loads(doc["tests"]))
    raise ValueError(f"unknown verifier {kind!r} for {doc['rpt_benchmark']}")


# ---------------------------------------------------------------- code


def code_program(prediction: str | None, tests: dict) -> str | None:
    """The program to run for a code answer, or None when the output holds no code.

    The last fenced block is the answer. For HumanEval-style specs (with a `prompt`), a block
    that does not define the entry point is a function body, and an output without any block
    is a plain continuation of the prompt (base models): both get the prompt in front.
    """
    if tests["kind"] == "project":  # whole files, as JSON {path: content}
        from rpt_tasks.polyglot import extract_files

        files = extract_files(prediction, tests)
        return json.dumps(files) if files else None
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
    if tests["kind"] == "project":
        from rpt_tasks.polyglot import command_tests

        return (program, *command_tests(tests, json.loads(program)))
    if tests["kind"] == "unittest":
        from rpt_tasks.bigcodebench import command_tests as bigcodebench_tests

        return (program, *bigcodebench_tests(program, tests))
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
        detail = f"{result.status}: {result.detail}".strip(": ")
        if result.output:  # a test runner's output: the feedback of a second attempt
            detail += "\n" + result.output
        verdicts.append(Verdict(result.passed, program, detail))
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
            [sys.executable, str(Path(__file__).resolve()), "--serve"], stdin=subprocess.PIPE,
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
