"""Knowledge (unstructured): PubMedQA, MedQA, MMLU-Pro health and TabFact; LegalBench and FinBen
have modules of their own. Knowledge-heavy reasoning, where the paper finds math/code gains vanish."""

from __future__ import annotations

from rpt_tasks.benchmarks.spec import Benchmark, Group, Hub, Mirror, Variant, markdown_table, with_options

FOLDER = "knowledge"
TITLE = "rpt knowledge tasks (the paper's unstructured domain)"
INTRO = "Knowledge-heavy reasoning, where the paper finds that math/code RPT gains vanish."
NOTES = """\
Groups: `rpt_knowledge` (PubMedQA, MedQA, MMLU-Pro health, TabFact, the offline LegalBench group
and TAT-QA; runs offline) and `rpt_knowledge_full` (all 156 LegalBench tasks and the FinBen sets
that exist only on the hub). `rpt_tabfact_2k` is a fixed subset: 2,000 statements drawn with seed
1234, kept in source order; any subset size and seed can be set in `dataset_kwargs` (`subset_size`,
`subset_seed`).

Tables are rendered as markdown tables. Choice answers are read from the last `ANSWER:` line
(also `(B)`, `**B**`, `The answer is B.`, lower case, or the option's own text; two different
letters are no answer); labels case-insensitively as whole words (`not entailed` is not
`entailed`). Scoring: `rpt_tasks.verify` (answer kinds `choice`, `label`), the functions GRPO
rewards call too."""

LETTER = "<the letter of your choice>"
YES_NO_MAYBE = ["yes", "no", "maybe"]
MMLU_PRO_STEM = ("math", "physics", "chemistry", "biology", "engineering", "computer science")


def is_health(row: dict) -> bool:
    return row.get("category") == "health"


def is_stem(row: dict) -> bool:
    return row.get("category") in MMLU_PRO_STEM


def pubmedqa_row(row: dict) -> dict:
    context = "\n".join(row["CONTEXTS"])
    return {"question": f"Context:\n{context}\n\nQuestion: {row['QUESTION']}", "labels": YES_NO_MAYBE,
            "gold": row["final_decision"]}


def pubmedqa_hub_row(row: dict) -> dict:
    """qiaojin/PubMedQA (pqa_labeled): the same questions as BigBio's source config, lower-case
    (rows already in BigBio's layout are taken as they are)."""
    if "QUESTION" in row:
        return pubmedqa_row(row)
    return pubmedqa_row({"QUESTION": row["question"], "CONTEXTS": row["context"]["contexts"],
                         "final_decision": row["final_decision"]})


def _fold0_test_pmids() -> frozenset[str]:
    from pathlib import Path

    text = (Path(__file__).parent / "pubmedqa_fold0_test_pmids.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.split() if line.isdigit())


def in_pubmedqa_test(row: dict) -> bool:
    """A pqa_labeled row of BigBio's fold-0 test split (rows without a PMID: a copy of that split)."""
    return "pubid" not in row or str(row["pubid"]) in _fold0_test_pmids()


def medqa_row(row: dict) -> dict:
    options = [row["options"][key] for key in sorted(row["options"])]
    return {"question": with_options(row["question"], options), "options": options, "gold": row["answer_idx"]}


def mmlu_pro_row(row: dict) -> dict:
    options = list(row["options"])
    return {"question": with_options(row["question"], options), "options": options, "gold": row["answer"],
            "id": row["question_id"]}


def tabfact_row(row: dict) -> dict:
    table = [line.split("#") for line in row["table_text"].strip("\n").split("\n")]
    question = (f"Table: {row['table_caption']}\n\n{markdown_table(table)}\n\nStatement: {row['statement']}\n\n"
                "Is the statement entailed or refuted by the table?")
    return {"question": question, "labels": ["entailed", "refuted"],
            "gold": "entailed" if int(row["label"]) == 1 else "refuted"}


_KNOWLEDGE = dict(domain="knowledge")

MMLU_PRO_REVISION = "b189ec765aa7ed75c8acfea42df31fdae71f97be"
BENCHMARKS = [
    Benchmark(name="pubmedqa", kind="label", metric="acc: yes/no/maybe", adapter=pubmedqa_row,
              # bigbio/pubmed_qa ships a loading script (datasets >= 4 refuses it): the same 1,000 labelled
              # questions as parquet, and of them the 500 of BigBio's fold-0 test split, by PMID
              hub=Hub("qiaojin/PubMedQA", "train", name="pqa_labeled", revision="9001f2853fb87cab8d220904e0de81ac6973b318",
                      adapter=pubmedqa_hub_row, row_filter=in_pubmedqa_test),
              mirror=Mirror("pubmedqa_bigbio_fold0", "test"), size=500, answer_format="yes, no or maybe", **_KNOWLEDGE),
    Benchmark(name="medqa", kind="choice", metric="acc: option letter", adapter=medqa_row,
              hub=Hub("GBaker/MedQA-USMLE-4-options", "test", revision="0fb93dd23a7339b6dcd27e241cb9b5eca62d4d18"), mirror=Mirror("medqa", "test"), size=1273,
              answer_format=LETTER, **_KNOWLEDGE),
    Benchmark(name="mmlu_pro_health", kind="choice", metric="acc: option letter", adapter=mmlu_pro_row,
              hub=Hub("TIGER-Lab/MMLU-Pro", "test", revision=MMLU_PRO_REVISION), mirror=Mirror("mmlu_pro_health", "test"), size=818,
              row_filter=is_health, answer_format=LETTER, **_KNOWLEDGE),
    Benchmark(name="tabfact", kind="label", metric="acc: entailed/refuted", adapter=tabfact_row,
              hub=Hub("wenhu/tab_fact", "test", revision="refs/convert/parquet", builder="parquet",
                      # ibm-research/tab_fact (and wenhu/tab_fact's main) ship only a loading script that
                      # downloads from GitHub; the hub's parquet conversion holds the same rows and columns
                      data_files=(("test", ("tab_fact/test/0000.parquet",)),
                                  ("validation", ("tab_fact/validation/0000.parquet",)),
                                  ("train", ("tab_fact/train/0000.parquet",)))), mirror=Mirror("tabfact", "test"),
              size=12779, answer_format="entailed or refuted", **_KNOWLEDGE),
]
VARIANTS = [
    Variant("tabfact_2k", "tabfact", comment="a fixed random subset of the 12,779 test statements (kept in source order)",
            task_yaml={"dataset_kwargs": {"subset_size": 2000, "subset_seed": 1234}}),
]
GROUPS = [
    Group("rpt_knowledge", ("rpt_pubmedqa", "rpt_medqa", "rpt_mmlu_pro_health", "rpt_tabfact", "rpt_legalbench",
                            "rpt_finben_tatqa"),
          "Offline-complete (mirror data); rpt_knowledge_full adds the hub-only LegalBench and FinBen sets"),
    Group("rpt_knowledge_full", ("rpt_pubmedqa", "rpt_medqa", "rpt_mmlu_pro_health", "rpt_tabfact",
                                 "rpt_legalbench_full", "rpt_finben_tatqa", "rpt_finben_fpb", "rpt_finben_fiqasa",
                                 "rpt_finben_headlines", "rpt_finben_finqa", "rpt_finben_convfinqa"),
          "rpt_knowledge with all 156 LegalBench exact-match tasks and the FinBen sets that exist only on the hub"),
]
CITATIONS = {
    "pubmedqa": "@inproceedings{jin2019pubmedqa, title={PubMedQA: A Dataset for Biomedical Research Question Answering}, author={Jin, Qiao and others}, booktitle={EMNLP}, year={2019}}",
    "medqa": "@article{jin2021disease, title={What Disease does this Patient Have?}, author={Jin, Di and others}, journal={Applied Sciences}, year={2021}}",
    "tabfact": "@inproceedings{chen2020tabfact, title={TabFact: A Large-scale Dataset for Table-based Fact Verification}, author={Chen, Wenhu and others}, booktitle={ICLR}, year={2020}}",
}
