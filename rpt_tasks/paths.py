"""Where the task YAMLs are: inside the installed package, or at the top of a checkout."""

from pathlib import Path


def task_dir() -> Path:
    installed = Path(__file__).resolve().parent / "task_configs"
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent / "task_configs"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("task_configs not found: reinstall rpt-transfer (pip install rpt-transfer)")
