"""Answers that are not math or code: an option letter, a label, an exact string, a number
within tolerance, TAT-QA spans, a knights-and-knaves assignment, a reasoning-gym puzzle.

Each takes the raw model output and the gold answer and returns a Verdict; malformed output
never raises, it is simply wrong (`answer is None`: no extractable answer).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from rpt_tasks.verify.extract import answer_text, extract_choice, extract_label
from rpt_tasks.verify.math_answers import as_number
from rpt_tasks.verify.verdict import Verdict


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
    got_num, want_num = as_number(got.replace(" ", "")), as_number(want.replace(" ", ""))
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


@lru_cache(maxsize=32)
def reasoning_gym_dataset(name: str, seed: int, size: int, options: str = "{}"):
    """A reasoning-gym dataset; `options` is the generator config as JSON (hashable, for the cache).
    reasoning-gym is needed only when its puzzles are generated or scored."""
    import reasoning_gym

    return reasoning_gym.create_dataset(name, seed=seed, size=size, **json.loads(options))


def verify_reasoning_gym(prediction: str | None, doc: dict) -> Verdict:
    """reasoning-gym puzzles, scored by reasoning-gym's own scorer on the regenerated entry;
    only a full-credit answer counts (its partial credit for Knights & Knaves is not a solve)."""
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


def with_judge(verdict: Verdict, doc: dict) -> Verdict:
    """Free-form answers the rules reject go to the optional LLM judge (rpt_tasks.verify.judge)."""
    from rpt_tasks.verify.judge import judge_enabled, judge_equivalent

    if verdict.correct or verdict.answer is None or not judge_enabled():
        return verdict
    try:
        return Verdict(judge_equivalent(doc["question"], verdict.answer, doc["gold"]), verdict.answer, "judge")
    except (OSError, ValueError, KeyError) as e:  # an unreachable judge leaves the rule's verdict
        return Verdict(False, verdict.answer, f"judge unavailable: {type(e).__name__}")
