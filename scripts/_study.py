"""Shared by the two study drivers: run `rpt eval` unless its results exist, compare and merge."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RPT = [sys.executable, "-m", "rpt_tasks.cli"]


def has_results(folder: Path) -> bool:
    return any(folder.rglob("results_*.json"))


def evaluate(model_args: str, tasks: str, out: Path, limit: int | None, backend: str, extra: list[str]) -> None:
    """`rpt eval` with samples logged, skipped when the folder already holds results (resumable:
    `rpt eval` publishes results only once a run has finished)."""
    if has_results(out):
        print(f"skip (done): {out}")
        return
    cmd = [*RPT, "eval", "--model", backend, "--model_args", model_args, "--tasks", tasks, "--log_samples",
           "--output_path", str(out), "--confirm_run_unsafe_code", *extra]
    if limit:
        cmd += ["--limit", str(limit)]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def backend_name(requested: str) -> str:
    if requested != "auto":
        return requested
    import importlib.util

    import torch

    return "vllm" if importlib.util.find_spec("vllm") and torch.cuda.is_available() else "hf"
