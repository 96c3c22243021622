"""GRPO rewards: one function per domain, each a thin adapter over the verifier the harness
scores that domain with (rpt_tasks.verifiers.verify_doc / verify_code_many), so the reward is
the metric. Rows of other domains get None (TRL skips them for this function), which lets one
mixed batch route every completion to its own domain's verifier."""

from __future__ import annotations

import json

from rpt_tasks.verifiers import verify_code_many, verify_doc


def completion_text(completion) -> str:
    """TRL passes strings for plain prompts and message lists for chat prompts."""
    if isinstance(completion, list):
        return "".join(m.get("content", "") for m in completion if isinstance(m, dict))
    return str(completion)


def make_reward(domain: str):
    def reward(prompts, completions, rpt_domain, rpt_doc, **kwargs) -> list[float | None]:
        rewards: list[float | None] = [None] * len(completions)
        mine = [i for i, d in enumerate(rpt_domain) if d == domain]
        texts = [completion_text(completions[i]) for i in mine]
        docs = [json.loads(rpt_doc[i]) for i in mine]
        if domain == "code":
            verdicts = verify_code_many(texts, [json.loads(doc["tests"]) for doc in docs], progress=False)
        else:
            verdicts = [verify_doc(text, doc) for text, doc in zip(texts, docs)]
        for i, verdict in zip(mine, verdicts):
            rewards[i] = float(verdict)
        return rewards

    reward.__name__ = f"{domain}_reward"
    return reward
