"""Loading benchmark rows: from the offline mirror when RPT_DATA_DIR is set, else from the hub.

Rows come back as "docs": the canonical fields every task and reward reads
(``rpt_id``, ``rpt_benchmark``, ``question``, ``gold``) plus the columns the benchmark keeps.
Mirror files are read with the json module rather than the `datasets` json builder, so a bad
row is reported with its file and line, and no column type is guessed (amc23's 27.0).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rpt_tasks.registry import Benchmark, get_benchmark

DATA_DIR_ENV = "RPT_DATA_DIR"


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
        question = question_from(row) if question_from else row[fields["question"]]
        gold = row[fields["gold"]] if "gold" in fields else ""
        gold = bench.gold_from(gold) if bench.gold_from else str(gold)
        tests = json.dumps(tests_from(row)) if tests_from else ""
    except (ValueError, KeyError, TypeError) as e:
        raise DataError(f"{where}: unusable row for benchmark {bench.name!r}: {type(e).__name__}: {e}") from None
    if not isinstance(question, str) or not question.strip():
        raise DataError(f"{where}: empty or non-text question")
    doc = {k: row[k] for k in bench.keep if k in row}
    doc.update(
        rpt_id=str(row[fields["id"]]) if "id" in fields else str(index),
        rpt_benchmark=bench.name,
        question=question,
        gold=gold,
    )
    if tests:
        doc["tests"] = tests
    return doc


def load_docs(name: str, split: str | None = None) -> list[dict]:
    """Canonical docs of a benchmark split (the evaluated split by default)."""
    bench = get_benchmark(name)
    root = mirror_dir()
    if root is not None:
        path = root / bench.mirror_folder / f"{split or bench.mirror_split}.jsonl"
        return [to_doc(bench, row, i, f"{path}:{line}", from_mirror=True) for i, (line, row) in enumerate(read_jsonl(path))]
    if bench.hub_path is None:
        raise DataError(f"{bench.name} has no copy on the Hugging Face hub: put its rows in "
                        f"$RPT_DATA_DIR/{bench.mirror_folder}/{split or bench.mirror_split}.jsonl "
                        f"(schema: see task_configs/code/README.md) and set {DATA_DIR_ENV}")
    import datasets

    hub_split = split or bench.hub_split
    rows = datasets.load_dataset(bench.hub_path, bench.hub_name, split=hub_split)
    return [to_doc(bench, row, i, f"{bench.hub_path}[{hub_split}] row {i}") for i, row in enumerate(rows)]

