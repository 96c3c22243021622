"""`rpt`: the project's command line; each command lives with its package.

    rpt eval  ...   lm-eval's own `run` command (same flags), on our tasks only
    rpt tasks       our tasks with domain, source and size
    rpt train ...   LoRA/QLoRA GRPO with the harness's verifiers as rewards (rpt train --help)
    rpt compare ... models against their base: deltas, significance, heatmap (rpt compare --help)
    rpt budget ...  the documents a paired comparison needs, planned from the base run (rpt budget --help)
    rpt export-upstream --tasks PATTERN --dest DIR   lm-eval-ready task folders (CONTRIBUTING.md)
    rpt data check [--tasks P] [--training] [--json]  can every source be read here, pinned? (run it first)
"""

from __future__ import annotations

import sys


def _eval(argv):
    from rpt_tasks.harness.evaluate import main

    return main(argv)


def _tasks(argv):
    from rpt_tasks.harness.catalog import main

    return main(argv)


def _train(argv):
    from rpt_train.cli import main

    return main(argv)


def _compare(argv):
    from rpt_tasks.compare import main

    return main(argv)


def _budget(argv):
    from rpt_tasks.compare.budget import main

    return main(argv)


def _export_upstream(argv):
    from rpt_tasks.export import main

    return main(argv)


def _data(argv):
    from rpt_tasks.data_check import cli

    return cli(argv)


COMMANDS = {"data": _data, "eval": _eval, "tasks": _tasks, "train": _train, "compare": _compare, "budget": _budget, "export-upstream": _export_upstream}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--version"]:
        from rpt_tasks import __version__

        print(f"rpt-transfer {__version__}")
        return 0
    if not argv or argv[0] not in COMMANDS:
        if argv and argv[0] not in ("-h", "--help"):
            import difflib

            near = difflib.get_close_matches(argv[0], COMMANDS, n=1)
            hint = f"; did you mean `rpt {near[0]}`?" if near else ""
            print(f"rpt: unknown command {argv[0]!r}{hint}\n", file=sys.stderr)
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    return COMMANDS[argv[0]](argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main())
