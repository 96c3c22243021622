"""FinBen (knowledge): TAT-QA (offline) and the FinBen/PIXIU sets on the hub, scored by rules
(label match; numbers within tolerance) with an optional LLM judge for free-form numbers."""

from __future__ import annotations

import json

from rpt_tasks.benchmarks.spec import Benchmark, Group, Hub, Mirror, markdown_table

FOLDER = "finben"
TITLE = "rpt FinBen tasks"
INTRO = ("FinBen (Xie et al., 2024) as used by the paper: classification sets and numeric financial QA, scored "
         "by rules (label match; numeric match within 0.1% or 0.01, $, commas and % ignored) with no LLM judge "
         "by default.")
NOTES = """\
Group `rpt_finben`: all six (the `TheFinAI/*` sets need the hub; their PIXIU rows carry the full
prompt in `query` and the labels in `choices`). Offline, put rows of the same layout in
`$RPT_DATA_DIR/finben_<name>/test.jsonl`. TAT-QA stores one table and its paragraphs with several
questions: one doc per question; numbers compare with the question's scale, spans order-free.

Optional judge: set `RPT_JUDGE_BASE_URL` (any OpenAI-compatible endpoint, e.g. `vllm serve`),
`RPT_JUDGE_MODEL` and `RPT_JUDGE_API_KEY`; answers the rules reject are then asked of the judge
(`rpt_tasks/verify/judge.py`). Training rewards never use it."""


def tatqa_rows(row: dict) -> list[dict]:
    """TAT-QA stores one table + paragraphs with several questions: one row per question."""
    context = markdown_table(row["table"]["table"]) + "\n\n" + "\n".join(
        p["text"] for p in sorted(row["paragraphs"], key=lambda p: p["order"]))
    return [{"uid": q["uid"], "question": f"{context}\n\nQuestion: {q['question']}", "answer": q["answer"],
             "answer_type": q["answer_type"], "scale": q.get("scale") or ""} for q in row["questions"]]


def tatqa_row(row: dict) -> dict:
    return {"question": row["question"], "gold": json.dumps(row["answer"]), "id": row["uid"],
            "answer_type": row["answer_type"], "scale": row["scale"]}


def classification_row(row: dict) -> dict:
    """FinBen (PIXIU) classification sets: `query` is the full prompt, `choices` the labels."""
    return {"question": row["query"], "labels": list(row["choices"]), "gold": str(row["answer"]), "id": row.get("id")}


def numeric_row(row: dict) -> dict:
    return {"question": row["query"], "gold": str(row["answer"]), "id": row.get("id")}


# Commits of the FinBen repositories (TheFinAI re-uploaded several in 2024 with fresh histories).
# Only the ones seen in full are pinned; rpt data check reports the others as unpinned.
FLARE_REVISIONS = {"headlines": "39e4f9ba3515a7cf464ed07ece80a4f7f4189134"}


def flare(name: str, size: int, kind: str) -> Benchmark:
    """A FinBen set on the hub (TheFinAI/flare-<name>, PIXIU layout): a label or a number."""
    label = kind == "label"
    return Benchmark(
        name=f"finben_{name}", domain="knowledge", kind=kind, hub=Hub(f"TheFinAI/flare-{name}", "test", revision=FLARE_REVISIONS.get(name)),
        mirror=Mirror(f"finben_{name}", "test"), size=size,
        metric="acc: label" if label else "acc: numeric match (tolerance)",
        adapter=classification_row if label else numeric_row, answer_format="<the label>" if label else "<a number>")


BENCHMARKS = [
    Benchmark(name="finben_tatqa", domain="knowledge", kind="tatqa", mirror=Mirror("tatqa", "test"), size=1663,
              metric="acc: numeric match (tolerance) or span match", rows_from=tatqa_rows, adapter=tatqa_row,
              answer_format="<your final answer: a number, or the exact span(s) from the text>"),
    *[flare(name, size, kind) for name, size, kind in [
        ("fpb", 970, "label"), ("fiqasa", 235, "label"), ("headlines", 20547, "label"),
        ("finqa", 1147, "number"), ("convfinqa", 1490, "number")]],
]
VARIANTS = []
GROUPS = [Group("rpt_finben", tuple(b.task for b in BENCHMARKS),
                "TAT-QA runs offline; the other FinBen sets come from the hub (TheFinAI/*)")]
CITATIONS = {
    "finben": "@article{xie2024finben, title={FinBen: A Holistic Financial Benchmark for Large Language Models}, author={Xie, Qianqian and others}, journal={arXiv:2402.12659}, year={2024}}",
}
