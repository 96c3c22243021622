"""The verifier core: one call scores model outputs against docs, for lm-eval metrics and for
GRPO rewards alike, and for any other trainer (verl, open-r1, plain TRL).

    from rpt_tasks.verify import verify_docs
    verdicts = verify_docs(outputs, docs)       # list[Verdict]; float(v) is the 0/1 reward

A doc is a dict as the harness builds it (rpt_tasks.data.load_docs): `question`, `gold`, the
answer kind in `rpt_kind`, and what that kind needs (`options`, `labels`, `tests`, ...). This
package imports nothing else of the project at import time and needs only the standard library
and math-verify; code docs load the sandbox (rpt_tasks.sandbox) when they are scored, and
reasoning-gym docs load reasoning-gym.
"""

from __future__ import annotations

import json
from typing import Callable

from rpt_tasks.verify import paper_rules
from rpt_tasks.verify.code_answers import code_program, verify_code, verify_code_many
from rpt_tasks.verify.extract import (answer_text, extract_answer, extract_choice, extract_code, extract_files,
                                      extract_label, strip_reasoning)
from rpt_tasks.verify.math_answers import math_equal, normalize_math_answer, verify_math
from rpt_tasks.verify.text_answers import (reasoning_gym_dataset, verify_assignment, verify_choice, verify_exact,
                                           verify_label, verify_number, verify_reasoning_gym, verify_tatqa,
                                           with_judge)
from rpt_tasks.verify.verdict import Verdict

__all__ = ["KINDS", "Verdict", "answer_text", "code_program", "extract_answer", "extract_choice", "extract_code",
           "extract_files", "extract_label", "math_equal", "normalize_math_answer", "reasoning_gym_dataset",
           "strip_reasoning", "verify_assignment", "verify_choice", "verify_code", "verify_code_many",
           "verify_doc", "verify_docs", "verify_exact", "verify_label", "verify_math", "verify_number",
           "verify_reasoning_gym", "verify_tatqa"]


# One scorer per answer kind: (output, doc) -> Verdict.
def score_math(output, doc):
    """Against the gold answer, or any of `golds` when a set gives several equivalent forms
    (mlvr-100k-rl): the same extracted answer, compared with each."""
    verdict = verify_math(output, doc["gold"])
    for other in doc.get("golds") or ():
        if verdict or verdict.answer is None:
            break
        verdict = Verdict(math_equal(verdict.answer, other), verdict.answer)
    return verdict


def score_choice(output, doc):
    return verify_choice(output, doc["gold"], list(doc["options"]))


def score_label(output, doc):
    return verify_label(output, doc["gold"], list(doc["labels"]))


def score_exact(output, doc):
    return verify_exact(output, doc["gold"])


def score_number(output, doc):
    return verify_number(output, doc["gold"])


def score_tatqa(output, doc):
    return verify_tatqa(output, doc["gold"], doc["answer_type"], doc.get("scale", ""))


def score_assignment(output, doc):
    return verify_assignment(output, doc["gold"], list(doc["names"]))


def _each(score: Callable[[str | None, dict], Verdict], judged: bool = False):
    """A per-output scorer as a batch scorer; `judged`: answers the rules reject may go to the
    optional LLM judge (rpt_tasks.verify.judge, off unless configured)."""
    if judged:
        return lambda predictions, docs, progress=None: [with_judge(score(p, d), d) for p, d in zip(predictions, docs)]
    return lambda predictions, docs, progress=None: [score(p, d) for p, d in zip(predictions, docs)]


def score_code_batch(predictions, docs, progress=None):
    """Code runs as one batch, in parallel in the sandbox."""
    return verify_code_many(predictions, [json.loads(d["tests"]) for d in docs], progress=progress)


def score_paper_code_batch(predictions, docs, progress=None):
    """The authors' code extraction (paper_rules.code_program), then our sandbox, as one batch."""
    from rpt_tasks.verify.code_answers import verify_programs

    tests = [json.loads(d["tests"]) for d in docs]
    return verify_programs([paper_rules.code_program(p, t) for p, t in zip(predictions, tests)], tests, progress)


# Answer kind (a doc's `rpt_kind`) -> batch scorer (outputs, docs) -> verdicts.
KINDS: dict[str, Callable] = {
    "math": _each(score_math), "choice": _each(score_choice), "label": _each(score_label),
    "exact": _each(score_exact), "number": _each(score_number, judged=True), "tatqa": _each(score_tatqa, judged=True),
    "assignment": _each(score_assignment), "reasoning_gym": _each(verify_reasoning_gym), "code": score_code_batch,
    # the paper authors' rules, for the rpt_paper_* tasks (rpt_tasks.verify.paper_rules)
    "paper_numeric_end": _each(paper_rules.score_numeric_end), "paper_end": _each(paper_rules.score_end),
    "paper_answer_line": _each(paper_rules.score_answer_line), "paper_choice": _each(paper_rules.score_choice_letters),
    "paper_code": score_paper_code_batch,
}


# The kinds whose outputs are programs run in the sandbox (tasks of these kinds are unsafe_code)
CODE_KINDS = ("code", "paper_code")


def answer_kind(doc: dict) -> str:
    """The doc's answer kind. Docs from runs older than `rpt_kind` name only their benchmark:
    then the benchmark's declaration says (imported only for such docs)."""
    kind = doc.get("rpt_kind")
    if kind is None:
        from rpt_tasks.benchmarks import get_benchmark

        kind = get_benchmark(doc["rpt_benchmark"]).kind
    if kind not in KINDS:
        raise ValueError(f"unknown answer kind {kind!r} (doc of {doc.get('rpt_benchmark')!r}); known: {sorted(KINDS)}")
    return kind


def verify_docs(predictions: list, docs: list[dict], progress=None) -> list[Verdict]:
    """Score each output against its doc; the one batch entry of metrics and rewards. Outputs of
    one kind are scored together (code runs in parallel in the sandbox); order is kept."""
    if len(predictions) != len(docs):
        raise ValueError(f"{len(predictions)} outputs for {len(docs)} docs")
    by_kind: dict[str, list[int]] = {}
    for i, doc in enumerate(docs):
        by_kind.setdefault(answer_kind(doc), []).append(i)
    verdicts: list[Verdict | None] = [None] * len(docs)
    for kind, indices in by_kind.items():
        scored = KINDS[kind]([predictions[i] for i in indices], [docs[i] for i in indices], progress=progress)
        for i, verdict in zip(indices, scored):
            verdicts[i] = verdict
    return verdicts


def verify_doc(prediction: str | None, doc: dict) -> Verdict:
    """verify_docs for one output."""
    return verify_docs([prediction], [doc])[0]
