"""The paper's protocol, verbatim: `rpt_paper_*` tasks that ask, decode and score as the authors'
code did (read from their code at a pinned commit: paper_protocol/protocol.json, with its source
and the defects of that code in paper_protocol/README.md). The default `rpt_*` tasks are the robust
ones; the difference between the two is how much of a delta comes from protocol choices.

Prompts, scoring rules, samples per problem and decoding come from protocol.json, checked by its
sha256 when loaded. All 16 of the paper's benchmarks are here (math: GSM8K, MATH-500, AIME 2024,
AMC 2023; code: HumanEval, MBPP, BigCodeBench, LiveCodeBench, Codeforces, USACO, and Aider Polyglot
in its own module, paper_polyglot; knowledge: PubMedQA, MedQA, TabFact, FinBen, and LegalBench in
its own module, paper_legalbench).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from textwrap import dedent

from rpt_tasks.benchmarks import bigcodebench
from rpt_tasks.benchmarks.code import (MBPP_REVISION, humaneval_row, leetcode_mirror_row, livecodebench_row, mbpp_row,
                                       stdio_row)
from rpt_tasks.benchmarks.math import gsm8k_gold, plain_number
from rpt_tasks.benchmarks.spec import Benchmark, Group, Hub, Mirror, Variant

FOLDER = "paper"
TITLE = "rpt paper-protocol tasks"
README_TABLE = "tasks"  # a row per task in the project README (each is a different benchmark)
PROTOCOL_DIR = Path(__file__).parent / "paper_protocol"
PROTOCOL_SHA256 = "9169fd209d3063d9504fd668bade04f1b133c472b00c5a485388a25dd68ec9ba"
INTRO = ("The evaluation protocol of \"Breaking Barriers: Do Reinforcement Post Training Gains Transfer To Unseen "
         "Domains?\" (arXiv 2506.19733) as the authors' code ran it (uiuc-kang-lab/deepscaler@970b58a, Inspect "
         "0.3.93): their prompts, few-shot construction, extraction and scoring rules, samples per problem and "
         "decoding. Use it to reproduce the paper's table or to measure how much of a delta is protocol.")
NOTES = """\
Differences from the default `rpt_*` tasks (the README's table has all of them):
- prompts are the authors' templates verbatim; GSM8K carries their 10 seeded train shots as the
  system message (`description`) for every model, as their `gsm8k(base=False)` does;
- scoring is theirs (rpt_tasks.verify.paper_rules): GSM8K and AMC take the last number of the
  output (Inspect `match(numeric=True)`), AIME checks that the output *ends* with the answer
  (no think stripping), MATH-500 accepts only a final line `ANSWER: x` (no `\\boxed`), PubMedQA
  and TabFact are lettered choices read by Inspect's `parse_answers`; think blocks are removed
  only as closed pairs; HumanEval and MBPP take inspect_evals' `find_code` (HumanEval: the first
  fenced block cut after its first `:\\n    `, prompt in front; MBPP: the first ```python block,
  5 samples at temperature 0.5, their mean; BigCodeBench: the first ```python block, then the
  first plain one, run as the whole program; USACO: the first ```python block, temperature 0.7),
  LiveCodeBench reads the lines between the last two fence lines and Codeforces the last fenced
  block (both after removing closed think pairs), the tests run in our sandbox in place of Docker;
- sets: LiveCodeBench is the full `code_generation` repository (six data files: the default
  version of May 2025, inferred; its bare `question_content` as the prompt), Codeforces the
  authors' `chuxuan/RL-gen-codeforces-test` (the first row per contest-index-name, the 15 tests
  with the longest inputs at 12 s each); neither is pinned to a commit yet (no hub access here);
- decoding: 16,192 new tokens and sampling at temperature 0.6, top_p 0.95 (the authors set no
  temperature, so vLLM applied the model's generation_config: these are the DeepSeek-R1 family's;
  pass `--gen_kwargs temperature=...,top_p=...` for another model's), 16 samples for AIME and AMC.
Choices where the authors' code is broken or unspecified (protocol.json `_meta.known_issues`):
the runner as committed cannot build its tasks (`shard_core_cannot_build_tasks`) and does not
forward `--base`: we reproduce the task functions as written with base=False, and their base=True
branch as the sibling group `rpt_paper_base` (`rpt_paper_<bench>_base`: the prefix "Please reason
step by step. Here are a collection of question and response pairs: " and ten worked examples as
the system message) for GSM8K (the same seeded shots), AIME and AMC (AIME 2025 problems 1-10, the
authors' math-ai/aime25 rows reconstructed from the mirror's QwQ copy) and PubMedQA (the first ten
fold-0 train rows, choices as the Python list their f-string printed); MATH-500, MedQA and TabFact
take their shots from train splits not packaged yet (paper_protocol/base_fewshot.json holds the
packaged ones, with source and licence, sha256-checked); the temperature
the paper used is unknown (`no_temperature`): the R1 family's generation_config values are set;
MATH-500's OpenMathInstruct `math_equal` is replaced by our math equivalence; PubMedQA's BigBio
`bigbio_qa` context is the source config's contexts joined by a space [inferred from BigBio's
schema]; TabFact's markdown table is rebuilt from the `#`-separated `table_text`;
FinBen's QA sets were scored 0 by the authors' code (`GRADER_MODEL` undefined): `rpt_paper_finben_qa`
reports them apart, by numeric tolerance or a judge model where one is configured."""


CHECKLIST = ("Existing benchmarks, referenced above, asked and scored with the paper authors' own prompts, "
             "few-shot examples (GSM8K 10-shot, MBPP 3-shot), extraction rules and decoding (protocol.json).")


def packaged_bytes(path: Path, sha256: str) -> bytes:
    """A packaged protocol file's bytes, refused if they are not the ones this code was written against."""
    data = path.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        raise ValueError(f"{path}: sha256 {found}, expected {sha256} (the file was changed; restore it from the package)")
    return data


@lru_cache(maxsize=1)
def protocol() -> dict:
    """protocol.json, sha256-checked."""
    return json.loads(packaged_bytes(PROTOCOL_DIR / "protocol.json", PROTOCOL_SHA256))


def user_template(bench: str) -> str:
    return protocol()["benchmarks"][bench]["prompt"]["user_template"]


def _math_prompt(bench: str):
    """The authors' user template with the doc's text in {prompt} (math; HumanEval's instruction too)."""
    def prompt(doc: dict) -> str:
        return user_template(bench).replace("{prompt}", doc["question"])
    return prompt


def _choice_prompt(bench: str, template_key: str | None = None):
    def prompt(doc: dict) -> str:
        template = (protocol()["_meta"]["multiple_choice_default_template_inspect_0_3_93"] if template_key
                    else user_template(bench))
        options = doc["options"]
        return template.format(letters=",".join(chr(65 + i) for i in range(len(options))), question=doc["question"],
                               choices="\n".join(f"{chr(65 + i)}) {o}" for i, o in enumerate(options)))
    return prompt


def gsm8k_shots() -> str:
    """The 10 train shots of the authors' gsm8k(fewshot=10, fewshot_seed=42), joined as their
    system message: shot template "{input}\\n\\nReasoning:\\n{reasoning}\\n\\nANSWER: {target}"."""
    shots = json.loads((PROTOCOL_DIR / "gsm8k_fewshot.json").read_text(encoding="utf-8"))["shots"]
    template = protocol()["benchmarks"]["gsm8k"]["few_shot"]["non_base"]["shot_template"]
    return "\n\n".join(template.format(input=s["input"], reasoning=s["reasoning"], target=s["target"]) for s in shots)


BASE_FEWSHOT_SHA256 = "df9573843627b6698e8fd1d055eeec116acb874e51ea4a52b8949c9fcb33e4bf"


@lru_cache(maxsize=1)
def base_fewshot() -> dict:
    """paper_protocol/base_fewshot.json (the --base shots of PubMedQA and AIME/AMC), sha256-checked."""
    return json.loads(packaged_bytes(PROTOCOL_DIR / "base_fewshot.json", BASE_FEWSHOT_SHA256))


def base_system_message(bench: str) -> str:
    """The authors' --base system message: their prefix, then the task's shots (protocol.json
    few_shot.base shot_template) joined by a blank line. GSM8K: its 10 seeded train shots; AIME and
    AMC: the first 10 AIME 2025 problems; PubMedQA: the first 10 fold-0 train rows."""
    prefix = protocol()["_meta"]["base_fewshot_system_message_prefix"]
    if bench == "gsm8k":
        return prefix + gsm8k_shots()
    template = protocol()["benchmarks"][bench]["few_shot"]["base"]["shot_template"]
    if bench in ("aime24", "amc23"):
        shots = [template.format(input=s["input"], target=s["target"]) for s in base_fewshot()["aime25"]["shots"]]
    else:  # pubmedqa: choices as the Python repr of the list, as the authors' f-string printed them
        shots = [template.format(input=s["input"], choices=repr(s["choices"]), target=s["target"])
                 for s in base_fewshot()["pubmedqa"]["shots"]]
    return prefix + "\n\n".join(shots)


BASE_READY = ("gsm8k", "aime24", "amc23", "pubmedqa")  # the others' train shots are not packaged yet


def gsm8k_paper_row(row: dict) -> dict:
    return {"question": row["question"], "gold": row["answer"].split("####")[-1].strip() if "####" in row["answer"]
            else gsm8k_gold(row["answer"])}


def math500_paper_row(row: dict) -> dict:
    return {"question": row["problem"], "gold": str(row.get("expected_answer", row.get("answer"))),
            "id": row.get("id") or row.get("unique_id")}


def aime_paper_row(row: dict) -> dict:
    """Maxwell-Jia/AIME_2024 (ID, Problem, Answer) or the mirror's HuggingFaceH4 copy: the target is
    str(Answer), compared as the output's ending."""
    gold = str(row["Answer"]) if "Answer" in row else plain_number(row["answer"])  # the mirror pads: 033
    return {"question": row.get("Problem") or row["problem"], "gold": gold, "id": row.get("ID") or row.get("id")}


def amc_paper_row(row: dict) -> dict:
    return {"question": row["question"], "gold": str(int(float(row["answer"]))), "id": row["id"]}


def pubmedqa_paper_row(row: dict) -> dict:
    """BigBio's qa schema: 'Context: {context}\\nQuestion: {question}', choices yes/no/maybe as A/B/C."""
    context = row["context"] if "context" in row else " ".join(row["CONTEXTS"])
    question = row["question"] if "question" in row else row["QUESTION"]
    answer = (row["answer"][0] if isinstance(row.get("answer"), list) else row.get("final_decision")).lower()
    return {"question": f"Context: {context}\nQuestion: {question}", "options": ["yes", "no", "maybe"],
            "gold": {"yes": "A", "no": "B", "maybe": "C"}[answer]}


def medqa_paper_row(row: dict) -> dict:
    """BigBio's qa schema of MedQA (med_qa_en_bigbio_qa: the 5-option English set): the question,
    its choices as lettered options, target the letter of answer[0]."""
    choices = list(row["choices"])
    return {"question": row["question"], "options": choices, "gold": chr(65 + choices.index(row["answer"][0])),
            "id": row.get("id")}


def markdown_table(table_text: str) -> str:
    """The authors' table: '|' + '|'.join(header) + '|', a '|---' rule, then a line per row."""
    lines = [line.split("#") for line in table_text.strip("\n").split("\n")]
    header, rows = lines[0], lines[1:]
    text = "|" + "|".join(header) + "|\n" + "|---" * len(header) + "|\n"
    return text + "".join("|" + "|".join(row) + "|\n" for row in rows)


def tabfact_paper_row(row: dict) -> dict:
    template = protocol()["benchmarks"]["tabfact"]["prompt"]["question_template"]
    question = template.format(table_text=markdown_table(row["table_text"]), table_caption=row["table_caption"],
                               statement=row["statement"])
    return {"question": question, "options": ["True", "False"], "gold": "A" if int(row["label"]) == 1 else "B"}


def humaneval_paper_row(row: dict) -> dict:
    """inspect_evals humaneval: the instruction then the signature and docstring; the authors'
    find_code and extract_function_body pick the program (paper_rules.function_body_program)."""
    doc = humaneval_row(row)
    doc["tests"] = json.dumps({**json.loads(doc["tests"]), "paper_extract": "function_body"})
    return doc


def mbpp_fewshot() -> str:
    """The three shots (MBPP full, prompt split, task_id 2, 3, 4) as the authors' template renders them."""
    shots = json.loads((PROTOCOL_DIR / "mbpp_fewshot.json").read_text(encoding="utf-8"))["shots"]
    template = protocol()["benchmarks"]["mbpp"]["few_shot"]["shot_template"]
    return "".join(template.format(i=i, text=s["text"], test_cases="\n".join(s["test_list"]), code=s["code"])
                   for i, s in enumerate(shots, 1))


def mbpp_paper_row(row: dict) -> dict:
    doc = mbpp_row(row)
    doc["question"] = row.get("prompt") or row["text"]
    doc["test_list_str"] = "\n".join(row["test_list"])
    doc["tests"] = json.dumps({**json.loads(doc["tests"]), "paper_extract": "first_python_block"})
    return doc


def _mbpp_prompt(doc: dict) -> str:
    template = user_template("mbpp")
    head, tail = template.split("{shot_1}{shot_2}{shot_3}")
    return head + mbpp_fewshot() + tail.replace("{prompt}", doc["question"]).replace("{test_list_str}",
                                                                                     doc["test_list_str"])


def _with_rule(doc: dict, rule: str, **spec) -> dict:
    """A code doc whose tests name the authors' extraction rule (paper_rules.code_program)."""
    doc["tests"] = json.dumps({**json.loads(doc["tests"]), **spec, "paper_extract": rule})
    return doc


def bigcodebench_paper_row(row: dict) -> dict:
    """inspect_evals bigcodebench: the instruction, then complete_prompt; find_code's first block
    is the whole program (no prompt in front), run with the task's unit tests."""
    doc = bigcodebench.task_row(True)(row)
    spec = json.loads(doc["tests"])
    spec.pop("prompt", None)
    doc["tests"] = json.dumps(spec)
    return _with_rule(doc, "first_block")


def _bigcodebench_prompt(doc: dict) -> str:
    return user_template("bigcodebench").replace("{complete_prompt}", doc["question"])


def livecodebench_paper_row(row: dict) -> dict:
    """The bare question_content (no instruction, no starter code); public + private tests, 6 s."""
    doc = livecodebench_row(row)
    doc["question"] = row["question_content"]
    return _with_rule(doc, "between_last_fences")


def leetcode_paper_row(row: dict) -> dict:
    """The offline stand-in (DeepSeek-Coder's LeetCode contests) with LiveCodeBench's extraction."""
    return _with_rule(leetcode_mirror_row(row), "between_last_fences")


def codeforces_tests(value) -> list[dict]:
    """The authors' safe_parse of test_cases: JSON, else a Python literal once '}{' runs are
    separated by commas; each case {input, output}."""
    if not isinstance(value, str):
        return list(value)
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = ast.literal_eval(re.sub(r"}\s*{", "}, {", value))  # several dicts: a tuple
    return list(parsed) if isinstance(parsed, (list, tuple)) else [parsed]


CODEFORCES_FIELDS = ("name", "problem-description", "input-specification", "output-specification", "demo-input",
                     "demo-output", "note")


def codeforces_paper_row(row: dict) -> dict:
    """chuxuan/RL-gen-codeforces-test: the authors' f-string prompt (its indentation and the
    'Problmen' typo kept); at most 15 tests, those with the longest inputs; 12 s per test; the
    LAST fenced block is the program."""
    question = user_template("codeforces")
    for key in CODEFORCES_FIELDS:
        question = question.replace("{" + key + "}", str(row[key]))
    cases = sorted(codeforces_tests(row["test_cases"]), key=lambda case: len(str(case["input"])), reverse=True)[:15]
    if not cases:
        raise ValueError("no test cases")
    tests = {"kind": "stdio", "cases": [[str(c["input"]), str(c["output"])] for c in cases], "float_tolerance": None,
             "time_limit_s": 12.0, "paper_extract": "last_block"}
    return {"question": question, "id": f"{row['contestId']}-{row['index']}-{row['name']}", "tests": json.dumps(tests)}


def usaco_prompt(description: str) -> str:
    """inspect_evals usaco: PROMPT_PREAMBLE + dedent of the [BEGIN PROBLEM] block, applied after
    the description is filled in, as theirs is (a one-line description loses the indentation)."""
    preamble = user_template("usaco").split("        [BEGIN PROBLEM]")[0]
    return preamble + dedent(f"        [BEGIN PROBLEM]\n        {description}\n        [END PROBLEM]\n    ")


def usaco_paper_row(row: dict) -> dict:
    """Our converted USACO rows (scripts/convert_usaco.py: description, tests, runtime limit) with
    inspect_evals' prompt and find_code (the FIRST ```python block, else the whole output)."""
    doc = _with_rule(stdio_row(row), "first_python_block")
    doc["question"] = usaco_prompt(row["question"])
    return doc


def _finben_subsets(kind: str) -> list[dict]:
    return [s for s in protocol()["benchmarks"]["finben"]["dataset"]["subsets"] if s["type"] == kind]


def finben_mc_row(subset: str):
    """A FinBen multiple-choice set as the authors read it: the subset's question template with the
    row's text (or query), the row's own choices lettered, target the letter of the answer."""
    def finben_mc_paper_row(row: dict) -> dict:
        spec = next(s for s in _finben_subsets("multiple_choice") if s["name"] == subset)
        key = spec["question_key"]
        choices = list(row["choices"])
        return {"question": spec["question_template"].replace("{" + key + "}", str(row[key])), "options": choices,
                "gold": chr(65 + choices.index(row["answer"])), "id": row.get("id")}
    return finben_mc_paper_row


def finben_qa_paper_row(row: dict) -> dict:
    """A FinBen QA set: the bare query; scored by numeric tolerance (with a judge model where one is
    configured), not by the authors' code, whose undefined grader scored every item 0."""
    return {"question": row["query"], "gold": str(row["answer"]), "id": row.get("id")}


def _finben_name(subset: str) -> str:
    return "finben_" + subset.removeprefix("flare-").removeprefix("en-").replace("-", "_")


def _as_asked(doc: dict) -> str:
    return doc["question"]


# The authors' decoding: 16,192 new tokens and no temperature, so vLLM's server default applied: the
# model's generation_config. lm-eval needs a number; 0.6 / 0.95 is the generation_config of the
# DeepSeek-R1 family the paper's main models come from (override with --gen_kwargs for another model).
DECODING = {"until": [], "do_sample": True, "temperature": 0.6, "top_p": 0.95, "max_gen_toks": 16192}
_PAPER = dict(task_yaml={"generation_kwargs": DECODING, "metadata": {"version": 1.0, "rpt_preset": "paper"}})


def paper_benchmark(key: str, domain: str, kind: str, metric: str, decoding: dict | None = None, name: str | None = None,
           **kwargs) -> Benchmark:
    """A paper task of protocol.json's benchmark `key` (named paper_<key> unless `name` is given)."""
    samples = protocol()["benchmarks"][key]["samples_per_problem"]
    extra = kwargs.pop("task_yaml", {})
    if decoding:  # a task's own GenerateConfig (MBPP's temperature 0.5)
        extra = {**extra, "generation_kwargs": {**DECODING, **decoding}}
    sampling = {**DECODING, **(decoding or {})} if samples > 1 else None
    return Benchmark(name=name or f"paper_{key}", domain=domain, kind=kind, metric=metric, samples=samples, sampling=sampling,
                     task_yaml={**_PAPER["task_yaml"], **extra}, **kwargs)


BENCHMARKS = [
    paper_benchmark("gsm8k", "math", "paper_numeric_end", "accuracy: Inspect match(numeric=True), last number",
           adapter=gsm8k_paper_row, prompt=_math_prompt("gsm8k"), size=1319,
           hub=Hub("openai/gsm8k", "test", name="main", revision="740312add88f781978c0658806c59bc2815b9866"),
           mirror=Mirror("gsm8k", "test"), task_yaml={"description": gsm8k_shots()}),
    paper_benchmark("math500", "math", "paper_answer_line", "accuracy: final line 'ANSWER: x', math equivalence",
           adapter=math500_paper_row, prompt=_math_prompt("math500"), size=500,
           hub=Hub("zwhe99/MATH", "math500"), mirror=Mirror("math500", "test")),
    paper_benchmark("aime24", "math", "paper_end", "avg@16: the output ends with the answer (Inspect match)",
           adapter=aime_paper_row, prompt=_math_prompt("aime24"), size=30,
           hub=Hub("Maxwell-Jia/AIME_2024", "train"), mirror=Mirror("aime24", "train")),
    paper_benchmark("amc23", "math", "paper_numeric_end", "avg@16: Inspect match(numeric=True), last number",
           adapter=amc_paper_row, prompt=_math_prompt("amc23"), size=40,
           hub=Hub("zwhe99/amc23", "test", revision="f9810c0439cd3c670ec885d328a2f06a87f3694a"),
           mirror=Mirror("amc23", "test")),
    paper_benchmark("humaneval", "code", "paper_code", "accuracy: inspect_evals find_code + extract_function_body, tests in "
           "our sandbox", adapter=humaneval_paper_row, prompt=_math_prompt("humaneval"), size=164,
           hub=Hub("openai/openai_humaneval", "test", revision="7dce6050a7d6d172f3cc5c32aa97f52fa1a2e544"),
           mirror=Mirror("humaneval", "test")),
    paper_benchmark("mbpp", "code", "paper_code", "avg@5 (the authors' mean reducer) at temperature 0.5: first ```python "
           "block, tests in our sandbox", adapter=mbpp_paper_row, prompt=_mbpp_prompt, size=257,
           hub=Hub("google-research-datasets/mbpp", "test", name="sanitized",
                   revision=MBPP_REVISION),
           mirror=Mirror("mbpp_sanitized", "test"), decoding={"temperature": 0.5, "top_p": 1.0}),
    paper_benchmark("bigcodebench", "code", "paper_code", "accuracy: inspect_evals find_code (first block, whole program), "
           "unit tests in our sandbox", adapter=bigcodebench_paper_row, prompt=_bigcodebench_prompt, size=1140,
           hub=Hub("bigcode/bigcodebench", "v0.1.2", revision="b74c0d0bf70d2c0bc459be537895cca163007f1a"),
           mirror=Mirror("bigcodebench", "v0.1.0_hf"), unavailable=bigcodebench.unavailable),
    paper_benchmark("livecodebench", "code", "paper_code", "accuracy: LiveCodeBench extract_code (between the last two ``` "
           "lines), public + private tests, 6 s", adapter=livecodebench_paper_row, prompt=_as_asked,
           # the full repository (not _lite) ships a loading script: its data files are read instead; the
           # version the authors' run took is the default of May 2025 (release_v6: six files) [inferred]
           hub=Hub("livecodebench/code_generation", "test",
                   data_files=(("test", tuple(f"test{n}.jsonl" for n in ("", 2, 3, 4, 5, 6))),)),
           mirror=Mirror("leetcode_contests", "test", size=180, adapter=leetcode_paper_row)),
    paper_benchmark("codeforces", "code", "paper_code", "accuracy: the last fenced block passes the 15 longest-input tests "
           "(12 s each)", adapter=codeforces_paper_row, prompt=_as_asked, first_of_each_id=True,
           hub=Hub("chuxuan/RL-gen-codeforces-test", "train")),
    paper_benchmark("usaco", "code", "paper_code", "accuracy: inspect_evals find_code (first ```python block), every test "
           "passes", adapter=usaco_paper_row, prompt=_as_asked, size=307, mirror=Mirror("usaco", "test"),
           decoding={"temperature": 0.7}),
    paper_benchmark("pubmedqa", "knowledge", "paper_choice", "accuracy: lettered choice (Inspect parse_answers)",
           adapter=pubmedqa_paper_row, prompt=_choice_prompt("pubmedqa"), size=500,
           hub=Hub("bigbio/pubmed_qa", "test", name="pubmed_qa_labeled_fold0_bigbio_qa"),
           mirror=Mirror("pubmedqa_bigbio_fold0", "test")),
    paper_benchmark("medqa", "knowledge", "paper_choice", "accuracy: lettered choice (Inspect parse_answers), 5 options",
           adapter=medqa_paper_row, prompt=_choice_prompt("medqa"), size=1273,
           # main is a loading script that downloads from Google Drive (datasets >= 4 refuses it): read
           # the hub's parquet conversion of the config instead [its presence there is inferred]
           hub=Hub("bigbio/med_qa", "test", name="med_qa_en_bigbio_qa", revision="refs/convert/parquet",
                   builder="parquet", data_files=(("test", ("med_qa_en_bigbio_qa/test/0000.parquet",)),))),
    paper_benchmark("tabfact", "knowledge", "paper_choice", "accuracy: lettered choice (Inspect parse_answers)",
           adapter=tabfact_paper_row, prompt=_choice_prompt("tabfact", "default"), size=12779,
           hub=Hub("wenhu/tab_fact", "test", revision="refs/convert/parquet", builder="parquet",
                   data_files=(("test", ("tab_fact/test/0000.parquet",)),)),
           mirror=Mirror("tabfact", "test")),
    *[paper_benchmark("finben", "knowledge", "paper_choice", f"accuracy: lettered choice (Inspect parse_answers), {s['name']}",
             name=f"paper_{_finben_name(s['name'])}", adapter=finben_mc_row(s["name"]),
             prompt=_choice_prompt("finben", "default"), hub=Hub(s["hub_id"], s["split"]))
      for s in _finben_subsets("multiple_choice")],
    *[paper_benchmark("finben", "knowledge", "number", f"accuracy: numeric match (tolerance; a judge model where configured), "
             f"{s['name']}; the authors' code scored 0", name=f"paper_{_finben_name(s['name'])}",
             adapter=finben_qa_paper_row, prompt=_as_asked, hub=Hub(s["hub_id"], s["split"]), answer_format="<a number>")
      for s in _finben_subsets("qa")],
]
# `--base` in the authors' code: for pretrained-only bases, a system message of worked examples.
VARIANTS = [Variant(f"paper_{name}_base", f"paper_{name}", task_yaml={"description": base_system_message(name)},
                    comment=f"rpt_paper_{name} for a pretrained-only base: the authors' --base few-shot system "
                            "message (their runner never forwarded --base; see the README)") for name in BASE_READY]
GROUPS = [
    Group("rpt_paper_math", ("rpt_paper_gsm8k", "rpt_paper_math500", "rpt_paper_aime24", "rpt_paper_amc23"),
          "The paper's math benchmarks under the authors' protocol"),
    Group("rpt_paper_code", ("rpt_paper_humaneval", "rpt_paper_mbpp", "rpt_paper_bigcodebench",
                             "rpt_paper_livecodebench", "rpt_paper_codeforces", "rpt_paper_usaco",
                             "rpt_paper_aider_polyglot"),
          "The paper's code benchmarks under the authors' protocol"),
    Group("rpt_paper_finben", tuple(f"rpt_paper_{_finben_name(s['name'])}" for s in _finben_subsets("multiple_choice")),
          "FinBen's ten multiple-choice sets under the authors' protocol (pooled: weighted by size); hub only"),
    Group("rpt_paper_finben_qa", tuple(f"rpt_paper_{_finben_name(s['name'])}" for s in _finben_subsets("qa")),
          "FinBen's three QA sets, reported apart: the authors' grader was undefined (every item 0); here numeric "
          "tolerance, or a judge model where one is configured"),
    Group("rpt_paper_knowledge", ("rpt_paper_pubmedqa", "rpt_paper_medqa", "rpt_paper_tabfact", "rpt_paper_legalbench",
                                  "rpt_paper_finben"),
          "The paper's knowledge benchmarks under the authors' protocol (FinBen's QA sets apart: rpt_paper_finben_qa)"),
    Group("rpt_paper_base", tuple(v.task for v in VARIANTS),
          "The preset for pretrained-only bases (the authors' --base): GSM8K, AIME, AMC and PubMedQA so far"),
    Group("rpt_paper", ("rpt_paper_math", "rpt_paper_code", "rpt_paper_knowledge", "rpt_paper_finben_qa"),
          "The paper's 16 benchmarks under the authors' protocol"),
]
CITATIONS: dict[str, str] = {}
