"""BIG-Bench Hard (logic): its 27 tasks, zero-shot, scored by exact match."""

from __future__ import annotations

from rpt_tasks.benchmarks.spec import Benchmark, Group, Hub, Mirror

FOLDER = "bbh"
TITLE = "rpt BIG-Bench Hard tasks"
INTRO = ("The 27 BIG-Bench Hard tasks (Suzgun et al., 2022), zero-shot with a final `ANSWER:` line, scored by "
         "exact match.")
NOTES = """\
Exact match: `(B)`-style targets as letters, numbers as numbers, anything else after case and
whitespace normalisation (answer kind `exact`). Group `rpt_bbh`, part of `rpt_logic`."""

TASKS = (
    "boolean_expressions", "causal_judgement", "date_understanding", "disambiguation_qa", "dyck_languages",
    "formal_fallacies", "geometric_shapes", "hyperbaton", "logical_deduction_five_objects",
    "logical_deduction_seven_objects", "logical_deduction_three_objects", "movie_recommendation",
    "multistep_arithmetic_two", "navigate", "object_counting", "penguins_in_a_table",
    "reasoning_about_colored_objects", "ruin_names", "salient_translation_error_detection", "snarks",
    "sports_understanding", "temporal_sequences", "tracking_shuffled_objects_five_objects",
    "tracking_shuffled_objects_seven_objects", "tracking_shuffled_objects_three_objects", "web_of_lies",
    "word_sorting",
)


def bbh_row(row: dict) -> dict:
    return {"question": row["input"], "gold": row["target"]}


# lukaemon/bbh ships only a loading script (datasets >= 4 refuses it); lm-eval moved to this parquet
# copy with the same configs and columns (lm-eval PR #2845).
BBH_REVISION = "b5306be6f827cfafbb545ff5a51f96916029b0fd"
BENCHMARKS = [
    Benchmark(name=f"bbh_{t}", domain="logic", kind="exact", adapter=bbh_row, hub=Hub("SaylorTwift/bbh", "test", name=t, revision=BBH_REVISION),
              mirror=Mirror(f"bbh/{t}", "test"), metric="acc: exact match",
              answer_format="<your final answer, exactly as the task asks (e.g. (B), True, Yes)>") for t in TASKS]
VARIANTS = []
GROUPS = [Group("rpt_bbh", tuple(b.task for b in BENCHMARKS), "The 27 BIG-Bench Hard tasks, zero-shot; see README.md")]
CITATIONS = {
    "bbh": "@article{suzgun2022challenging, title={Challenging BIG-Bench Tasks and Whether Chain-of-Thought Can Solve Them}, author={Suzgun, Mirac and others}, journal={arXiv:2210.09261}, year={2022}}",
}
