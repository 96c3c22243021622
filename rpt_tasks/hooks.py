"""lm-eval glue: the `!function` hooks that task_configs/*/utils.py re-export.

They are thin: loading goes to `rpt_tasks.data`, scoring to `rpt_tasks.verifiers`. The only
state kept here is what a run needs to tell a truncated generation from a finished one.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache

from rpt_tasks.data import load_docs
from rpt_tasks.prompts import prompt_for
from rpt_tasks.stats import balanced_accuracy  # noqa: F401 - an aggregation hook
from rpt_tasks.verifiers import Verdict, verify_code_many, verify_doc

log = logging.getLogger(__name__)

# benchmark -> (tokenizer name or None, max_gen_toks) of the current run, recorded at load time.
_RUN: dict[str, tuple[str | None, int | None]] = {}


def load_benchmark(benchmark: str, max_gen_toks: int | None = None, subset_size: int | None = None,
                   subset_seed: int = 0, rg_seed: int | None = None, rg_size: int | None = None, **metadata):
    """`custom_dataset` hook. lm-eval calls it with the task's dataset_kwargs plus the run's
    metadata, which includes the model args: that is how we learn the tokenizer that counts
    generated tokens for the `truncated` metric. `rpt_max_gen_toks` (set by `rpt eval` from
    --gen_kwargs, or by hand with --metadata) overrides the task's own limit.

    `subset_size`/`subset_seed`: a fixed random subset (kept in source order) of a large set.
    `rg_seed`/`rg_size`: the seed and size of generated (reasoning-gym) benchmarks."""
    import random

    import datasets

    tokenizer = metadata.get("tokenizer") or metadata.get("pretrained")
    limit = metadata.get("rpt_max_gen_toks") or max_gen_toks
    _RUN[benchmark] = (tokenizer if isinstance(tokenizer, str) else None, int(limit) if limit else None)
    first_attempt = (metadata.get("rpt_polyglot_first_attempt") or {}).get(f"rpt_{benchmark}")
    if first_attempt:  # Aider Polyglot's second attempt (rpt eval sets this)
        from rpt_tasks.polyglot import second_attempt_docs

        return datasets.DatasetDict({"test": datasets.Dataset.from_list(second_attempt_docs(first_attempt))})
    docs = load_docs(benchmark, seed=rg_seed, size=rg_size)
    if subset_size and subset_size < len(docs):
        keep = sorted(random.Random(subset_seed).sample(range(len(docs)), subset_size))
        docs = [docs[i] for i in keep]
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(docs)})


def doc_to_text(doc: dict) -> str:
    """The prompt; the GRPO trainer builds its prompts with the same function."""
    return prompt_for(doc)


def keep_all_samples(resps, docs):
    """Pass-through filter: with `repeats: k` lm-eval would otherwise keep only the first sample."""
    return resps


def process_answer(doc: dict, results: list) -> dict:
    """Every non-code task: the verifier its benchmark declares (rpt_tasks.verifiers.verify_doc)."""
    results = samples_of(results)
    return score_samples(doc, results, [verify_doc(r, doc) for r in results])


def process_label_answer(doc: dict, results: list) -> dict:
    """Classification tasks reported with balanced accuracy too (LegalBench): the metric pairs
    the gold label with the label read from the first sample."""
    results = samples_of(results)
    verdicts = [verify_doc(r, doc) for r in results]
    scores = score_samples(doc, results, verdicts)
    gold = next((label for label in doc["labels"] if label.lower() == doc["gold"].strip().lower()), doc["gold"])
    scores["balanced_acc"] = (gold, verdicts[0].answer)
    return scores


def samples_of(results: list) -> list:
    """lm-eval passes one entry per request; with `repeats: k` and a pass-through filter that
    entry is the list of the k samples."""
    if len(results) == 1 and isinstance(results[0], list):
        return results[0]
    return results


def run_code(resps: list[list[str]], docs: list[dict]) -> list[list[dict]]:
    """Filter for code tasks: run every sample of every doc in the sandbox at once (lm-eval
    calls process_results one doc at a time, which would leave all but one core idle).
    Each response becomes a record that process_code scores and --log_samples keeps."""
    flat = [(text, json.loads(doc["tests"])) for texts, doc in zip(resps, docs) for text in texts]
    verdicts = iter(verify_code_many([t for t, _ in flat], [spec for _, spec in flat]))
    # JSON strings, not dicts: lm-eval logs non-string responses as their repr.
    return [[json.dumps({"output": text, "passed": v.correct, "program": v.answer, "detail": v.detail})
             for text, v in zip(texts, verdicts)] for texts in resps]


def process_code(doc: dict, records: list) -> dict:
    records = [json.loads(r) for r in samples_of(records)]
    verdicts = [Verdict(r["passed"], r["program"], r["detail"]) for r in records]
    scores = score_samples(doc, [r["output"] for r in records], verdicts)
    n, c = len(verdicts), sum(r["passed"] for r in records)
    scores.update({f"pass@{k}": pass_at_k(n, c, k) for k in PASS_AT_K if k <= n and k > 1})
    return scores


PASS_AT_K = (1, 5, 10)  # reported for k <= samples per problem (pass@1 is `acc`)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples with c correct (Chen et al., 2021): 1 - C(n-c,k)/C(n,k)."""
    if n - c < k:
        return 1.0
    prob_all_fail = 1.0
    for i in range(n - c + 1, n + 1):
        prob_all_fail *= 1.0 - k / i
    return 1.0 - prob_all_fail


def score_samples(doc: dict, results: list[str], verdicts: list[Verdict]) -> dict:
    """Per-document metrics, averaged over the k samples of `repeats: k` (avg@k)."""
    n = len(verdicts)
    return {
        "acc": sum(map(float, verdicts)) / n,
        "no_answer": sum(v.answer is None for v in verdicts) / n,
        "truncated": sum(map(_is_truncated(doc["rpt_benchmark"]), results)) / n,
    }


def _is_truncated(benchmark: str):
    tokenizer_name, limit = _RUN.get(benchmark, (None, None))
    tokenizer = _tokenizer(tokenizer_name) if tokenizer_name and limit else None
    if tokenizer is None:
        return lambda text: False
    # Re-encoding decoded text can merge a token or two, so allow 1% slack below the limit.
    threshold = limit - max(1, limit // 100)
    return lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"]) >= threshold


@lru_cache(maxsize=4)
def _tokenizer(name: str):
    try:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(name)
    except Exception as e:  # noqa: BLE001 - an API model has no local tokenizer; the metric is then 0
        log.warning("truncated metric disabled: cannot load tokenizer %r (%s)", name, e)
        return None
