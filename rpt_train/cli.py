"""`rpt train --config recipes/<name>.yaml [--key value ...] [--plan] [--resume]`"""

from __future__ import annotations

import dataclasses
import sys

from rpt_train.config import TrainConfig, load_config, parse_overrides

USAGE = __doc__.strip() + """

  --config FILE   a recipe (see recipes/); any TrainConfig field can be overridden with --field value
  --plan          print a GPU memory estimate and exit
  --resume        continue from the last complete checkpoint in output_dir

Multi-GPU: accelerate launch --config_file <TRL's zero2/zero3/fsdp config> -m rpt_train.cli --config ...
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "-h" in argv or "--help" in argv:
        print(USAGE)
        for f in dataclasses.fields(TrainConfig):
            print(f"  --{f.name:<28} {f.metadata['help']} (default: {f.default if f.default is not dataclasses.MISSING else f.default_factory()})")
        return 0
    plan = _flag(argv, "--plan")
    resume = _flag(argv, "--resume")
    config_path = None
    if "--config" in argv:
        at = argv.index("--config")
        config_path = argv[at + 1]
        del argv[at:at + 2]
    try:
        overrides = parse_overrides(argv)
        if resume:
            overrides["resume"] = True
        cfg = load_config(config_path, overrides)
    except (ValueError, OSError, TypeError) as e:
        print(f"rpt train: {e}", file=sys.stderr)
        return 2
    if plan:
        from rpt_train.plan import print_plan

        print_plan(cfg)
        return 0
    from rpt_train.trainer import train

    out = train(cfg)
    print(f"adapter and rpt_adapter.json written to {out}")
    return 0


def _flag(argv: list[str], name: str) -> bool:
    if name in argv:
        argv.remove(name)
        return True
    return False


if __name__ == "__main__":
    sys.exit(main())
