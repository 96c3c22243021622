"""What a benchmark declaration holds, and the small pieces family modules share (prompt styles,
option lists, tables). One family module (rpt_tasks.benchmarks.<family>) declares its benchmarks,
row adapters, prompts, task folder, groups and README notes; nothing outside it names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# Domains of the paper (math, code, knowledge) plus the two this project adds.
STRUCTURED_DOMAINS = ("math", "code")
DOMAINS = ("math", "code", "knowledge", "science", "logic")

Adapter = Callable[[dict], dict]  # a source row -> the doc's fields: question, gold, id (optional), ...


@dataclass(frozen=True)
class Hub:
    """A dataset on the Hugging Face hub (used when RPT_DATA_DIR is unset)."""

    path: str
    split: str
    name: str | None = None  # the config
    revision: str | None = None  # a commit of the dataset repository (rpt data check flags a missing one)
    adapter: Adapter | None = None  # when the hub's rows differ from the mirror's; None: the benchmark's
    # A repository that ships a loading script (datasets >= 4 refuses to run it) is read from its own
    # data files at `revision`: (split, (file, ...)) pairs, read with the `builder` of their format.
    data_files: tuple[tuple[str, tuple[str, ...]], ...] = ()
    builder: str = "json"
    row_filter: Callable[[dict], bool] | None = None  # rows of the hub copy that are the benchmark's split


@dataclass(frozen=True)
class Mirror:
    """A folder of the offline mirror (RPT_DATA_DIR) holding <split>.jsonl files."""

    folder: str
    split: str
    size: int | None = None  # rows, when the mirror holds a stand-in of another size
    adapter: Adapter | None = None  # when the mirror's rows differ from the hub's; None: the benchmark's


@dataclass(frozen=True)
class Benchmark:
    name: str = field(metadata={"help": "Short name; the lm-eval task is 'rpt_<name>'."})
    domain: str = field(metadata={"help": "One of DOMAINS."})
    kind: str = field(metadata={"help": "Answer kind: how outputs are scored (rpt_tasks.verify.KINDS)."})
    metric: str = field(metadata={"help": "What a per-sample score means, for `rpt tasks`."})
    adapter: Adapter | None = field(default=None, metadata={"help": "Source row -> doc fields (question, gold, id, "
                                                                    "options, labels, tests, ...)."})
    hub: Hub | None = field(default=None, metadata={"help": "Where the rows are on the hub (None: no hub copy)."})
    mirror: Mirror | None = field(default=None, metadata={"help": "Where the rows are in the offline mirror."})
    size: int | None = field(default=None, metadata={"help": "Evaluated items (the published size; None: varies)."})
    samples: int = field(default=1, metadata={"help": "Generations per problem (avg@k), as in the paper."})
    sampling: dict | None = field(default=None, metadata={"help": "Generation settings when samples > 1."})
    prompt: Callable[[dict], str] | None = field(
        default=None, metadata={"help": "Doc -> the user message; None: the answer kind's default style."})
    answer_format: str = field(default="<your final answer>", metadata={"help": "What the ANSWER line holds."})
    rows_from: Callable[[dict], list[dict]] | None = field(
        default=None, metadata={"help": "Splits one source row into several (TAT-QA: one per question)."})
    row_filter: Callable[[dict], bool] | None = field(
        default=None, metadata={"help": "Keeps only matching source rows (MMLU-Pro: the STEM categories)."})
    first_of_each_id: bool = field(
        default=False, metadata={"help": "Rows whose id repeats an earlier row's are dropped (the first is kept)."})
    generator: str | None = field(default=None, metadata={"help": "reasoning-gym dataset: docs are generated."})
    seed: int = field(default=0, metadata={"help": "Seed of generated data and of option shuffles."})
    generator_config: dict = field(default_factory=dict, metadata={"help": "reasoning-gym generator options."})
    loader: Callable[[], list[dict]] | None = field(
        default=None, metadata={"help": "Rows shipped inside a PyPI package (no hub, no mirror needed)."})
    labels_from_golds: bool = field(
        default=False, metadata={"help": "The label set is the distinct gold answers of the loaded split (tasks "
                                         "whose labels are not declared, e.g. LegalBench's hub-only ones)."})
    unavailable: Callable[[dict], str | None] | None = field(
        default=None, metadata={"help": "Source row -> why this machine cannot judge it (missing libraries, no "
                                        "network), or None. Such rows are left out and reported, never scored."})
    requires: Callable[[], str | None] | None = field(
        default=None, metadata={"help": "What this machine lacks to judge the benchmark (a toolchain), or None."})
    retry: Callable[[str], list[dict]] | None = field(
        default=None, metadata={"help": "A previous attempt's samples file -> the docs of the next attempt."})
    after_run: Callable | None = field(
        default=None, metadata={"help": "Called by `rpt eval` after the run with (args, staging, tasks): more "
                                        "attempts (Aider Polyglot's second attempt)."})
    task_yaml: dict = field(default_factory=dict, metadata={"help": "Extra keys of its generated task YAML."})

    @property
    def task(self) -> str:
        return f"rpt_{self.name}"

    @property
    def structured(self) -> bool:
        return self.domain in STRUCTURED_DOMAINS


@dataclass(frozen=True)
class Variant:
    """Another task over a benchmark's docs (more samples, a subset): a YAML, not a benchmark."""

    name: str
    benchmark: str
    task_yaml: dict
    comment: str = ""

    @property
    def task(self) -> str:
        return f"rpt_{self.name}"


@dataclass(frozen=True)
class Group:
    name: str  # the lm-eval group, e.g. rpt_math
    members: tuple[str, ...]  # tasks or groups
    comment: str


# ---------------------------------------------------------------- shared prompt styles
MATH_PROMPT = ("{question}\n\nPlease reason step by step, and finish with a last line of the form "
               "\"ANSWER: <your final answer>\" (a final \\boxed{{}} answer is also accepted).")
ANSWER_PROMPT = "{question}\n\nThink step by step, then finish with a last line of the form \"ANSWER: {answer_format}\"."
STDIO_PROMPT = ("Solve the following competitive programming problem in Python 3. Your program must read from "
                "standard input and write to standard output. Give the complete program in a single ```python "
                "code block.\n\n{question}")
FUNCTION_PROMPT = ("Complete the following Python function. Give the whole function, with any imports it needs, "
                   "in a single ```python code block.\n\n```python\n{question}```")


def math_prompt(doc: dict) -> str:
    return MATH_PROMPT.format(question=doc["question"])


def answer_prompt(doc: dict) -> str:
    return ANSWER_PROMPT.format(question=doc["question"], answer_format=doc["answer_format"])


def prompt_of(bench: Benchmark, doc: dict) -> str:
    """The user message for a doc: the benchmark's own prompt, else its answer kind's style."""
    if bench.prompt is not None:
        return bench.prompt(doc)
    return math_prompt(doc) if bench.kind == "math" else answer_prompt(doc)


def template(text: str) -> Callable[[dict], str]:
    """A prompt from a template over the doc's question."""
    def prompt(doc: dict) -> str:
        return text.format(question=doc["question"])
    prompt.rpt_source = f"template({text!r})"  # how rpt export-upstream writes it out
    return prompt


# ---------------------------------------------------------------- shared row pieces
LETTERS = "ABCDEFGHIJKLMNOP"


def with_options(question: str, options: list[str]) -> str:
    return question.strip() + "\n\nOptions:\n" + "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(options))


def one_of_labels(labels: list[str]) -> str:
    return "<one of: " + ", ".join(labels) + ">"


def plain_number(answer: object) -> str:
    """Copies store some answers as floats (27.0) or zero-padded strings ('025')."""
    if isinstance(answer, float) and answer.is_integer():
        return str(int(answer))
    return str(answer).strip()


def markdown_table(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [[str(c).replace("|", "\\|").replace("\n", " ") for c in r] + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows[1:]])
