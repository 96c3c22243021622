"""The training mixture: per-domain sources from the registry, decontaminated against the
evaluation sets of the same domain, sampled by weight, rendered with the evaluation prompts."""

from __future__ import annotations

import json
import random
import re

from tqdm import tqdm

from rpt_tasks.benchmarks import BENCHMARKS, TRAINING, get_benchmark, prompt_for
from rpt_tasks.data import DataError, load_docs, mirror_dir


def build_dataset(cfg, tokenizer):
    """(datasets.Dataset with prompt/rpt_domain/rpt_doc columns, report of what was used); `cfg`
    is an RptGRPOConfig."""
    import datasets

    rng = random.Random(cfg.mixture_seed)
    where = "offline" if mirror_dir() else "hub"
    pools, report = {}, {}
    for domain in cfg.domains:
        docs, report[domain] = [], {}
        sources = (cfg.sources or {}).get(domain) or TRAINING[domain][where]
        for source, split_or_seed in sources:
            loaded = _load(source, split_or_seed, cfg.puzzles_per_generator)
            kept, dropped = decontaminate(loaded, domain) if cfg.decontaminate else (loaded, 0)
            report[domain][f"{source}:{split_or_seed}"] = {"loaded": len(loaded), "dropped_contaminated": dropped}
            docs += kept
        rng.shuffle(docs)
        pools[domain] = docs
    quotas = _quotas(cfg.domains, {d: len(p) for d, p in pools.items()}, cfg.max_train_samples)
    chat = tokenizer.chat_template is not None
    rows = []
    own = getattr(cfg, "train_prompt", "evaluation") == "dataset"
    for domain, docs in pools.items():
        for doc in docs[:quotas[domain]]:
            if own:
                messages = doc.get("dataset_prompt")
                if not messages:
                    raise DataError(f"train_prompt: dataset: {doc.get('rpt_benchmark')} has no prompt of its own (only "
                                    "the paper's hub sets, in verl layout, carry one); use train_prompt: evaluation")
                prompt = messages if chat else "\n\n".join(m["content"] for m in messages)
            else:
                prompt = [{"role": "user", "content": prompt_for(doc)}] if chat else prompt_for(doc)
            rows.append({"prompt": prompt, "rpt_domain": domain,
                         "rpt_doc": json.dumps({k: v for k, v in doc.items() if k != "dataset_prompt"})})
        report[domain]["used"] = quotas[domain]
    rng.shuffle(rows)
    if not rows:
        raise DataError(f"no training data for domains {list(cfg.domains)}")
    return datasets.Dataset.from_list(rows), report


def _load(source: str, split_or_seed, puzzles: int) -> list[dict]:
    if get_benchmark(source).generator:
        return load_docs(source, seed=int(split_or_seed), size=puzzles)
    return load_docs(source, split=str(split_or_seed))


def _quotas(weights: dict[str, float], available: dict[str, int], total: int | None) -> dict[str, int]:
    """Examples per domain: proportional to the weights, capped by what each domain has."""
    if total is None:
        return dict(available)
    norm = sum(weights.values())
    return {d: min(available[d], round(total * w / norm)) for d, w in weights.items()}


# ---------------------------------------------------------------- decontamination
_NGRAM = 13


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def _ngrams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + _NGRAM]) for i in range(len(words) - _NGRAM + 1)}


_EVAL_INDEX: dict[str, tuple[set[str], set[tuple[str, ...]]]] = {}


def eval_index(domain: str) -> tuple[set[str], set[tuple[str, ...]]]:
    """Normalised questions and their 13-grams for every evaluation set of `domain` that can be
    loaded here (sets without data are skipped: nothing of theirs can be matched anyway)."""
    if domain not in _EVAL_INDEX:
        texts, grams = set(), set()
        for bench in tqdm([b for b in BENCHMARKS.values() if b.domain == domain], desc=f"eval sets ({domain})",
                          leave=False):
            try:
                docs = load_docs(bench.name)
            except (DataError, OSError, ValueError):
                continue
            for doc in docs:
                norm = normalise(doc["question"])
                texts.add(norm)
                grams |= _ngrams(norm.split())
        _EVAL_INDEX[domain] = (texts, grams)
    return _EVAL_INDEX[domain]


def decontaminate(docs: list[dict], domain: str) -> tuple[list[dict], int]:
    """Drop docs whose question equals an evaluation question of the domain (after
    normalisation) or shares at least half of its 13-grams with the evaluation sets."""
    texts, grams = eval_index(domain)
    kept = []
    for doc in docs:
        norm = normalise(doc["question"])
        own = _ngrams(norm.split())
        if norm in texts or (own and len(own & grams) * 2 >= len(own)):
            continue
        kept.append(doc)
    return kept, len(docs) - len(kept)
