"""Every shipped task loads with lm-eval itself (a YAML that fails to parse is skipped silently
by lm-eval, so only loading each one proves it exists)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from rpt_tasks.harness.configs import task_dir
from rpt_tasks.benchmarks import BENCHMARKS, get_benchmark
from rpt_tasks.benchmarks.legalbench import EXACT_MATCH as LEGALBENCH_EXACT_MATCH
from rpt_tasks.benchmarks.legalbench import OFFLINE as LEGALBENCH_TASKS
from rpt_tasks.benchmarks.legalbench import task_name as legalbench_task_name

from rpt_tasks.benchmarks import VARIANTS  # noqa: E402
from rpt_tasks.benchmarks import paper_legalbench  # noqa: E402

TASKS = sorted({b.task for b in BENCHMARKS.values()} | {v.task for v in VARIANTS.values()})
GROUPS = ["rpt_math", "rpt_code", "rpt_knowledge", "rpt_knowledge_full", "rpt_finben", "rpt_legalbench",
          "rpt_legalbench_full", "rpt_aider_polyglot", "rpt_science",
          "rpt_science_full", "rpt_logic", "rpt_bbh", "rpt_structured", "rpt_unstructured", "rpt_suite",
          "rpt_suite_full", "rpt_mini", "rpt_paper", "rpt_paper_math", "rpt_paper_code", "rpt_paper_knowledge",
          "rpt_paper_base", "rpt_paper_legalbench", "rpt_paper_finben", "rpt_paper_finben_qa", "rpt_paper_aider_polyglot"]
# no offline data: tested on fixtures in test_code_tasks.py and test_answer_kinds.py
NOT_MIRRORED = {"rpt_codeforces", "rpt_usaco", "rpt_gpqa_diamond", "rpt_mmlu_pro", "rpt_knights_knaves_hub",
                "rpt_finben_fpb", "rpt_finben_fiqasa", "rpt_finben_headlines", "rpt_finben_finqa", "rpt_finben_convfinqa"} | {
                    f"rpt_legalbench_{legalbench_task_name(t)}" for t in LEGALBENCH_EXACT_MATCH if t not in LEGALBENCH_TASKS} | {
                    "rpt_paper_codeforces", "rpt_paper_usaco", "rpt_paper_medqa"} | {  # hub only: test_hub_layouts.py
                    b.task for b in BENCHMARKS.values() if b.name.startswith("paper_finben_")} | {
                    f"rpt_paper_legalbench_{legalbench_task_name(t)}" for t in paper_legalbench.TASKS
                    if t not in LEGALBENCH_TASKS}


@pytest.fixture(scope="module")
def task_manager():
    from lm_eval.tasks import TaskManager

    return TaskManager(include_path=str(REPO / "task_configs"), include_defaults=False)


def test_every_registry_benchmark_has_a_task_and_nothing_else_is_indexed(task_manager):
    assert sorted(task_manager.all_subtasks) == TASKS
    assert set(task_manager.all_groups) == set(GROUPS)
    assert set(GROUPS) <= set(task_manager.all_groups)


@pytest.mark.parametrize("name", sorted(set(TASKS) - NOT_MIRRORED))
def test_task_builds_requests_from_the_mirror(name, task_manager, mirror):
    bench = BENCHMARKS.get(name.removeprefix("rpt_"))
    if bench and bench.requires and bench.requires():  # tested in test_polyglot.py: reported, not scored
        pytest.skip(f"{name} cannot be judged on this machine: {bench.requires()}")
    task = task_manager.load([name])["tasks"][name]
    task.build_all_requests(limit=10)
    assert len(task.instances) == 10
    for instance in task.instances:
        assert instance.repeats == task.config.repeats
        prompt, gen_kwargs = instance.arguments
        assert isinstance(prompt, str) and instance.doc["question"] in prompt
        if name.startswith("rpt_paper_"):
            pass  # the authors' prompts, verbatim (test_paper_preset.py)
        elif task.config.unsafe_code:  # code: a fenced block, not an ANSWER line
            assert ("```python" in prompt or "modify the supplied files" in prompt) and "ANSWER:" not in prompt
        else:
            assert "ANSWER:" in prompt
        assert gen_kwargs["max_gen_toks"] >= (256 if name.startswith("rpt_mini") else 8192)  # room for reasoning
    assert task.config.metadata["version"] >= 1
    assert task.config.unsafe_code == (get_benchmark(task.config.dataset_kwargs["benchmark"]).domain == "code")


def test_sampled_tasks_score_every_sample(task_manager, mirror):
    task = task_manager.load(["rpt_aime24"])["tasks"]["rpt_aime24"]
    assert task.config.repeats == 16
    task.build_all_requests(limit=1)
    # The filter keeps every sample (lm-eval's default would keep the first only).
    filtered = task._filters[0].filters[0]().apply([[f"r{i}" for i in range(16)]], [None])
    assert len(filtered[0]) == 16
    doc = task.instances[0].doc
    results = ["ANSWER: " + doc["gold"] if i % 4 == 0 else "ANSWER: 1000" for i in range(16)]
    assert task.process_results(doc, results)["acc"] == 0.25


def test_lm_eval_validate_accepts_every_task():
    proc = run_cli(sys.executable, "-m", "lm_eval", "validate", "--tasks", ",".join(TASKS + GROUPS),
                   "--include_path", "task_configs")
    assert "All tasks found and valid" in proc.stdout


def test_installed_package_ships_the_task_configs(tmp_path):
    shipped = {p.name for p in task_dir().rglob("*.yaml")}
    assert {f"{t}.yaml" for t in TASKS + GROUPS} <= shipped
    # and a built wheel carries them (the path a user without a checkout gets)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path), str(REPO)], check=True, capture_output=True, text=True)
    assert "absent from the `packages` configuration" not in built.stderr + built.stdout  # a quiet install
    wheel = next(Path(tmp_path).glob("rpt_transfer-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for t in TASKS + GROUPS:
        assert any(n.startswith("rpt_tasks/task_configs/") and n.endswith(f"/{t}.yaml") for n in names), t
    assert any(n.endswith("/_template_yaml") for n in names)
    assert any(n.endswith("math/utils.py") for n in names)
    assert "rpt_tasks/benchmarks/paper_protocol/protocol.json" in names  # the paper preset's data


def _members(group: str, files: dict) -> set[str]:
    import yaml

    out = set()
    for member in yaml.safe_load(files[group])["task"]:
        out |= _members(member, files) if member in files else {member}
    return out


def test_suite_groups_cover_every_task():
    files = {}
    for path in (REPO / "task_configs").rglob("*.yaml"):
        text = path.read_text()
        if text.startswith("group:"):
            files[text.split("\n", 1)[0].split(":", 1)[1].strip()] = text
    offline = _members("rpt_suite", files)
    variants = {"rpt_humaneval_pass10", "rpt_tabfact_2k", "rpt_mbpp_full", "rpt_leetcode",
                "rpt_bigcodebench_instruct"} | _members("rpt_mini", files)
    # offline, but judged only where their libraries or toolchains are installed: in rpt_suite_full
    needs_tools = {"rpt_bigcodebench"} | _members("rpt_aider_polyglot", files)
    preset = _members("rpt_paper", files)  # the authors' protocol: a preset of its own, not in the suites
    base = _members("rpt_paper_base", files)  # the preset for pretrained-only bases, a sibling group
    assert preset | base == {t for t in TASKS if t.startswith("rpt_paper_")} and not preset & base
    assert offline == set(TASKS) - NOT_MIRRORED - variants - needs_tools - preset - base
    full = _members("rpt_suite_full", files)
    assert full == set(TASKS) - variants - {"rpt_usaco", "rpt_knights_knaves_hub"} - preset - base
    assert _members("rpt_structured", files) | _members("rpt_unstructured", files) < offline


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    command = readme.split("```bash\npython -m pytest")[1].split("\n")[0]
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert f"python -m pytest{command}" in ci_lines
