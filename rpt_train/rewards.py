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


def compute_score(data_source: str, solution_str: str, ground_truth, extra_info: dict | None = None) -> float:
    """verl's reward signature (`custom_reward_function.name: compute_score`) over the same
    verifiers: `data_source` names the benchmark (an rpt benchmark name such as "gsm8k",
    "math500", "arc_challenge", or "rpt_<name>"); `extra_info` may carry the whole doc as
    `rpt_doc` (JSON), as `rpt train --export-dataset` writes it, else the doc is built from the
    benchmark's declaration with `ground_truth` as its gold answer (a list: any of them counts)."""
    from rpt_tasks.benchmarks import get_benchmark

    if extra_info and extra_info.get("rpt_doc"):
        doc = extra_info["rpt_doc"]
        doc = json.loads(doc) if isinstance(doc, str) else dict(doc)
    else:
        bench = get_benchmark(data_source.removeprefix("rpt_"))
        truths = list(ground_truth) if isinstance(ground_truth, (list, tuple)) else [ground_truth]
        doc = {"rpt_benchmark": bench.name, "rpt_kind": bench.kind, "question": "", "gold": str(truths[0]),
               **({"golds": [str(t) for t in truths]} if len(truths) > 1 else {}), **(extra_info or {})}
    return float(verify_docs([solution_str], [doc])[0])
