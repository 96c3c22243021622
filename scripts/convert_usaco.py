"""Turn the USACO benchmark download (princeton-nlp/USACO, "USACO bench": 307 problems) into the
stdin/stdout JSONL that `rpt_usaco` reads from $RPT_DATA_DIR/usaco/test.jsonl.

    python scripts/convert_usaco.py --problems data/datasets/usaco_subset307_dict.json \
                                    --tests data/datasets/usaco_v3/tests --out $RPT_DATA_DIR/usaco/test.jsonl

The problems file maps problem ids to records with `description`, `runtime_limit` (seconds) and
`memory_limit` (MB); each problem's test folder (named by problem id) holds input/output pairs as
`N.in`/`N.out` or `I.N`/`O.N`. A problem without tests is reported and left out, never written
with an empty test list (it would pass any program).
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

_PAIRS = [(re.compile(r"^(\d+)\.in$"), "{}.out"), (re.compile(r"^I\.(\d+)$"), "O.{}")]


def test_pairs(folder: Path) -> list[dict]:
    cases = []
    for path in folder.iterdir() if folder.is_dir() else []:
        for pattern, output_name in _PAIRS:
            match = pattern.match(path.name)
            if match and (folder / output_name.format(match.group(1))).is_file():
                cases.append((int(match.group(1)), path, folder / output_name.format(match.group(1))))
    return [{"input": i.read_text(errors="replace"), "output": o.read_text(errors="replace")}
            for _, i, o in sorted(cases)]


def convert(problems_file: Path, tests_root: Path) -> tuple[list[dict], list[str]]:
    problems = json.loads(problems_file.read_text())
    rows, missing = [], []
    for key, record in problems.items():
        problem_id = str(record.get("problem_id", key))
        tests = test_pairs(tests_root / problem_id)
        if not tests:
            missing.append(problem_id)
            continue
        rows.append({"id": problem_id, "question": record["description"], "tests": tests,
                     "time_limit_s": float(record.get("runtime_limit") or 2.0),
                     "memory_limit_mb": int(record.get("memory_limit") or 256), "float_tolerance": None})
    return rows, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", required=True, type=Path)
    parser.add_argument("--tests", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    rows, missing = convert(args.problems, args.tests)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(f".{args.out.name}.tmp")
    tmp.write_text("".join(json.dumps(row) + "\n" for row in rows))
    os.replace(tmp, args.out)
    print(f"wrote {len(rows)} problems to {args.out}")
    if missing:
        print(f"left out {len(missing)} problems without tests: {', '.join(missing[:20])}")


if __name__ == "__main__":
    main()
