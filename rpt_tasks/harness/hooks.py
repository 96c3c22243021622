"""lm-eval glue: the `!function` hooks that task_configs/*/utils.py re-export.

They are thin: loading goes to rpt_tasks.data, prompts to the benchmark's module, scoring to
rpt_tasks.verify.verify_docs (the function GRPO rewards call too). What lm-eval does not hand a
hook (the model's tokenizer and context, the generation settings of the requests) is read from
the running evaluator (rpt_tasks.harness.lm_eval_internals), never kept in module state.
"""

from __future__ import annotations

import json
import logging
import math

from rpt_tasks.benchmarks import get_benchmark, prompt_for
from rpt_tasks.data import DataError, load_docs
from rpt_tasks.harness import lm_eval_internals as internals
from rpt_tasks.verify import Verdict, verify_docs

log = logging.getLogger(__name__)
PASS_AT_K = (1, 5, 10)  # reported for k <= samples per problem (pass@1 is `acc`)


class Record(str):
    """A sample already judged by the `verify_in_batch` filter (a JSON string, so --log_samples
    shows it). A subclass, so that a model's raw output is never mistaken for a verdict."""


def load_benchmark(benchmark: str, subset_size: int | None = None, subset_seed: int = 0, rg_seed: int | None = None,
                   rg_size: int | None = None, **metadata):
    """`custom_dataset` hook: lm-eval calls it with the task's dataset_kwargs plus the run's
    metadata (model args among them).

    `subset_size`/`subset_seed`: a fixed random subset (kept in source order) of a large set.
    `rg_seed`/`rg_size`: the seed and size of generated (reasoning-gym) benchmarks.
    `rpt_retry_from` (metadata, set by `rpt eval`): {task: samples file} of a previous attempt,
    from which the benchmark builds the docs of the next one (Aider Polyglot)."""
    import random

    import datasets

    bench = get_benchmark(benchmark)
    previous = (metadata.get("rpt_retry_from") or {}).get(bench.task)
    if previous and bench.retry:
        return datasets.DatasetDict({"test": datasets.Dataset.from_list(bench.retry(previous))})
    try:
        docs = load_docs(benchmark, seed=rg_seed, size=rg_size)
    except DataError as e:  # the message says what to do; lm-eval would bury it under a traceback
        raise SystemExit(f"{bench.task}: {e}") from None
    if subset_size and subset_size < len(docs):
        keep = sorted(random.Random(subset_seed).sample(range(len(docs)), subset_size))
        docs = [docs[i] for i in keep]
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(docs)})


def doc_to_text(doc: dict) -> str:
    """The prompt; the GRPO trainer builds its prompts with the same function. The first prompt
    of a run also fits the task's generation length to the model's context (fit_generation)."""
    prompt = prompt_for(doc)
    task = internals.current_task()
    if task is not None and (task.config.num_fewshot or 0) > 0 and not task.config.fewshot_split:
        raise SystemExit(fewshot_refusal(task.config.task, task.config.num_fewshot))
    if task is not None and "rpt_generation_fitted" not in (task.config.metadata or {}):
        fit_generation(task, internals.current_model(), prompt)
    return prompt


def fewshot_refusal(task: str, shots: int) -> str:
    """Why --num_fewshot is refused: lm-eval would draw the shots from the test set itself."""
    return (f"{task}: --num_fewshot {shots} refused: this task has no few-shot split (its data is the evaluation "
            "set only, and lm-eval would take the shots from other test items, with bare targets and no answer "
            "line). Its prompt is zero-shot by design; the paper's 10-shot GSM8K is rpt_paper_gsm8k (shots from the "
            "train split, built into the prompt). Drop --num_fewshot.")


def fit_generation(task, lm, prompt: str) -> None:
    """When max_gen_toks plus a prompt does not fit the model's context, lower max_gen_toks to
    what fits (keeping a quarter of the context, at least, for prompts), say so once, and record
    it in the task's metadata (the results' provenance)."""
    task.config.metadata = dict(task.config.metadata or {})
    gen = task.config.generation_kwargs or {}
    context, count = internals.model_context_length(lm), internals.token_counter(lm)
    limit = gen.get("max_gen_toks") or internals.model_default_max_gen_toks(lm)
    fitted = {"max_gen_toks": limit, "context": context}
    if context and limit and count:
        room = context - max(count(prompt) + 64, context // 4)
        if limit > room:
            new = max(16, room)
            log.warning("%s: max_gen_toks %d does not fit the model's context of %d tokens; using %d",
                        task.config.task, limit, context, new)
            task.config.generation_kwargs = {**gen, "max_gen_toks": new}
            fitted.update(max_gen_toks=new, requested=limit)
    task.config.metadata["rpt_generation_fitted"] = fitted


def verify_in_batch(resps: list[list[str]], docs: list[dict]) -> list[list[Record]]:
    """Filter: judge every sample of every document at once (lm-eval calls process_results one
    doc at a time, which would leave all but one core idle while code runs in the sandbox).
    Each response becomes a Record that process_results reads and --log_samples keeps."""
    from tqdm import tqdm

    flat = [(text, doc) for texts, doc in zip(resps, docs) for text in texts]
    progress = (lambda jobs: tqdm(jobs, desc="judging")) if len(flat) > 1 else None
    verdicts = iter(verify_docs([t for t, _ in flat], [d for _, d in flat], progress=progress))
    return [[Record(json.dumps({"output": text, "passed": v.correct, "program": v.answer, "detail": v.detail}))
             for text, v in zip(texts, verdicts)] for texts in resps]


def keep_all_samples(resps, docs):
    """Pass-through filter: with `repeats: k` lm-eval would otherwise keep only the first sample."""
    return resps


def samples_of(results: list) -> list:
    """lm-eval passes one entry per request; with `repeats: k` and a pass-through filter that
    entry is the list of the k samples."""
    if len(results) == 1 and isinstance(results[0], list):
        return results[0]
    return results


def judged(doc: dict, results: list) -> tuple[list[str], list[Verdict]]:
    """The outputs and their verdicts: read from Records, or judged here for raw outputs."""
    results = samples_of(results)
    if all(isinstance(r, Record) for r in results):
        records = [json.loads(r) for r in results]
        return [r["output"] for r in records], [Verdict(r["passed"], r["program"], r["detail"]) for r in records]
    return results, verify_docs(results, [doc] * len(results))


def process_results(doc: dict, results: list) -> dict:
    """acc (avg@k over the samples), no_answer, truncated."""
    outputs, verdicts = judged(doc, results)
    return score_samples(outputs, verdicts)


def process_pass_at_k(doc: dict, results: list) -> dict:
    """process_results plus the unbiased pass@k for k <= samples (pass@1 is acc)."""
    outputs, verdicts = judged(doc, results)
    scores = score_samples(outputs, verdicts)
    n, c = len(verdicts), sum(v.correct for v in verdicts)
    scores.update({f"pass@{k}": pass_at_k(n, c, k) for k in PASS_AT_K if 1 < k <= n})
    return scores


def process_label_results(doc: dict, results: list) -> dict:
    """process_results plus LegalBench's balanced accuracy: the metric pairs the gold label with
    the label read from the first sample."""
    outputs, verdicts = judged(doc, results)
    scores = score_samples(outputs, verdicts)
    gold = next((label for label in doc["labels"] if label.lower() == doc["gold"].strip().lower()), doc["gold"])
    scores["balanced_acc"] = (gold, verdicts[0].answer)
    return scores


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples with c correct (Chen et al., 2021): 1 - C(n-c,k)/C(n,k)."""
    if n - c < k:
        return 1.0
    prob_all_fail = 1.0
    for i in range(n - c + 1, n + 1):
        prob_all_fail *= 1.0 - k / i
    return 1.0 - prob_all_fail


def balanced_accuracy(pairs: list[tuple[str, str | None]]) -> float:
    """Aggregation: mean per-class recall over the gold classes, LegalBench's reported metric
    (sklearn's balanced_accuracy_score); `pairs` are (gold label, predicted label or None)."""
    per_class: dict[str, list[bool]] = {}
    for gold, predicted in pairs:
        per_class.setdefault(gold, []).append(predicted == gold)
    if not per_class:
        return math.nan
    return sum(sum(hits) / len(hits) for hits in per_class.values()) / len(per_class)


def score_samples(outputs: list[str], verdicts: list[Verdict]) -> dict:
    """Per-document metrics, averaged over the k samples of `repeats: k` (avg@k)."""
    n = len(verdicts)
    truncated = [_truncated(output, limit) for output, limit in zip(outputs, internals.current_request_limits(n))]
    return {
        "acc": sum(map(float, verdicts)) / n,
        "no_answer": sum(v.answer is None for v in verdicts) / n,
        "truncated": math.nan if None in truncated else sum(truncated) / n,
    }


def _truncated(output: str, limit: int | None) -> bool | None:
    """Did the output reach the limit its request had? None when that cannot be known here (a
    hook called outside lm-eval's evaluator, or a model without a tokenizer)."""
    count = internals.token_counter(internals.current_model())
    if count is None or not limit:
        return None
    # Re-encoding decoded text can merge a token or two, so allow 1% slack below the limit.
    return count(output) >= limit - max(1, limit // 100)
