"""LegalBench (knowledge): the 156 tasks LegalBench's own evaluation.py scores by exact match."""

from __future__ import annotations

import re

from rpt_tasks.benchmarks.spec import Benchmark, Group, Hub, Mirror, one_of_labels

FOLDER = "legalbench"
TITLE = "rpt LegalBench tasks"
INTRO = ("LegalBench (Guha et al., 2023): the 156 tasks that LegalBench's own `evaluation.py` scores by exact "
         "match (`EXACT_MATCH_BALANCED_ACC_TASKS`), which is what the paper means by \"exact-match tasks\" (it "
         "counts about 155). The other tasks of the 162 are free-form or F1-scored (`rule_qa`, `sara_numeric`, "
         "`citation_prediction_open`, `definition_extraction`, `ssla_*`) and are left out.")
NOTES = """\
Each task is its own subtask `rpt_legalbench_<task>` (names reduced to `[a-z0-9_]`, e.g.
`opp115_user_access,_edit_and_deletion` -> `rpt_legalbench_opp115_user_access_edit_and_deletion`).
`rpt_legalbench`: the 51 tasks whose test data the offline mirror holds (CUAD, diversity,
hearsay, overruling, personal jurisdiction, PROA, corporate lobbying, Abercrombie, unfair ToS);
`rpt_legalbench_full`: all 156, the other 105 from the hub (`nguha/legalbench`) only.

## Scoring
- `acc` (per sample, used by `rpt compare`): the label read from the `ANSWER:` line is the gold
  label after LegalBench's normalisation (case, surrounding punctuation and spaces ignored).
- `balanced_acc`: mean recall over the gold classes, the number LegalBench reports per task.
- Label sets: declared per task family where known (`rpt_tasks/benchmarks/legalbench.py`); for
  the other tasks they are the distinct gold answers of the loaded split. Every prompt lists its
  labels (`ANSWER: <one of: Yes, No>`).

## Prompts (a deviation, on purpose)
Zero-shot with a final `ANSWER:` line, like every rpt task. Known families have a one-line
instruction; the other tasks name the task and show every input column (`Text: ...`,
`Question: ...`, `Choice 0: ...`). LegalBench's official per-task few-shot prompts
(`base_prompt.txt`, on GitHub only, not on the hub) are not used, so absolute scores are not
comparable with LegalBench's leaderboard; base-vs-RPT deltas are what this suite measures.

The mirror's test files are LegalBench's pre-release files (row counts differ slightly from the
final release for most CUAD tasks); with the hub the final release is used."""

# LegalBench's exact-match tasks: the list its evaluation.py scores by exact match (balanced
# accuracy): 156 tasks, the paper's "exact-match tasks" (it counts ~155). The rest are free-form or
# F1-scored (rule_qa, sara_numeric, citation_prediction_open, definition_extraction, ssla_*).
EXACT_MATCH = (
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
OFFLINE = tuple(t for t in EXACT_MATCH if t.startswith(("cuad_", "diversity_")) or t in (
    "abercrombie", "corporate_lobbying", "hearsay", "overruling", "personal_jurisdiction", "proa", "unfair_tos"))




def task_name(task: str) -> str:
    """LegalBench task -> our name part: lm-eval task names keep to [a-z0-9_]
    ('opp115_user_access,_edit_and_deletion' -> 'opp115_user_access_edit_and_deletion')."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", task.lower())).strip("_")


# LegalBench: the instruction of each task family (the official per-task prompts live on the
# hub/GitHub, not in the mirror) and its label set. Input columns other than `text` are named.
FAMILIES = {
    "cuad_": ("Does the following contract clause contain a {topic} provision?", ["Yes", "No"]),
    "diversity_": ("Is there diversity jurisdiction in the following situation (parties are diverse and the "
                   "amount in controversy exceeds $75,000)?", ["Yes", "No"]),
    "hearsay": ("Is the following evidence hearsay?", ["Yes", "No"]),
    "overruling": ("Does the following sentence overrule a previous case?", ["Yes", "No"]),
    "personal_jurisdiction": ("Does the court have personal jurisdiction over the defendant?", ["Yes", "No"]),
    "proa": ("Does the following statute contain a private right of action?", ["Yes", "No"]),
    "corporate_lobbying": ("Is the following bill relevant to the company, so that the company would want to "
                           "lobby for or against it?", ["Yes", "No"]),
    "abercrombie": ("Classify the distinctiveness of the following mark (Abercrombie spectrum).",
                    ["generic", "descriptive", "suggestive", "arbitrary", "fanciful"]),
    "unfair_tos": ("Which kind of potentially unfair clause in terms of service is the following?",
                   ["Arbitration", "Unilateral change", "Content removal", "Choice of law", "Unilateral termination",
                    "Limitation of liability", "Jurisdiction", "Contract by using", "Other"]),
}
INPUTS = {"corporate_lobbying": ("bill_title", "bill_summary", "company_name", "company_description")}


def family(task: str) -> tuple[str, list[str]] | None:
    """The instruction and label set of a task's family, or None."""
    for prefix, (instruction, labels) in FAMILIES.items():
        if task.startswith(prefix):
            topic = task.removeprefix("cuad_").replace("_", " ").replace("-", " ")
            return instruction.format(topic=topic), labels
    return None


def declared_labels(task: str) -> list[str] | None:
    """The declared label set of a task, or None: then it is read off the data (rpt_tasks.data)."""
    known = family(task)
    return known[1] if known else None


# The inputs LegalBench's own prompt shows, where they are not just `text`: the {{placeholders}} of
# tasks/<task>/base_prompt.txt at HazyResearch/legalbench@ce482446b8eac4403b6db2c17223af4514bb24e3 (every other task: text). Never a helper
# column such as diversity's `aic_is_met`/`parties_are_diverse` or `slice`, which can give the label away.
PROMPT_INPUTS = {
    'citation_prediction_classification': ('text', 'citation'),
    'citation_prediction_open': ('text', 'circuit'),
    'consumer_contracts_qa': ('contract', 'question'),
    'contract_qa': ('text', 'question'),
    'corporate_lobbying': ('bill_title', 'bill_summary', 'company_name', 'company_description'),
    'function_of_decision_section': ('Paragraph',),
    'insurance_policy_interpretation': ('policy', 'claim'),
    'international_citizenship_questions': ('question',),
    'nys_judicial_ethics': ('question',),
    'oral_argument_question_purpose': ('question',),
    'privacy_policy_entailment': ('text', 'description'),
    'privacy_policy_qa': ('text', 'question'),
    'sara_entailment': ('statute', 'description', 'question'),
    'sara_numeric': ('statute', 'description', 'question'),
    'scalr': ('question', 'choice_0', 'choice_1', 'choice_2', 'choice_3', 'choice_4'),
    'ucc_v_common_law': ('contract',),
}


def row_adapter(task: str):
    """Tasks of a known family get its instruction and labels; the others (hub-only) name the task
    and show the input columns LegalBench's own prompt uses, and their labels come from the data.
    The official per-task few-shot prompts (on GitHub only) are not used."""
    known = family(task)
    columns = INPUTS.get(task, ("text",)) if known else PROMPT_INPUTS.get(task, ("text",))
    instruction = known[0] if known else (
        f"LegalBench task \"{task.replace('_', ' ')}\": read the input and answer with the label that applies.")

    def legalbench_row(row: dict) -> dict:
        shown = [c for c in columns if row.get(c) not in (None, "")] or list(columns)
        if len(shown) == 1 and shown[0] == "text":
            body = str(row["text"])
        else:
            body = "\n".join(f"{c.replace('_', ' ').capitalize()}: {row[c]}" for c in shown)
        doc = {"question": f"{instruction}\n\n{body}", "gold": str(row["answer"]), "id": row["index"]}
        if known:
            doc.update(labels=known[1], answer_format=one_of_labels(known[1]))
        return doc
    legalbench_row.rpt_source = f"row_adapter({task!r})"  # how rpt export-upstream writes it out
    return legalbench_row


LEGALBENCH_REVISION = "daec8237410aa23e3faf4bc41ad8b3a7e1696826"
BENCHMARKS = [Benchmark(
    name=f"legalbench_{task_name(t)}", domain="knowledge", kind="label", hub=Hub("nguha/legalbench", "test", name=t, revision=LEGALBENCH_REVISION),
    mirror=Mirror(f"legalbench/{t}", "test"),
    metric="acc: exact label (LegalBench normalisation); balanced_acc as LegalBench reports",
    adapter=row_adapter(t), labels_from_golds=declared_labels(t) is None, answer_format="<one of the labels>")
    for t in EXACT_MATCH]
# Every task also reports balanced accuracy (LegalBench's number); version 1.1: labels in every prompt.
TEMPLATE = {"process_results": "utils.process_label_results",
            "metric_list": ["acc", "balanced_acc", "no_answer", "truncated"], "metadata": {"version": 1.1}}
assert len(EXACT_MATCH) == 156 and len({task_name(t) for t in EXACT_MATCH}) == 156
VARIANTS = []
GROUPS = [
    Group("rpt_legalbench", tuple(f"rpt_legalbench_{task_name(t)}" for t in OFFLINE),
          "LegalBench exact-match tasks whose test data the offline mirror holds; see README.md"),
    Group("rpt_legalbench_full", tuple(f"rpt_legalbench_{task_name(t)}" for t in EXACT_MATCH),
          "All 156 LegalBench exact-match tasks (the paper's); 105 of them load from the hub only"),
]
CITATIONS = {
    "legalbench": "@article{guha2023legalbench, title={LegalBench: A Collaboratively Built Benchmark for Measuring Legal Reasoning in Large Language Models}, author={Guha, Neel and others}, journal={arXiv:2308.11462}, year={2023}}",
}
