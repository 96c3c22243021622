"""Every benchmark declared once, in the module of its family: where its rows live (hub and
offline mirror), its domain, how a row becomes a doc, how it is prompted and scored, its task
folder, groups and README notes. The task YAMLs (task_configs/) are generated from these modules
(rpt_tasks.harness.configs), and the trainer's data, the comparison and `rpt tasks` read them here,
so a benchmark cannot mean one thing to the harness and another to the trainer.

Adding a benchmark: declare it in its family's module (or a new module listed in FAMILIES), then
regenerate the YAMLs: `python -m rpt_tasks.harness.configs`.
"""

from __future__ import annotations

from rpt_tasks.benchmarks import (bbh, bigcodebench, code, finben, knowledge, legalbench, logic, math, mini, paper,
                                  paper_legalbench, paper_polyglot, polyglot, science, suites, training)
from rpt_tasks.benchmarks.spec import DOMAINS, STRUCTURED_DOMAINS, Benchmark, Group, Hub, Mirror, Variant, prompt_of

# One module per family, each with its task folder: FOLDER, TITLE, INTRO, NOTES, BENCHMARKS,
# VARIANTS, GROUPS, CITATIONS.
FAMILIES = (math, code, bigcodebench, polyglot, knowledge, legalbench, finben, science, logic, bbh, mini, suites,
            paper, paper_legalbench, paper_polyglot)

BENCHMARKS: dict[str, Benchmark] = {b.name: b for family in FAMILIES for b in family.BENCHMARKS}
VARIANTS: dict[str, Variant] = {v.name: v for family in FAMILIES for v in family.VARIANTS}
GROUPS: dict[str, Group] = {g.name: g for family in FAMILIES for g in family.GROUPS}
TRAIN_SOURCES: dict[str, Benchmark] = {b.name: b for b in training.SOURCES}
TRAINING = training.TRAINING

# The paper's 16 benchmarks, in its order: domain and the rpt task (or group) that runs each.
PAPER_SUITE: dict[str, tuple[str, str]] = {
    "GSM8K": ("math", "rpt_gsm8k"), "MATH-500": ("math", "rpt_math500"), "AIME 2024": ("math", "rpt_aime24"),
    "AMC 2023": ("math", "rpt_amc23"), "HumanEval": ("code", "rpt_humaneval"), "MBPP": ("code", "rpt_mbpp"),
    "LiveCodeBench": ("code", "rpt_livecodebench"), "BigCodeBench": ("code", "rpt_bigcodebench"),
    "USACO": ("code", "rpt_usaco"), "Codeforces": ("code", "rpt_codeforces"),
    "Aider Polyglot": ("code", "rpt_aider_polyglot"), "PubMedQA": ("knowledge", "rpt_pubmedqa"),
    "MedQA": ("knowledge", "rpt_medqa"), "TabFact": ("knowledge", "rpt_tabfact"),
    "LegalBench": ("knowledge", "rpt_legalbench_full"), "FinBen": ("knowledge", "rpt_finben"),
}
CITATIONS: dict[str, str] = {k: v for family in FAMILIES for k, v in family.CITATIONS.items()}

__all__ = ["BENCHMARKS", "CITATIONS", "DOMAINS", "FAMILIES", "GROUPS", "PAPER_SUITE", "STRUCTURED_DOMAINS",
           "TRAINING", "TRAIN_SOURCES", "VARIANTS", "Benchmark", "Group", "Hub", "Mirror", "Variant",
           "family_of", "get_benchmark", "group_members", "prompt_for"]


def get_benchmark(name: str) -> Benchmark:
    """Look a benchmark (or training source, or variant's benchmark) up by short name ('gsm8k') or
    task name ('rpt_gsm8k', 'rpt_tabfact_2k')."""
    key = name.removeprefix("rpt_")
    if key in BENCHMARKS:
        return BENCHMARKS[key]
    if key in TRAIN_SOURCES:
        return TRAIN_SOURCES[key]
    if key in VARIANTS:
        return BENCHMARKS[VARIANTS[key].benchmark]
    known = ", ".join(sorted(BENCHMARKS) + sorted(TRAIN_SOURCES))
    raise KeyError(f"unknown benchmark {name!r}; known: {known}")


def family_of(name: str):
    """The module declaring a benchmark, variant or group."""
    key = name.removeprefix("rpt_")
    for family in FAMILIES:
        if any(b.name == key for b in family.BENCHMARKS) or any(v.name == key for v in family.VARIANTS) \
                or any(g.name == name for g in family.GROUPS):
            return family
    raise KeyError(f"no family declares {name!r}")


def group_members(name: str) -> list[str]:
    """The tasks of a group (nested groups expanded); a task is its own only member."""
    if name not in GROUPS:
        return [name]
    return [task for member in GROUPS[name].members for task in group_members(member)]


def prompt_for(doc: dict) -> str:
    """The user message for a doc, in evaluation (lm-eval's doc_to_text) and training alike."""
    return prompt_of(get_benchmark(doc["rpt_benchmark"]), doc)
