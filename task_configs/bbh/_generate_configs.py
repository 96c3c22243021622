"""Writes one YAML per BIG-Bench Hard task and the group YAML (run from anywhere).

The task list lives in rpt_tasks.registry; this only lays it out in lm-eval's format.
"""

from pathlib import Path

from rpt_tasks.paths import write_family_configs
from rpt_tasks.registry import BBH_TASKS

if __name__ == "__main__":
    write_family_configs(Path(__file__).resolve().parent, "bbh", list(BBH_TASKS),
                         "The 27 BIG-Bench Hard tasks, zero-shot; see README.md")
