"""Scores through lm-eval's own evaluator, with a model that answers from the document itself:
an oracle must get everything right, a contrarian everything wrong. This pins the whole metric
path (filters, repeats, process_results, aggregation) that a random tiny model cannot."""

import json

import pytest
from lm_eval import simple_evaluate
from lm_eval.api.model import LM
from lm_eval.tasks import TaskManager

from rpt_tasks.harness.configs import task_dir


class ScriptedLM(LM):
    """Answers each request with answer(doc): what a perfect (or hopeless) model would write."""

    def __init__(self, answer):
        super().__init__()
        self.answer = answer

    def generate_until(self, requests, disable_tqdm: bool = False):
        return [self.answer(request.doc) for request in requests]

    def loglikelihood(self, requests, disable_tqdm: bool = False):
        raise NotImplementedError

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
        raise NotImplementedError


def right(doc):
    bench = doc["rpt_benchmark"]
    if bench == "humaneval":
        return "Here it is:\n```python\n" + doc["question"] + doc["gold"] + "\n```"
    if bench.startswith("mbpp"):
        return "<think>easy</think>\n```python\n" + doc["gold"] + "\n```"
    if bench == "finben_tatqa":
        value = json.loads(doc["gold"])
        return "ANSWER: " + ("; ".join(map(str, value)) if isinstance(value, list) else str(value))
    return f"<think>work</think>\nSo the result follows.\nANSWER: {doc['gold']}"


def wrong(doc):
    if doc["rpt_benchmark"] in ("humaneval",) or doc["rpt_benchmark"].startswith("mbpp"):
        return "```python\ndef nothing():\n    return None\n```"
    return "ANSWER: 123456789"


def evaluate(tasks, answer, limit):
    return simple_evaluate(model=ScriptedLM(answer), tasks=tasks, limit=limit, confirm_run_unsafe_code=True,
                           task_manager=TaskManager(include_path=str(task_dir()), include_defaults=False))


MATH_AND_CODE = ["rpt_math", "rpt_humaneval", "rpt_mbpp", "rpt_mbpp_full", "rpt_humaneval_pass10"]


def test_oracle_scores_one_everywhere(mirror):
    results = evaluate(MATH_AND_CODE, right, limit=4)["results"]
    for task in ["rpt_gsm8k", "rpt_math500", "rpt_aime24", "rpt_amc23", "rpt_humaneval", "rpt_mbpp",
                 "rpt_mbpp_full", "rpt_humaneval_pass10"]:
        assert results[task]["acc,none"] == 1.0, task
        assert results[task]["no_answer,none"] == 0.0, task
    assert results["rpt_math"]["acc,none"] == 1.0
    assert results["rpt_humaneval_pass10"]["pass@10,none"] == 1.0


def test_contrarian_scores_zero_everywhere(mirror):
    results = evaluate(MATH_AND_CODE, wrong, limit=4)["results"]
    for task in ["rpt_gsm8k", "rpt_math500", "rpt_aime24", "rpt_amc23", "rpt_humaneval", "rpt_mbpp"]:
        assert results[task]["acc,none"] == 0.0, task


def test_avg_at_16_counts_every_sample(mirror):
    """A model right on 1 sample in 4 scores 0.25 on AIME (lm-eval's default filter would keep
    only the first sample and score 0 or 1)."""
    calls = {"n": 0}

    def one_in_four(doc):
        calls["n"] += 1
        return f"ANSWER: {doc['gold']}" if calls["n"] % 4 == 0 else "ANSWER: -1"

    results = evaluate(["rpt_aime24"], one_in_four, limit=2)["results"]
    assert results["rpt_aime24"]["acc,none"] == pytest.approx(0.25)


def test_oracle_and_contrarian_on_knowledge_science_logic(mirror):
    groups = ["rpt_knowledge", "rpt_science", "rpt_logic"]
    good = evaluate(groups, right, limit=2)["results"]
    bad = evaluate(groups, wrong, limit=2)["results"]
    subtasks = [t for t in good if t not in ("rpt_knowledge", "rpt_science", "rpt_logic", "rpt_legalbench", "rpt_bbh")]
    assert len(subtasks) > 80
    for task in subtasks:
        assert good[task]["acc,none"] == 1.0, task
        assert bad[task]["acc,none"] == 0.0, task
    for group in groups:
        assert good[group]["acc,none"] == 1.0 and bad[group]["acc,none"] == 0.0
