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


FAMILY_TASK = """include: _template_yaml
task: rpt_{family}_{name}
generation_kwargs:
  until: []
  do_sample: false
  temperature: 0.0
  max_gen_toks: &max_gen_toks 8192
dataset_kwargs:
  benchmark: {family}_{name}
  max_gen_toks: *max_gen_toks
"""


def write_family_configs(folder: Path, family: str, names: list[str], comment: str,
                         group_members: list[str] | None = None) -> None:
    """One task YAML per member of a benchmark family plus the group YAML rpt_<family> over
    `group_members` (default: all of them). The task folders' _generate_configs.py call this with
    the member list from rpt_tasks.registry."""
    for name in names:
        (folder / f"rpt_{family}_{name}.yaml").write_text(FAMILY_TASK.format(family=family, name=name))
    write_group(folder, f"rpt_{family}", [f"rpt_{family}_{name}" for name in group_members or names], comment)


def write_group(folder: Path, group: str, members: list[str], comment: str) -> None:
    listed = "\n".join(f"  - {member}" for member in members)
    (folder / f"{group}.yaml").write_text(
        f"group: {group}\n# {comment}\ntask:\n{listed}\naggregate_metric_list:\n  - metric: acc\n"
        "    aggregation: mean\n    weight_by_size: true\nmetadata:\n  version: 1.0\n")
