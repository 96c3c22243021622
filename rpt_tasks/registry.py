"""Every benchmark declared once: where it lives (hub and offline mirror), which domain it
belongs to, how its rows map onto the fields our tasks and rewards read, and how it is scored.

A task YAML, the trainer's data loader and the comparison all look benchmarks up here, so a
benchmark cannot mean one thing to the harness and another to the trainer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# Domains of the paper (math, code, knowledge) plus the two this project adds.
STRUCTURED_DOMAINS = ("math", "code")
UNSTRUCTURED_DOMAINS = ("knowledge",)
DOMAINS = ("math", "code", "knowledge", "science", "logic")


@dataclass(frozen=True)
class Benchmark:
    name: str = field(metadata={"help": "Short name; the lm-eval task is 'rpt_<name>'."})
    domain: str = field(metadata={"help": "One of DOMAINS."})
    hub_path: str = field(metadata={"help": "Hugging Face dataset id used when RPT_DATA_DIR is unset."})
    hub_split: str = field(metadata={"help": "Split of the hub dataset that is evaluated."})
    mirror_folder: str = field(metadata={"help": "Folder under RPT_DATA_DIR holding <split>.jsonl files."})
    mirror_split: str = field(metadata={"help": "File stem of the evaluated split in the mirror."})
    size: int = field(metadata={"help": "Number of evaluated items (the published test size)."})
    metric: str = field(metadata={"help": "What a per-sample score means, for `rpt tasks`."})
    fields: dict[str, str] = field(metadata={"help": "Canonical field -> source column ('question', 'gold', 'id')."})
    hub_name: str | None = field(default=None, metadata={"help": "Hub config name, if any."})
    gold_from: Callable[[object], str] | None = field(
        default=None, metadata={"help": "Turns the raw gold column into the string verifiers compare against."})
    keep: tuple[str, ...] = field(default=(), metadata={"help": "Source columns carried into each doc unchanged."})
    train_splits: tuple[str, ...] = field(default=(), metadata={"help": "Mirror splits usable as RL training data."})
    samples: int = field(default=1, metadata={"help": "Generations per problem (avg@k), as in the paper."})

    @property
    def task(self) -> str:
        return f"rpt_{self.name}"

    @property
    def structured(self) -> bool:
        return self.domain in STRUCTURED_DOMAINS


def gsm8k_gold(answer: object) -> str:
    """GSM8K solutions end with '#### <number>'; the number is the gold answer."""
    text = str(answer)
    if "####" not in text:
        raise ValueError("GSM8K answer has no '#### <number>' line")
    return text.rsplit("####", 1)[1].strip().replace(",", "")


def plain_number(answer: object) -> str:
    """Mirror/hub copies store some answers as floats (27.0) or zero-padded strings ('025')."""
    if isinstance(answer, float) and answer.is_integer():
        return str(int(answer))
    return str(answer).strip()


_MATH = dict(domain="math", metric="acc: math-verify equivalence of the final answer")

BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in [
    Benchmark(name="gsm8k", hub_path="openai/gsm8k", hub_name="main", hub_split="test",
              mirror_folder="gsm8k", mirror_split="test", size=1319,
              fields={"question": "question", "gold": "answer"}, gold_from=gsm8k_gold,
              train_splits=("train",), **_MATH),
    Benchmark(name="math500", hub_path="HuggingFaceH4/MATH-500", hub_split="test",
              mirror_folder="math500", mirror_split="test", size=500,
              fields={"question": "problem", "gold": "answer", "id": "unique_id"},
              keep=("subject", "level"), **_MATH),
    Benchmark(name="aime24", hub_path="HuggingFaceH4/aime_2024", hub_split="train",
              mirror_folder="aime24", mirror_split="train", size=30,
              fields={"question": "problem", "gold": "answer", "id": "id"}, gold_from=plain_number,
              samples=16, **_MATH),
    Benchmark(name="amc23", hub_path="zwhe99/amc23", hub_split="test",
              mirror_folder="amc23", mirror_split="test", size=40,
              fields={"question": "question", "gold": "answer", "id": "id"}, gold_from=plain_number,
              samples=16, **_MATH),
]}

def get_benchmark(name: str) -> Benchmark:
    """Look a benchmark up by short name ('gsm8k') or task name ('rpt_gsm8k')."""
    key = name.removeprefix("rpt_")
    if key in BENCHMARKS:
        return BENCHMARKS[key]
    known = ", ".join(sorted(BENCHMARKS))
    raise KeyError(f"unknown benchmark {name!r}; known: {known}")
