"""GRPO rewards: one function per domain, each a thin adapter over the verifier core the harness
scores with (rpt_tasks.verify.verify_docs), so the reward is the metric.

They take TRL's reward signature `f(prompts, completions, **columns)` and read two dataset
columns: `rpt_domain` (the row's domain) and `rpt_doc` (the row's doc, as JSON). Rows of other
domains get None (TRL skips them for this function), which lets one mixed batch route every
completion to its own domain's verifier. Name them in `trl grpo --reward_funcs
rpt_train.rewards.math` (or .code, .knowledge, .science, .logic) on a dataset written by
`rpt train --export-dataset DIR`.
"""

from __future__ import annotations

import json

from rpt_tasks.verify import verify_docs


def completion_text(completion) -> str:
    """TRL passes strings for plain prompts and message lists for chat prompts."""
    if isinstance(completion, list):
        return "".join(m.get("content", "") for m in completion if isinstance(m, dict))
    return str(completion)


def make_reward(domain: str):
    def reward(prompts, completions, rpt_domain, rpt_doc, **kwargs) -> list[float | None]:
        rewards: list[float | None] = [None] * len(completions)
        mine = [i for i, d in enumerate(rpt_domain) if d == domain]
        verdicts = verify_docs([completion_text(completions[i]) for i in mine], [json.loads(rpt_doc[i]) for i in mine])
        for i, verdict in zip(mine, verdicts):
            rewards[i] = float(verdict)
        return rewards

    reward.__name__ = f"{domain}_reward"
    return reward


math = make_reward("math")
code = make_reward("code")
knowledge = make_reward("knowledge")
science = make_reward("science")
logic = make_reward("logic")
