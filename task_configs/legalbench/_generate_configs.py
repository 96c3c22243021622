"""Writes one YAML per LegalBench task and the group YAML (run from this folder).

The task list and each task's label set and instruction live in rpt_tasks (registry/sources),
so the harness and the trainer agree on them; this only lays them out in lm-eval's format.
"""

from pathlib import Path

from rpt_tasks.registry import LEGALBENCH_TASKS

HERE = Path(__file__).resolve().parent
TASK = """include: _template_yaml
task: rpt_legalbench_{name}
generation_kwargs:
  until: []
  do_sample: false
  temperature: 0.0
  max_gen_toks: &max_gen_toks 8192
dataset_kwargs:
  benchmark: legalbench_{name}
  max_gen_toks: *max_gen_toks
"""


def main() -> None:
    names = [t.replace("-", "_") for t in LEGALBENCH_TASKS]
    for name in names:
        (HERE / f"rpt_legalbench_{name}.yaml").write_text(TASK.format(name=name))
    members = "\n".join(f"  - rpt_legalbench_{name}" for name in names)
    (HERE / "rpt_legalbench.yaml").write_text(
        "group: rpt_legalbench\n# LegalBench exact-match (classification) tasks available offline; see README.md\n"
        f"task:\n{members}\naggregate_metric_list:\n  - metric: acc\n    aggregation: mean\n"
        "    weight_by_size: true\nmetadata:\n  version: 1.0\n")


if __name__ == "__main__":
    main()
