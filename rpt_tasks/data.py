"""Loading benchmark rows: from the offline mirror when RPT_DATA_DIR is set, else from the hub.

Rows come back as "docs": the canonical fields every task and reward reads (``rpt_id``,
``rpt_benchmark``, ``rpt_kind``, ``question``, ``gold``, ``answer_format``) plus what the
benchmark's adapter adds (options, labels, tests, ...). Mirror files are read with the json module
rather than the `datasets` json builder, so a bad row is reported with its file and line, and no
column type is guessed (amc23's 27.0).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from rpt_tasks.benchmarks import Benchmark, get_benchmark
from rpt_tasks.benchmarks.spec import one_of_labels
from rpt_tasks.verify.text_answers import reasoning_gym_dataset

DATA_DIR_ENV = "RPT_DATA_DIR"
log = logging.getLogger(__name__)


class DataError(ValueError):
    """A benchmark file is missing or a row is malformed; the message says where and what to do."""


class MissingColumn(KeyError):
    """A row lacks a column its adapter reads."""


class _Row(dict):
    """A source row as adapters see it: a missing column is a MissingColumn, not any KeyError."""

    def __missing__(self, key):
        raise MissingColumn(key)


@dataclass
class Loaded:
    docs: list[dict]
    left_out: dict[str, str] = field(default_factory=dict)  # row id -> why this machine cannot judge it


def mirror_dir() -> Path | None:
    value = os.environ.get(DATA_DIR_ENV)
    return Path(value).expanduser().resolve() if value else None


def read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """(line number, row) pairs of a JSONL file; line numbers let errors point at the bad row."""
    if not path.is_file():
        raise DataError(
            f"{path} does not exist. {DATA_DIR_ENV} points at {path.parent.parent}; set it to the offline "
            f"benchmark mirror (the folder holding {path.parent.name}/), or unset it to load from the hub.")
    rows = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(f"{path}:{lineno}: not valid JSON ({e.msg}); repair or delete that line "
                                f"(check the mirror with its check_mirror.py)") from None
            if not isinstance(row, dict):
                raise DataError(f"{path}:{lineno}: expected a JSON object, got {type(row).__name__}")
            rows.append((lineno, row))
    return rows


def to_doc(bench: Benchmark, adapter, row: dict, index: int, where: str) -> dict:
    """Map one source row onto the canonical doc; `where` names the row in errors."""
    try:
        doc = {k: v for k, v in adapter(_Row(row)).items() if v is not None}
    except MissingColumn as e:
        raise DataError(f"{where}: row lacks column(s) [{e.args[0]!r}] that benchmark {bench.name!r} needs "
                        f"(has {sorted(row)})") from None
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
        raise DataError(f"{where}: unusable row for benchmark {bench.name!r}: {type(e).__name__}: {e}") from None
    question = doc.get("question")
    if not isinstance(question, str) or not question.strip():
        raise DataError(f"{where}: empty or non-text question")
    doc["gold"] = str(doc.get("gold", ""))
    doc["rpt_id"] = str(doc.pop("id")) if "id" in doc else str(index)
    doc["rpt_benchmark"] = bench.name
    doc["rpt_kind"] = bench.kind
    doc.setdefault("answer_format", bench.answer_format)
    return doc


def load(name: str, split: str | None = None, seed: int | None = None, size: int | None = None) -> Loaded:
    """Canonical docs of a benchmark split (the evaluated split by default), and the rows left out
    on this machine. Generated benchmarks (reasoning-gym) take `seed` and `size` instead of a split."""
    bench = get_benchmark(name)
    missing = bench.requires() if bench.requires else None
    if missing:
        raise DataError(f"{bench.task} cannot be judged on this machine: {missing}. Leave it out of --tasks "
                        f"(`rpt eval` skips such tasks by itself and records why).")
    if bench.generator:
        return Loaded(generated_docs(bench, bench.seed if seed is None else seed, size or bench.size))
    if bench.loader:
        return Loaded(*_docs(bench, bench.adapter, [(f"{bench.name} row {i}", row) for i, row in enumerate(bench.loader())]))
    root = mirror_dir()
    if root is not None and bench.mirror is not None:
        path = root / bench.mirror.folder / f"{split or bench.mirror.split}.jsonl"
        rows = [(f"{path}:{line}", row) for line, row in read_jsonl(path)]
        return Loaded(*_docs(bench, bench.mirror.adapter or bench.adapter, rows))
    if bench.hub is None:
        folder = bench.mirror.folder if bench.mirror else bench.name
        raise DataError(f"{bench.name} has no copy on the Hugging Face hub: put its rows in "
                        f"$RPT_DATA_DIR/{folder}/{split or (bench.mirror.split if bench.mirror else 'test')}.jsonl "
                        f"(schema: see the task folder's README) and set {DATA_DIR_ENV}")
    if root is not None:
        raise DataError(f"{bench.name} is not in the offline mirror ({root}); unset {DATA_DIR_ENV} to load it "
                        f"from the hub ({bench.hub.path})")
    from rpt_tasks.hub import HubError, describe, load_rows

    hub = bench.hub
    hub_split = split or hub.split
    try:
        rows = load_rows(hub, hub_split)
    except HubError as e:
        raise DataError(str(e)) from None
    where = describe(hub, hub_split)
    pairs = [(f"{where} row {i}", row) for i, row in enumerate(rows) if hub.row_filter is None or hub.row_filter(row)]
    return Loaded(*_docs(bench, hub.adapter or bench.adapter, pairs))


def load_docs(name: str, split: str | None = None, seed: int | None = None, size: int | None = None) -> list[dict]:
    """The docs of load(); left-out rows are logged (once per call)."""
    loaded = load(name, split, seed, size)
    if loaded.left_out:
        first = next(iter(loaded.left_out.items()))
        log.warning("%s: %d rows left out on this machine, e.g. %s: %s (rpt eval lists them in "
                    "rpt_left_out.json)", name, len(loaded.left_out), *first)
    return loaded.docs


def _docs(bench: Benchmark, adapter, rows: list[tuple[str, dict]]) -> tuple[list[dict], dict[str, str]]:
    """(docs, left out: row id -> why) of (where, row) pairs."""
    if bench.row_filter:
        rows = [(where, row) for where, row in rows if bench.row_filter(row)]
    if bench.rows_from:
        try:
            rows = [(f"{where} item {j}", sub) for where, row in rows for j, sub in enumerate(bench.rows_from(row))]
        except (KeyError, TypeError) as e:
            raise DataError(f"unusable row for benchmark {bench.name!r}: {type(e).__name__}: {e}") from None
    docs: list[dict] = []
    left: dict[str, str] = {}
    for i, (where, row) in enumerate(rows):
        why = bench.unavailable(row) if bench.unavailable else None
        try:
            doc = to_doc(bench, adapter, row, i, where)
        except DataError:
            if not why:
                raise
            left[where] = why  # a row left out need not make a doc (code-100k-rl without tests)
            continue
        if why:
            left[doc["rpt_id"]] = why
        else:
            docs.append(doc)
    if bench.first_of_each_id:  # a set with repeated rows (the authors' Codeforces set): the first of each
        first: dict[str, dict] = {}
        docs = [first.setdefault(doc["rpt_id"], doc) for doc in docs if doc["rpt_id"] not in first]
    if bench.labels_from_golds:
        labels = sorted({doc["gold"] for doc in docs})
        for doc in docs:
            if "labels" not in doc:  # declared labels win
                doc.update(labels=labels, answer_format=one_of_labels(labels))
    return docs, left


def generated_docs(bench: Benchmark, seed: int, size: int) -> list[dict]:
    """reasoning-gym puzzles: deterministic for (name, seed, size); the doc keeps those three
    and its index, from which the verifier regenerates the entry it scores against."""
    options = json.dumps(bench.generator_config, sort_keys=True)
    entries = reasoning_gym_dataset(bench.generator, seed, size, options)
    return [{"rpt_id": f"{bench.generator}-{seed}-{index}", "rpt_benchmark": bench.name, "rpt_kind": bench.kind,
             "question": entries[index]["question"], "gold": str(entries[index]["answer"]),
             "answer_format": bench.answer_format, "rg_name": bench.generator, "rg_seed": seed, "rg_size": size,
             "rg_index": index, "rg_config": options} for index in range(size)]
