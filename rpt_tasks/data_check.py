"""`rpt data check`: can every benchmark and training source be read here, and does it read right?

For each source it resolves the pinned copy (the mirror when RPT_DATA_DIR is set, else the hub at
its revision), reads a few rows (streaming from the hub), runs the benchmark's adapter on them
(every column it reads must be there) and checks what the adapter made: a question, a gold answer
the benchmark's own verifier accepts (code: a tests spec that parses). One line per source: OK,
FAIL with the reason, or UNREACHABLE (the hub cannot be reached, or the set is gated).

    rpt data check [--tasks PATTERN] [--training] [--rows N] [--json]
Exit status 0 when every source checked is OK.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys

from rpt_tasks.benchmarks import BENCHMARKS, TRAIN_SOURCES, Benchmark


def _gold_answer(doc: dict) -> str | None:
    """An output that states the doc's gold answer, for its own verifier to accept."""
    if doc["rpt_kind"] == "code":
        return None
    return f"ANSWER: {doc['gold']}"


def _validate(bench: Benchmark, docs: list[dict]) -> str:
    """'' when the docs are usable, else what is wrong with the first bad one."""
    from rpt_tasks.verify import CODE_KINDS, verify_docs

    if not docs:
        return "no rows"
    for doc in docs:
        if bench.kind in CODE_KINDS:
            try:
                spec = json.loads(doc["tests"])
            except (KeyError, TypeError, ValueError) as e:
                return f"row {doc['rpt_id']}: tests are not a JSON spec ({type(e).__name__})"
            if not isinstance(spec, dict) or "kind" not in spec:
                return f"row {doc['rpt_id']}: tests spec without a kind"
            if spec["kind"] == "stdio" and not spec.get("cases"):
                return f"row {doc['rpt_id']}: no test cases"
        elif not doc["gold"].strip():
            return f"row {doc['rpt_id']}: empty gold answer"
    checkable = [d for d in docs if _gold_answer(d) is not None and d["rpt_kind"] in ("math", "choice", "label", "exact",
                                                                                        "number")]
    if checkable:
        verdicts = verify_docs([_gold_answer(d) for d in checkable], checkable)
        wrong = [d["rpt_id"] for d, v in zip(checkable, verdicts) if not v]
        if wrong:
            return f"the verifier rejects the gold answer of rows {wrong[:3]} (gold encoding?)"
    return ""


def check_source(bench: Benchmark, rows: int) -> dict:
    """One source's line: source, config, split, revision, where, status, reason."""
    from rpt_tasks.data import DataError, generated_docs, mirror_dir, read_jsonl, to_doc
    from rpt_tasks.hub import HubError, describe, load_rows

    root = mirror_dir()
    line = {"benchmark": bench.name, "task": bench.task, "source": None, "config": None, "split": None,
            "revision": None, "where": None, "status": "OK", "reason": ""}
    try:
        if bench.generator:
            line.update(source=f"reasoning-gym:{bench.generator}", where="generated", split=f"seed {bench.seed}")
            docs = generated_docs(bench, bench.seed, min(rows, bench.size or rows))
        elif bench.loader:
            line.update(source="PyPI package", where="package")
            docs = [to_doc(bench, bench.adapter, row, i, f"{bench.name} row {i}")
                    for i, row in enumerate(bench.loader()[:rows])]
        elif root is not None and bench.mirror is not None:
            path = root / bench.mirror.folder / f"{bench.mirror.split}.jsonl"
            line.update(source=str(path), split=bench.mirror.split, where="mirror")
            adapter = bench.mirror.adapter or bench.adapter
            docs = [to_doc(bench, adapter, row, i, f"{path}:{n}") for i, (n, row) in enumerate(read_jsonl(path)[:rows])]
        elif bench.hub is not None:
            hub = bench.hub
            line.update(source=hub.path, config=hub.name, split=hub.split, revision=hub.revision, where="hub")
            if not hub.revision:
                line.update(status="FAIL", reason="no pinned revision")
                return line
            stream = load_rows(hub, hub.split, streaming=True)
            adapter = hub.adapter or bench.adapter
            docs = []
            for i, row in enumerate(stream):
                if i >= rows:
                    break
                docs.append(to_doc(bench, adapter, row, i, f"{describe(hub, hub.split)} row {i}"))
        else:
            line.update(status="FAIL", reason="no hub copy and no mirror folder (set RPT_DATA_DIR)")
            return line
        if bench.row_filter is None and bench.rows_from is None:
            problem = _validate(bench, docs)
            if problem:
                line.update(status="FAIL", reason=problem)
    except HubError as e:
        unreachable = any(word in str(e) for word in ("not reachable", "gated"))
        line.update(status="UNREACHABLE" if unreachable else "FAIL", reason=str(e))
    except DataError as e:
        line.update(status="FAIL", reason=str(e))
    except Exception as e:  # noqa: BLE001 - a check reports, it never crashes
        line.update(status="FAIL", reason=f"{type(e).__name__}: {e}")
    return line


def selected(pattern: str | None, training: bool) -> list[Benchmark]:
    benches = list(BENCHMARKS.values()) + (list(TRAIN_SOURCES.values()) if training else [])
    if pattern:
        patterns = [p.strip() for p in pattern.split(",") if p.strip()]
        benches = [b for b in benches if any(fnmatch.fnmatch(b.task, p) or fnmatch.fnmatch(b.name, p)
                                             for p in patterns)]
    return benches


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rpt data check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", help="task or benchmark names, comma-separated, wildcards allowed")
    parser.add_argument("--training", action="store_true", help="also the training sources")
    parser.add_argument("--rows", type=int, default=5, help="rows read per source (default 5)")
    parser.add_argument("--json", action="store_true", help="one JSON list instead of the table")
    args = parser.parse_args(argv)
    benches = selected(args.tasks, args.training)
    if not benches:
        print(f"rpt data check: no benchmark matches {args.tasks!r} (rpt tasks lists them)", file=sys.stderr)
        return 2
    lines = [check_source(bench, args.rows) for bench in benches]
    if args.json:
        print(json.dumps(lines, indent=1))
    else:
        print(f"{'task':<34}{'status':<13}{'where':<9}{'source':<46}{'revision':<14}reason")
        for line in lines:
            print(f"{line['task']:<34}{line['status']:<13}{line['where'] or '':<9}{str(line['source'])[-45:]:<46}"
                  f"{(line['revision'] or '-')[:12]:<14}{line['reason'][:160]}")
        counts = {s: sum(line["status"] == s for line in lines) for s in ("OK", "FAIL", "UNREACHABLE")}
        print(f"\n{counts['OK']} OK, {counts['FAIL']} FAIL, {counts['UNREACHABLE']} UNREACHABLE of {len(lines)} sources")
    return 0 if all(line["status"] == "OK" for line in lines) else 1


def cli(argv: list[str]) -> int:
    """`rpt data ...`: the data commands (check)."""
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: rpt data check [--tasks PATTERN] [--training] [--rows N] [--json]", file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    if argv[0] != "check":
        print(f"rpt data: unknown command {argv[0]!r} (only: check)", file=sys.stderr)
        return 2
    return main(argv[1:])
