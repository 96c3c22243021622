"""Logic (a domain this project adds): reasoning-gym puzzles (fixed seed and size), Knights and
Knaves from the hub, and FOLIO; BIG-Bench Hard has a module of its own."""

from __future__ import annotations

import json

from rpt_tasks.benchmarks.spec import Benchmark, Group, Hub, Mirror

FOLDER = "logic"
TITLE = "rpt logic tasks"
INTRO = "Deduction puzzles and first-order logic, a domain this project adds to the paper's three."
NOTES = """\
Group `rpt_logic`: all but the hub K&K variant (`K-and-K/knights-and-knaves` is CC-BY-NC-SA: not
mirrored), plus BIG-Bench Hard (../bbh). Generated sets are fixed by `rg_seed` and `rg_size` in
each YAML's `dataset_kwargs`; the doc keeps name, seed, size and index, from which the verifier
regenerates the entry it scores (no puzzle data is stored). reasoning-gym's scorer decides, and
only full credit counts (its partial credit for half-right assignments is not a solve). FOLIO is
v0.0 (the offline mirror; the hub's yale-nlp/FOLIO is the later, gated v2)."""

KK_FORMAT = "<who is what, e.g. 'Zoey is a knight, and Riley is a knave'>"
FOLIO_LABELS = ["True", "False", "Uncertain"]


def kk_hub_row(row: dict) -> dict:
    """K-and-K/knights-and-knaves: `quiz`, `names`, `solution` (True = knight)."""
    assignment = {name: "knight" if knight else "knave" for name, knight in zip(row["names"], row["solution"])}
    return {"question": row["quiz"] + "\n\nWho is a knight and who is a knave?", "names": list(row["names"]),
            "gold": json.dumps(assignment)}


def folio_row(row: dict) -> dict:
    premises = row["premises"] if isinstance(row["premises"], list) else str(row["premises"]).split("\n")
    listed = "\n".join(f"{i + 1}. {p.strip()}" for i, p in enumerate(premises) if p.strip())
    question = (f"Premises:\n{listed}\n\nConclusion: {row['conclusion']}\n\n"
                "Based only on the premises, is the conclusion True, False, or Uncertain?")
    return {"question": question, "labels": FOLIO_LABELS, "gold": row["label"]}


def puzzle(name: str, generator: str, answer_format: str = "<your final answer>", **kwargs) -> Benchmark:
    return Benchmark(name=name, domain="logic", kind="reasoning_gym", generator=generator, seed=42, size=100,
                     metric=kwargs.pop("metric", "acc: reasoning-gym scorer"), answer_format=answer_format, **kwargs)


BENCHMARKS = [
    puzzle("knights_knaves", "knights_knaves", KK_FORMAT,
           metric="acc: the full assignment (reasoning-gym scorer, order and phrasing free)"),
    Benchmark(name="knights_knaves_hub", domain="logic", kind="assignment", adapter=kk_hub_row,
              hub=Hub("K-and-K/knights-and-knaves", "2ppl", name="test", revision="2f68547989981b1af37cb3dde5fdefa847aa8619"), mirror=Mirror("knights_knaves", "test"),
              size=100, metric="acc: the full assignment, order and phrasing free",
              answer_format="<who is a knight and who is a knave>"),
    puzzle("zebra", "zebra_puzzles"),
    puzzle("syllogism", "syllogism", "Yes or No"),
    puzzle("self_reference", "self_reference", "<a number>"),
    puzzle("circuit_logic", "circuit_logic", "0 or 1"),
    Benchmark(name="folio", domain="logic", kind="label", adapter=folio_row, hub=Hub("yale-nlp/FOLIO", "validation"),
              mirror=Mirror("folio", "validation"), size=204, metric="acc: True/False/Uncertain",
              answer_format="True, False or Uncertain"),
]
VARIANTS = []
GROUPS = [Group("rpt_logic", ("rpt_knights_knaves", "rpt_zebra", "rpt_syllogism", "rpt_self_reference",
                              "rpt_circuit_logic", "rpt_folio", "rpt_bbh"),
                "reasoning-gym puzzles (fixed seed and size), FOLIO and BIG-Bench Hard")]
CITATIONS = {
    "folio": "@article{han2022folio, title={FOLIO: Natural Language Reasoning with First-Order Logic}, author={Han, Simeng and others}, journal={arXiv:2209.00840}, year={2022}}",
}
