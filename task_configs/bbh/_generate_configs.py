"""Writes one YAML per BIG-Bench Hard task and the group YAML (run from this folder).

The task list lives in rpt_tasks (registry),
so the harness and the trainer agree on them; this only lays them out in lm-eval's format.
"""

from pathlib import Path

from rpt_tasks.registry import BBH_TASKS

HERE = Path(__file__).resolve().parent
TASK = """include: _template_yaml
task: rpt_bbh_{name}
generation_kwargs:
  until: []
  do_sample: false
  temperature: 0.0
  max_gen_toks: &max_gen_toks 8192
dataset_kwargs:
  benchmark: bbh_{name}
  max_gen_toks: *max_gen_toks
"""


def main() -> None:
    names = [t.replace("-", "_") for t in BBH_TASKS]
    for name in names:
        (HERE / f"rpt_bbh_{name}.yaml").write_text(TASK.format(name=name))
    members = "\n".join(f"  - rpt_bbh_{name}" for name in names)
    (HERE / "rpt_bbh.yaml").write_text(
        "group: rpt_bbh\n# The 27 BIG-Bench Hard tasks, zero-shot; see README.md\n"
        f"task:\n{members}\naggregate_metric_list:\n  - metric: acc\n    aggregation: mean\n"
        "    weight_by_size: true\nmetadata:\n  version: 1.0\n")


if __name__ == "__main__":
    main()
