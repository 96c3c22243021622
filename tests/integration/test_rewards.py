"""Reward == metric: for the same completions, each domain's GRPO reward equals the per-sample
`acc` that the lm-eval task computes (both call the same verifier)."""

import json

import pytest

from rpt_tasks.data import load_docs
from rpt_tasks.harness.hooks import process_results, verify_in_batch
from rpt_train.rewards import make_reward

SOURCES = {"math": ["gsm8k", "math500", "aime24"], "code": ["humaneval", "mbpp"],
           "knowledge": ["pubmedqa", "medqa", "tabfact", "finben_tatqa", "legalbench_hearsay"],
           "science": ["arc_challenge"], "logic": ["knights_knaves", "folio", "bbh_navigate", "syllogism"]}


def _completions(doc: dict) -> list[str]:
    gold = doc["gold"]
    if doc["rpt_benchmark"] == "humaneval":
        return ["```python\n" + doc["question"] + gold + "\n```", "```python\ndef f():\n    return 1\n```", "no code"]
    if doc["rpt_benchmark"] == "mbpp":
        return ["```python\n" + gold + "\n```", "```python\nx = 1\n```", ""]
    if doc["rpt_benchmark"] == "finben_tatqa":
        value = json.loads(gold)
        gold = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return [f"<think>ok</think>ANSWER: {gold}", "ANSWER: 424242", "<think>unfinished", f"The answer is {gold}."]


@pytest.mark.parametrize("domain", sorted(SOURCES))
def test_reward_equals_metric(domain, mirror):
    docs = [doc for name in SOURCES[domain] for doc in load_docs(name)[:3]]
    rows, completions = [], []
    for doc in docs:
        for text in _completions(doc):
            rows.append(doc)
            completions.append([{"role": "assistant", "content": text}])  # chat-style, as TRL passes them
    others = [{"rpt_benchmark": "gsm8k", "gold": "1", "question": "q"}]  # a row of another domain
    reward = make_reward(domain)
    rewards = reward(prompts=[None] * (len(rows) + 1), completions=completions + [[{"content": "ANSWER: 1"}]],
                     rpt_domain=[domain] * len(rows) + ["other"], rpt_doc=[json.dumps(d) for d in rows + others])
    assert rewards[-1] is None  # other domains are left to their own reward function
    if domain == "code":
        texts = [c[0]["content"] for c in completions]
        records = verify_in_batch([[t] for t in texts], rows)
        metrics = [process_results(doc, rec)["acc"] for doc, rec in zip(rows, records)]
    else:
        metrics = [process_results(doc, [c[0]["content"]])["acc"] for doc, c in zip(rows, completions)]
    assert rewards[:-1] == metrics
    assert 0 < sum(metrics) < len(metrics)  # the check saw both right and wrong answers
