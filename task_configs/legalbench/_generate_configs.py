"""Writes one YAML per LegalBench task and the group YAMLs (run from anywhere).

The task list, label sets and instructions live in rpt_tasks (registry, sources), so the harness
and the trainer agree on them; this only lays them out in lm-eval's format.
"""

from pathlib import Path

from rpt_tasks.paths import write_family_configs, write_group
from rpt_tasks.registry import LEGALBENCH_EXACT_MATCH, LEGALBENCH_TASKS, legalbench_task_name

if __name__ == "__main__":
    folder = Path(__file__).resolve().parent
    write_family_configs(folder, "legalbench", [legalbench_task_name(t) for t in LEGALBENCH_EXACT_MATCH],
                         "LegalBench exact-match tasks whose test data the offline mirror holds; see README.md",
                         group_members=[legalbench_task_name(t) for t in LEGALBENCH_TASKS])
    write_group(folder, "rpt_legalbench_full", [f"rpt_legalbench_{legalbench_task_name(t)}" for t in LEGALBENCH_EXACT_MATCH],
                "All 156 LegalBench exact-match tasks (the paper's); 105 of them load from the hub only")
