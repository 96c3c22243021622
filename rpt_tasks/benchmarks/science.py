"""Science (a domain this project adds): GPQA-Diamond, MMLU-Pro STEM and ARC-Challenge, as letters."""

from __future__ import annotations

import random

from rpt_tasks.benchmarks.knowledge import LETTER, is_stem, mmlu_pro_row
from rpt_tasks.benchmarks.spec import LETTERS, Benchmark, Group, Hub, Mirror, with_options

FOLDER = "science"
TITLE = "rpt science tasks"
INTRO = "Graduate and school science as multiple choice, a domain this project adds to the paper's three."
NOTES = """\
Groups: `rpt_science` (ARC-Challenge: what runs offline) and `rpt_science_full` (all three).
GPQA-Diamond is gated on the hub and never mirrored, at its authors' request; its options are
shuffled with a seed fixed per question, so every run and every model sees the same order."""


def gpqa_row(row: dict, seed: int = 0) -> dict:
    """GPQA lists the correct answer first; shuffle with a seed fixed per question, so every run
    and every model sees the same order."""
    options = [row["Correct Answer"], row["Incorrect Answer 1"], row["Incorrect Answer 2"], row["Incorrect Answer 3"]]
    order = list(range(4))
    random.Random(f"{seed}:{row['Record ID']}").shuffle(order)
    shuffled = [options[i].strip() for i in order]
    return {"question": with_options(row["Question"], shuffled), "options": shuffled,
            "gold": LETTERS[order.index(0)], "id": row["Record ID"]}


def arc_row(row: dict) -> dict:
    labels, options = list(row["choices"]["label"]), list(row["choices"]["text"])
    return {"question": with_options(row["question"], options), "options": options, "id": row["id"],
            "gold": LETTERS[labels.index(row["answerKey"])]}  # some ARC items label options 1-4


_SCIENCE = dict(domain="science", kind="choice", answer_format=LETTER)

MMLU_PRO_REVISION = "b189ec765aa7ed75c8acfea42df31fdae71f97be"
BENCHMARKS = [
    Benchmark(name="gpqa_diamond", metric="acc: option letter (options shuffled with a fixed seed)", adapter=gpqa_row,
              hub=Hub("Idavidrein/gpqa", "train", name="gpqa_diamond", revision="83022cefff930aea54f654c0b282e74b9eeda5c6"), mirror=Mirror("gpqa_diamond", "train"),
              size=198, **_SCIENCE),
    Benchmark(name="mmlu_pro", metric="acc: option letter (STEM categories)", adapter=mmlu_pro_row,
              hub=Hub("TIGER-Lab/MMLU-Pro", "test", revision=MMLU_PRO_REVISION), mirror=Mirror("mmlu_pro", "test"),
              row_filter=is_stem, **_SCIENCE),
    Benchmark(name="arc_challenge", metric="acc: option letter", adapter=arc_row,
              hub=Hub("allenai/ai2_arc", "test", name="ARC-Challenge", revision="210d026faf9955653af8916fad021475a3f00453"),
              mirror=Mirror("arc_challenge", "test", size=1150), size=1172, **_SCIENCE),
]
VARIANTS = []
GROUPS = [
    Group("rpt_science", ("rpt_arc_challenge",),
          "Offline-complete: ARC-Challenge; rpt_science_full adds GPQA-Diamond and MMLU-Pro STEM (hub only)"),
    Group("rpt_science_full", ("rpt_gpqa_diamond", "rpt_mmlu_pro", "rpt_arc_challenge"),
          "GPQA-Diamond (gated) and MMLU-Pro STEM come from the hub"),
]
CITATIONS = {
    "gpqa_diamond": "@article{rein2023gpqa, title={GPQA: A Graduate-Level Google-Proof Q&A Benchmark}, author={Rein, David and others}, journal={arXiv:2311.12022}, year={2023}}",
    "arc_challenge": "@article{clark2018think, title={Think you have Solved Question Answering? Try ARC}, author={Clark, Peter and others}, journal={arXiv:1803.05457}, year={2018}}",
}
