"""Loading benchmark rows: from the offline mirror when RPT_DATA_DIR is set, else from the hub.

Rows come back as "docs": the canonical fields every task and reward reads
(``rpt_id``, ``rpt_benchmark``, ``question``, ``gold``) plus the columns the benchmark keeps.
Mirror files are read with the json module rather than the `datasets` json builder, so a bad
row is reported with its file and line, and no column type is guessed (amc23's 27.0).
"""

from __future__ import annotations

import json
import logging
import os
from functools import lru_cache
from pathlib import Path

from rpt_tasks.registry import Benchmark, get_benchmark
from rpt_tasks.sources import one_of_labels

DATA_DIR_ENV = "RPT_DATA_DIR"
log = logging.getLogger(__name__)
# benchmark -> row id -> why this machine cannot judge it; `rpt eval` writes it to rpt_left_out.json
LEFT_OUT: dict[str, dict[str, str]] = {}


class DataError(ValueError):
    """A benchmark file is missing or a row is malformed; the message says where and what to do."""


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


def to_doc(bench: Benchmark, row: dict, index: int, where: str, from_mirror: bool = False) -> dict:
    """Map one source row onto the canonical doc; `where` names the row in errors."""
    fields = (bench.mirror_fields or bench.fields) if from_mirror else bench.fields
    tests_from = (bench.mirror_tests_from or bench.tests_from) if from_mirror else bench.tests_from
    question_from = None if from_mirror and bench.mirror_fields else bench.question_from
    missing = [src for src in fields.values() if src not in row]
    if missing:
        raise DataError(f"{where}: row lacks column(s) {missing} that benchmark {bench.name!r} needs "
                        f"(has {sorted(row)})")
    try:
        doc = {canon: row[src] for canon, src in fields.items()}
        if question_from:
            doc["question"] = question_from(row)
        if bench.row:
            doc.update(bench.row(row))
        gold = doc.get("gold", "")
        doc["gold"] = bench.gold_from(gold) if bench.gold_from else str(gold)
        if tests_from:
            doc["tests"] = json.dumps(tests_from(row))
    except (ValueError, KeyError, TypeError, IndexError) as e:
        raise DataError(f"{where}: unusable row for benchmark {bench.name!r}: {type(e).__name__}: {e}") from None
    question = doc.get("question")
    if not isinstance(question, str) or not question.strip():
        raise DataError(f"{where}: empty or non-text question")
    doc.update({k: row[k] for k in bench.keep if k in row})
    doc["rpt_id"] = str(doc.pop("id")) if "id" in doc else str(index)
    doc["rpt_benchmark"] = bench.name
    doc.setdefault("answer_format", bench.answer_format)
    return doc


def load_docs(name: str, split: str | None = None, seed: int | None = None, size: int | None = None) -> list[dict]:
    """Canonical docs of a benchmark split (the evaluated split by default). Generated
    benchmarks (reasoning-gym) take `seed` and `size` instead of a split."""
    bench = get_benchmark(name)
    missing = bench.requires() if bench.requires else None
    if missing:
        raise DataError(f"{bench.task} cannot be judged on this machine: {missing}. Leave it out of --tasks "
                        f"(`rpt eval` skips such tasks by itself and records why).")
    if bench.generator:
        return generated_docs(bench, bench.seed if seed is None else seed, size or bench.size)
    if bench.loader:
        return _docs(bench, [(f"{bench.name} row {i}", row) for i, row in enumerate(bench.loader())])
    root = mirror_dir()
    if root is not None:
        path = root / bench.mirror_folder / f"{split or bench.mirror_split}.jsonl"
        rows = [(f"{path}:{line}", row) for line, row in read_jsonl(path)]
        return _docs(bench, rows, from_mirror=True)
    if bench.hub_path is None:
        raise DataError(f"{bench.name} has no copy on the Hugging Face hub: put its rows in "
                        f"$RPT_DATA_DIR/{bench.mirror_folder}/{split or bench.mirror_split}.jsonl "
                        f"(schema: see the task folder's README) and set {DATA_DIR_ENV}")
    import datasets

    hub_split = split or bench.hub_split
    try:
        rows = datasets.load_dataset(bench.hub_path, bench.hub_name, split=hub_split)
    except (ConnectionError, FileNotFoundError, OSError) as e:
        raise DataError(f"cannot load {bench.hub_path} ({bench.hub_name or 'default'}, {hub_split}) from the hub: {e}. "
                        f"Offline, set {DATA_DIR_ENV} to the benchmark mirror.") from None
    return _docs(bench, [(f"{bench.hub_path}[{hub_split}] row {i}", row) for i, row in enumerate(rows)])


def _docs(bench: Benchmark, rows: list[tuple[str, dict]], from_mirror: bool = False) -> list[dict]:
    if bench.row_filter:
        rows = [(where, row) for where, row in rows if bench.row_filter(row)]
    if bench.rows_from:
        try:
            rows = [(f"{where} item {j}", sub) for where, row in rows for j, sub in enumerate(bench.rows_from(row))]
        except (KeyError, TypeError) as e:
            raise DataError(f"unusable row for benchmark {bench.name!r}: {type(e).__name__}: {e}") from None
    docs = [to_doc(bench, row, i, where, from_mirror) for i, (where, row) in enumerate(rows)]
    if bench.unavailable:
        reasons = [bench.unavailable(row) for _, row in rows]
        left = LEFT_OUT[bench.name] = {doc["rpt_id"]: why for doc, why in zip(docs, reasons) if why}
        if left:
            first = next(iter(left.items()))
            log.warning("%s: %d rows left out on this machine, e.g. %s: %s (rpt eval lists them in "
                        "rpt_left_out.json)", bench.name, len(left), *first)
        docs = [doc for doc, why in zip(docs, reasons) if not why]
    if bench.labels_from_golds:
        labels = sorted({doc["gold"] for doc in docs})
        for doc in docs:
            doc.update(labels=labels, answer_format=one_of_labels(labels))
    return docs


def generated_docs(bench: Benchmark, seed: int, size: int) -> list[dict]:
    """reasoning-gym puzzles: deterministic for (name, seed, size); the doc keeps those three
    and its index, from which the verifier regenerates the entry it scores against."""
    options = json.dumps(bench.generator_config, sort_keys=True)
    entries = reasoning_gym_dataset(bench.generator, seed, size, options)
    docs = []
    for index in range(size):
        entry = entries[index]
        docs.append({"rpt_id": f"{bench.generator}-{seed}-{index}", "rpt_benchmark": bench.name,
                     "question": entry["question"], "gold": str(entry["answer"]),
                     "answer_format": bench.answer_format,
                     "rg_name": bench.generator, "rg_seed": seed, "rg_size": size, "rg_index": index,
                     "rg_config": options})
    return docs


@lru_cache(maxsize=32)
def reasoning_gym_dataset(name: str, seed: int, size: int, options: str = "{}"):
    """A reasoning-gym dataset; `options` is the generator config as JSON (hashable, for the cache)."""
    import reasoning_gym

    return reasoning_gym.create_dataset(name, seed=seed, size=size, **json.loads(options))
