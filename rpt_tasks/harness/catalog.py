"""`rpt tasks`: every task with its domain, source and size, and the paper's 16 benchmarks with
what this machine has for each."""

from __future__ import annotations

import argparse
import json

from rpt_tasks.benchmarks import BENCHMARKS, GROUPS, PAPER_SUITE, get_benchmark, group_members


def source(bench) -> str:
    if bench.generator:
        return f"generated: reasoning-gym {bench.generator} (seed {bench.seed})"
    if bench.loader:
        return "a PyPI package"
    if bench.hub is None:
        folder = bench.mirror.folder if bench.mirror else bench.name
        return f"no hub copy; $RPT_DATA_DIR/{folder}/"
    return bench.hub.path + (f" ({bench.hub.name})" if bench.hub.name else "") + f" [{bench.hub.split}]"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def paper_suite() -> list[dict]:
    """Each of the paper's benchmarks, its domain, the task or group that runs it, and what this
    machine has for it (offline data, a hub-only set, a missing toolchain)."""
    from rpt_tasks.data import mirror_dir
    from rpt_tasks.harness.evaluate import unjudgeable

    mirror = mirror_dir()
    out = []
    for name, (domain, task) in PAPER_SUITE.items():
        members = [get_benchmark(t) for t in group_members(task)]
        offline = sum(1 for b in members if mirror and b.mirror and (mirror / b.mirror.folder).is_dir())
        cannot = len(unjudgeable([b.task for b in members]))
        here = (f"{offline}/{len(members)} tasks offline" if len(members) > 1 else
                "offline" if offline else ("hub" if members[0].hub else "needs its data in $RPT_DATA_DIR"))
        if cannot:
            here += f"; {cannot} cannot run here (toolchains)"
        out.append(dict(benchmark=name, domain=domain, run_with=task, here=here))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rpt tasks", description="List the rpt_* tasks.")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--wide", action="store_true", help="every column in full (default: fit 120 columns)")
    parser.add_argument("--path", action="store_true",
                        help="print the installed task folder (for lm_eval --include_path \"$(rpt tasks --path)\")")
    args = parser.parse_args(argv)
    if args.path:
        from rpt_tasks.harness.configs import task_dir

        print(task_dir())
        return 0
    rows = [dict(task=b.task, domain=b.domain, kind="structured" if b.structured else "unstructured",
                 source=source(b), size=b.size if b.size is not None else "-", samples=b.samples, metric=b.metric)
            for b in BENCHMARKS.values()]
    paper = paper_suite()
    if args.json:
        print(json.dumps({"tasks": rows, "paper_suite": paper}, indent=2))
        return 0
    print(f"The paper's {len(paper)} benchmarks:")
    pcols = ["benchmark", "domain", "run_with", "here"]
    pwidths = {c: max(len(c), *(len(str(r[c])) for r in paper)) for c in pcols}
    for r in [dict(zip(pcols, pcols)), *paper]:
        print("  " + "  ".join(str(r[c]).ljust(pwidths[c]) for c in pcols))
    print("\nAll tasks:")
    cols = ["task", "domain", "size", "samples", "metric", "source"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    if not args.wide:  # the long columns share what 120 leaves
        widths["task"] = min(widths["task"], 40)
        fixed = sum(widths[c] + 2 for c in cols if c not in ("metric", "source"))
        room = max(20, 120 - fixed - 2)
        widths["metric"] = min(widths["metric"], room * 2 // 5)
        widths["source"] = min(widths["source"], room - widths["metric"])
    print("  ".join(c.ljust(widths[c]) for c in cols).rstrip())
    for r in sorted(rows, key=lambda r: (r["domain"], r["task"])):
        print("  ".join(_fit(str(r[c]), widths[c]).ljust(widths[c]) for c in cols).rstrip())
    import textwrap

    groups = f"groups: {', '.join(sorted(GROUPS))}"
    print("\n" + (groups if args.wide else textwrap.fill(groups, 120, subsequent_indent="  ")))
    return 0
