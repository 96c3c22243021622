"""`rpt train --plan` against a measured CPU run: the planned total beside the peak RSS of the same
recipe trained for a few steps (each run in its own process; its peak is that process's).

    python scripts/bench_plan.py [--steps 2] [--case NAME ...]
Target (issue 20): on the CPU, the plan within 25% of the measured peak (ratio 0.75-1.25).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RPT = str(Path(sys.executable).parent / "rpt")
CASES = {  # name: recipe and overrides
    "smollm2-b8": ("recipes/learn-smollm2-cpu.yaml", []),
    "smollm2-b16": ("recipes/learn-smollm2-cpu.yaml", ["--per_device_train_batch_size", "16"]),
    "smollm2-b8-c96": ("recipes/learn-smollm2-cpu.yaml", ["--max_completion_length", "96"]),
    "tiny-smoke": ("recipes/smoke-cpu.yaml", []),
}


def planned(recipe: str, overrides: list[str]) -> float:
    out = subprocess.run([RPT, "train", "--config", recipe, *overrides, "--plan"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    return float(re.search(r"total \(\+10%\)\s+([\d.]+) GiB", out).group(1))


def measured(recipe: str, overrides: list[str], steps: int) -> float:
    """Peak RSS (GiB) of a training run of `steps` steps, in a child of a fresh process so that
    RUSAGE_CHILDREN is that run alone."""
    with tempfile.TemporaryDirectory() as out:
        code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        proc = subprocess.run([sys.executable, "-c", code, RPT, "train", "--config", recipe, *overrides, "--max_steps",
                               str(steps), "--save_steps", "1000", "--output_dir", out], cwd=REPO, capture_output=True,
                              text=True, check=True)
    return int(proc.stdout.split()[-1]) / 1024 ** 2  # kB -> GiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    args = parser.parse_args()
    print(f"{'case':<16} {'planned GiB':>12} {'measured GiB':>13} {'ratio':>7}")
    for name in args.case or list(CASES):
        recipe, overrides = CASES[name]
        plan, peak = planned(recipe, overrides), measured(recipe, overrides, args.steps)
        print(f"{name:<16} {plan:>12.2f} {peak:>13.2f} {plan / peak:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
