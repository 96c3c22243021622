"""Time to finish a one-document eval: `rpt eval` versus plain `lm_eval --include_path`.

Both run lm-eval's evaluator on the same tiny offline model and task; the difference is that
`rpt eval` indexes only our task folder, while `--include_path` also indexes lm-eval's 14.7k
built-in tasks. Runs alternate so drift on a busy machine hits both sides alike.

    python scripts/bench_startup.py [--runs 5] [--model PATH]
Target (issue 2): ratio rpt/lm_eval <= 0.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs of each command")
    parser.add_argument("--model", help="model folder (default: a tiny random Llama built here)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="rpt-bench-startup-"))
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", OMP_NUM_THREADS="1",
               HF_HOME=str(tmp / "hf"), TOKENIZERS_PARALLELISM="false")
    env.setdefault("RPT_DATA_DIR", str(REPO.parent / "shared" / "data"))
    if args.model:
        model = args.model
    else:
        from rpt_tasks.testing.tiny_model import build_tiny_llama

        model = str(build_tiny_llama(tmp / "tiny"))
    common = ["--model", "hf", "--model_args", f"pretrained={model}", "--tasks", "rpt_gsm8k", "--limit", "1",
              "--gen_kwargs", "max_gen_toks=8"]
    commands = {
        "rpt eval": [str(Path(sys.executable).parent / "rpt"), "eval", *common],
        "lm_eval --include_path": [sys.executable, "-m", "lm_eval", *common, "--include_path", "task_configs"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    from tqdm import tqdm

    for _ in tqdm(range(args.runs), desc="runs (each command once)"):
        for name, cmd in commands.items():
            times[name].append(timed(cmd, env))

    print(f"\n{'command':<26}{'median s':>10}{'min s':>8}{'max s':>8}   runs={args.runs}")
    for name, values in times.items():
        print(f"{name:<26}{statistics.median(values):>10.2f}{min(values):>8.2f}{max(values):>8.2f}")
    ratio = statistics.median(times["rpt eval"]) / statistics.median(times["lm_eval --include_path"])
    print(f"\nratio rpt eval / lm_eval --include_path (medians): {ratio:.2f}  (target <= 0.50)")


if __name__ == "__main__":
    main()
