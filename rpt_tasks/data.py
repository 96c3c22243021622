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


def to_doc(bench: Benchmark, row: dict, index: int, where: str) -> dict:
    """Map one source row onto the canonical doc; `where` names the row in errors."""
    missing = [src for src in bench.fields.values() if src not in row]
    if missing:
        raise DataError(f"{where}: row lacks column(s) {missing} that benchmark {bench.name!r} needs "
                        f"(has {sorted(row)})")
    gold = row[bench.fields["gold"]]
    try:
        gold = bench.gold_from(gold) if bench.gold_from else str(gold)
    except ValueError as e:
        raise DataError(f"{where}: unusable gold answer {str(gold)[:80]!r}: {e}") from None
    question = row[bench.fields["question"]]
    if not isinstance(question, str) or not question.strip():
        raise DataError(f"{where}: empty or non-text question")
    doc = {k: row[k] for k in bench.keep if k in row}
    doc.update(
        rpt_id=str(row[bench.fields["id"]]) if "id" in bench.fields else str(index),
        rpt_benchmark=bench.name,
        question=question,
        gold=gold,
    )
    return doc


def load_docs(name: str, split: str | None = None) -> list[dict]:
    """Canonical docs of a benchmark split (the evaluated split by default)."""
    bench = get_benchmark(name)
    root = mirror_dir()
    if root is not None:
        path = root / bench.mirror_folder / f"{split or bench.mirror_split}.jsonl"
        return [to_doc(bench, row, i, f"{path}:{line}") for i, (line, row) in enumerate(read_jsonl(path))]
    import datasets

    hub_split = split or bench.hub_split
    rows = datasets.load_dataset(bench.hub_path, bench.hub_name, split=hub_split)
    return [to_doc(bench, row, i, f"{bench.hub_path}[{hub_split}] row {i}") for i, row in enumerate(rows)]

