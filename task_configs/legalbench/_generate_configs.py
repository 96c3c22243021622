"""Writes one YAML per LegalBench task and the group YAML (run from anywhere).

The task list, label sets and instructions live in rpt_tasks (registry, sources), so the harness
and the trainer agree on them; this only lays them out in lm-eval's format.
"""

from pathlib import Path

from rpt_tasks.paths import write_family_configs
from rpt_tasks.registry import LEGALBENCH_TASKS

if __name__ == "__main__":
    write_family_configs(Path(__file__).resolve().parent, "legalbench", [t.replace("-", "_") for t in LEGALBENCH_TASKS],
                         "LegalBench exact-match (classification) tasks available offline; see README.md")
