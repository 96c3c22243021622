"""rpt_paper_*: the authors' protocol (protocol.json) reproduced: prompts, scoring rules, decoding."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rpt_tasks.benchmarks import BENCHMARKS, paper, prompt_for
from rpt_tasks.data import load_docs
from rpt_tasks.verify import verify_doc

RPT = str(Path(sys.executable).parent / "rpt")
PROTOCOL = json.loads((Path(os.environ["RPT_DATA_DIR"]) / "paper_protocol" / "protocol.json").read_text())
MIRROR = Path(os.environ["RPT_DATA_DIR"])


def _first_row(folder: str, split: str) -> dict:
    return json.loads((MIRROR / folder / f"{split}.jsonl").read_text().split("\n")[0])


def _template(name: str) -> str:
    return PROTOCOL["benchmarks"][name]["prompt"]["user_template"]


def test_packaged_protocol_is_the_shared_one_and_checked():
    assert paper.protocol() == PROTOCOL


def test_tampered_protocol_is_refused(tmp_path, monkeypatch):
    shutil.copytree(paper.PROTOCOL_DIR, tmp_path / "p")
    path = tmp_path / "p" / "protocol.json"
    path.write_text(path.read_text().replace("step by step", "step-by-step", 1))
    monkeypatch.setattr(paper, "PROTOCOL_DIR", tmp_path / "p")
    paper.protocol.cache_clear()
    try:
        with pytest.raises(ValueError, match="sha256"):
            paper.protocol()
    finally:
        paper.protocol.cache_clear()


@pytest.mark.parametrize("name, folder, split, question", [
    ("gsm8k", "gsm8k", "test", lambda r: r["question"]),
    ("math500", "math500", "test", lambda r: r["problem"]),
    ("aime24", "aime24", "train", lambda r: r["problem"]),
    ("amc23", "amc23", "test", lambda r: r["question"]),
])
def test_math_prompts_are_the_authors_templates(name, folder, split, question, mirror):
    doc = load_docs(f"paper_{name}")[0]
    assert prompt_for(doc) == _template(name).replace("{prompt}", question(_first_row(folder, split)))


def test_choice_prompts_are_the_authors_templates(mirror):
    row = _first_row("pubmedqa_bigbio_fold0", "test")
    expected = _template("pubmedqa").format(
        letters="A,B,C", question=f"Context: {' '.join(row['CONTEXTS'])}\nQuestion: {row['QUESTION']}",
        choices="A) yes\nB) no\nC) maybe")
    assert prompt_for(load_docs("paper_pubmedqa")[0]) == expected
    row = _first_row("tabfact", "test")
    lines = [line.split("#") for line in row["table_text"].strip("\n").split("\n")]
    table = "|" + "|".join(lines[0]) + "|\n" + "|---" * len(lines[0]) + "|\n" + "".join(
        "|" + "|".join(r) + "|\n" for r in lines[1:])
    question = PROTOCOL["benchmarks"]["tabfact"]["prompt"]["question_template"].format(
        table_text=table, table_caption=row["table_caption"], statement=row["statement"])
    expected = PROTOCOL["_meta"]["multiple_choice_default_template_inspect_0_3_93"].format(
        letters="A,B", question=question, choices="A) True\nB) False")
    assert prompt_for(load_docs("paper_tabfact")[0]) == expected


def test_gsm8k_carries_the_authors_ten_seeded_shots_as_its_system_message():
    import numpy as np

    rows = [json.loads(line) for line in (MIRROR / "gsm8k" / "train.jsonl").read_text().split("\n") if line]
    first = rows[int(np.random.default_rng(42).permutation(len(rows))[0])]
    description = paper.BENCHMARKS[0].task_yaml["description"]
    shot = PROTOCOL["benchmarks"]["gsm8k"]["few_shot"]["non_base"]["shot_template"]
    assert description.startswith(shot.format(input=first["question"], reasoning=first["answer"].split("####")[0].strip(),
                                               target=first["answer"].split("####")[-1].strip()))
    assert description.count("\n\nANSWER: ") == 10


def _doc(name: str, gold: str, **extra) -> dict:
    return {"rpt_benchmark": name, "rpt_kind": BENCHMARKS[name].kind, "gold": gold, "question": "q", **extra}


def test_math500_needs_a_final_answer_line_where_ours_takes_a_box():
    boxed = "We get \\boxed{\\frac{1}{2}}."
    assert not verify_doc(boxed, _doc("paper_math500", "\\frac{1}{2}"))
    assert verify_doc(boxed, {**_doc("math500", "\\frac{1}{2}"), "rpt_kind": "math"})
    assert verify_doc("work\nANSWER: \\frac{1}{2}", _doc("paper_math500", "\\frac{1}{2}"))
    assert not verify_doc("ANSWER: \\frac{1}{2}\nso that is it", _doc("paper_math500", "\\frac{1}{2}"))


def test_aime_needs_the_answer_at_the_end_and_accepts_a_suffix():
    doc = _doc("paper_aime24", "204")
    assert verify_doc("... so the answer is 204.", doc)
    assert not verify_doc("ANSWER: 204\nLet me double-check this.", doc)
    assert verify_doc("ANSWER: 1204", doc)  # Inspect's endswith: a suffix counts, as in the authors' runs
    assert not verify_doc("<think>204</think>", doc)  # no think stripping


def test_gsm8k_and_amc_take_the_last_number():
    doc = _doc("paper_gsm8k", "18")
    assert verify_doc("She makes $18 every day, then 3 more words", doc) is not None
    assert verify_doc("18 eggs\nso in total 18", doc) and not verify_doc("18 in total 19", doc)
    assert verify_doc("<think>7</think>The answer: 18", doc)
    assert verify_doc("ANSWER: 1,018", doc)  # 5-significant-digit normalisation and endswith, verbatim


def test_lettered_choices_read_the_first_answer_line():
    doc = _doc("paper_pubmedqa", "A", options=["yes", "no", "maybe"])
    assert verify_doc("ANSWER: A", doc) and not verify_doc("ANSWER: B", doc)
    assert not verify_doc("ANSWER: A,B", doc)  # the selected set must equal the target
    assert not verify_doc("The answer is A.", doc)


def test_rpt_tasks_lists_the_paper_tasks():
    out = subprocess.run([RPT, "tasks"], capture_output=True, text=True, check=True).stdout
    domains = {"gsm8k": "math", "math500": "math", "aime24": "math", "amc23": "math", "humaneval": "code",
               "mbpp": "code", "bigcodebench": "code", "livecodebench": "code", "codeforces": "code", "usaco": "code",
               "pubmedqa": "knowledge", "medqa": "knowledge", "tabfact": "knowledge"}
    for name, domain in domains.items():
        line = next(line for line in out.splitlines() if line.split()[:1] == [f"rpt_paper_{name}"])
        assert domain in line


def test_a_paper_task_runs_in_rpt_eval(tiny_model, tmp_path, mirror):
    out = tmp_path / "out"
    proc = subprocess.run([RPT, "eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks",
                           "rpt_paper_gsm8k", "--limit", "1", "--gen_kwargs", "max_gen_toks=8", "--output_path",
                           str(out), "--log_samples"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (samples,) = out.rglob("samples_rpt_paper_gsm8k_*.jsonl")
    sample = json.loads(samples.read_text().splitlines()[0])
    prompt = json.dumps(sample["arguments"])
    assert "Reasoning:" in prompt and "ANSWER: 16" in prompt  # the shots are in the context


def test_code_prompts_and_extraction_are_inspect_evals(mirror):
    """HumanEval: the instruction, then the prompt; the FIRST fenced block (```python before ```),
    cut after its first ':\n    ' (a body-only block loses its first character and fails, as in
    the authors' code); no block: the whole output. MBPP: three fixed shots (task_id 2, 3, 4), the
    FIRST ```python block (a draft inside a think block counts), no think stripping."""
    from rpt_tasks.benchmarks import prompt_for
    from rpt_tasks.verify import verify_docs

    humaneval = load_docs("paper_humaneval")[0]
    spec = json.loads(humaneval["tests"])
    assert prompt_for(humaneval).startswith("\nRead the following function signature and docstring, and fully implement")
    full = spec["prompt"] + humaneval["gold"]
    outputs = [f"```python\n{full}```", f"Here:\n```\n{full}```", humaneval["gold"],
               "```python\n    return None\n```", f"```python\ndef nothing():\n    pass\n```\n```python\n{full}```", "no code"]
    assert [v.correct for v in verify_docs(outputs, [humaneval] * len(outputs))] == [True, True, True, False, False, False]
    mbpp = load_docs("paper_mbpp")[0]
    prompt = prompt_for(mbpp)
    assert prompt.count("## Prompt ") == 3 and "similar_elements" in prompt and prompt.endswith("## Completion:\n")
    outputs = [f"```python\n{mbpp['gold']}\n```", mbpp["gold"], "```python\ndef x():\n    pass\n```",
               f"<think>```python\nbad\n```</think>```python\n{mbpp['gold']}\n```"]
    assert [v.correct for v in verify_docs(outputs, [mbpp] * len(outputs))] == [True, True, False, False]


def _bigcodebench_row(task_id: str) -> dict:
    for line in (MIRROR / "bigcodebench" / "v0.1.0_hf.jsonl").read_text().splitlines():
        if json.loads(line)["task_id"] == task_id:
            return json.loads(line)
    raise KeyError(task_id)


def test_bigcodebench_runs_the_first_block_as_the_whole_program(mirror):
    """inspect_evals bigcodebench: instruction + complete_prompt; find_code takes the FIRST
    ```python block (python blocks before plain ones), else the whole output, and runs it as is:
    a body-only answer, which our default task completes with the prompt, fails here."""
    from rpt_tasks.verify import verify_docs

    doc = next(d for d in load_docs("paper_bigcodebench") if d["rpt_id"] == "BigCodeBench/0")
    row = _bigcodebench_row("BigCodeBench/0")
    assert prompt_for(doc) == _template("bigcodebench").replace("{complete_prompt}", row["complete_prompt"])
    full = row["code_prompt"] + row["canonical_solution"]
    outputs = [f"```python\n{full}\n```", f"```\nprint('draft')\n```\n```python\n{full}\n```", full,
               f"```python\n{row['canonical_solution']}\n```",  # the body alone: no prompt in front here
               f"```python\ndef task_func():\n    return 0\n```\n```python\n{full}\n```", "no code at all"]
    assert [v.correct for v in verify_docs(outputs, [doc] * len(outputs))] == [True, True, True, False, False, False]
    ours = next(d for d in load_docs("bigcodebench") if d["rpt_id"] == "BigCodeBench/0")
    assert verify_doc(outputs[3], ours)  # the default task puts the prompt in front of a body


def test_livecodebench_asks_the_bare_question_and_reads_between_the_last_two_fences(mirror):
    from rpt_tasks.verify.paper_rules import code_program

    doc = load_docs("paper_livecodebench")[0]
    assert prompt_for(doc) == doc["question"] and "Write" not in prompt_for(doc)[:10]  # no instruction
    spec = json.loads(doc["tests"])
    assert code_program("```python\nx = 1\n```", spec) == "x = 1"
    assert code_program("```python\nx = 1\n```\nThen use ```x``` below.", spec) is None  # last two fence lines
    assert code_program("<think>```python\nbad\n```</think>\n```python\ngood\n```", spec) == "good"
    assert code_program("<think>\n```python\nbad\n```", spec) == "bad"  # an unclosed think block stays
    assert code_program("no fences", spec) is None


def test_codeforces_and_usaco_rules():
    from rpt_tasks.benchmarks.paper import codeforces_tests, usaco_prompt
    from rpt_tasks.verify.paper_rules import code_program

    spec = {"paper_extract": "last_block"}
    assert code_program("```python\nfirst\n```\ntext\n```cpp\nsecond\n```", spec) == "second"
    assert code_program("```python\nok\n```<think>```python\nno\n```</think>", spec) == "ok"
    assert code_program("print(1)", spec) is None  # no block: nothing is run
    assert codeforces_tests('{"input": "1", "output": "2"}{"input": "3", "output": "4"}') == [
        {"input": "1", "output": "2"}, {"input": "3", "output": "4"}]
    first = {"paper_extract": "first_python_block"}
    assert code_program("```python\na\n```\n```python\nb\n```", first) == "a\n"  # not stripped
    assert code_program("print(1)", first) == "print(1)"  # no block: the whole completion
    template = _template("usaco")
    multi = "Line one.\nline two, unindented."
    assert usaco_prompt(multi) == template.replace("{description}", multi)
    single = usaco_prompt("One line.")
    assert single.endswith("\n[BEGIN PROBLEM]\nOne line.\n[END PROBLEM]\n")  # dedent reaches the markers


def test_usaco_from_converted_rows(tmp_path, monkeypatch):
    """scripts/convert_usaco.py's rows (no hub copy exists): the authors' prompt, stdin/stdout tests,
    the first ```python block."""
    from rpt_tasks.verify import verify_docs

    (tmp_path / "usaco").mkdir()
    row = {"id": "1_bronze_sum", "question": "Read two integers.\nPrint their sum.",
           "tests": [{"input": "1 2\n", "output": "3\n"}, {"input": "5 5\n", "output": "10\n"}], "time_limit_s": 2}
    (tmp_path / "usaco" / "test.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "manifest.json").write_text("{}")
    monkeypatch.setenv("RPT_DATA_DIR", str(tmp_path))
    (doc,) = load_docs("paper_usaco")
    assert prompt_for(doc) == _template("usaco").replace("{description}", row["question"])
    program = "a, b = map(int, input().split())\nprint(a + b)"
    outputs = [f"```python\n{program}\n```", program, f"```python\nprint(3)\n```\n```python\n{program}\n```"]
    assert [v.correct for v in verify_docs(outputs, [doc] * 3)] == [True, True, False]


@pytest.mark.parametrize("name", paper.BASE_READY)
def test_base_variant_carries_the_authors_base_system_message(name, mirror):
    """`--base`: the prefix, then the shots in the task's base shot_template, as the system message
    (lm-eval's `description`) of a sibling task over the same docs; the plain task has none of it."""
    from lm_eval.tasks import TaskManager

    from rpt_tasks.harness.configs import task_dir

    prefix = PROTOCOL["_meta"]["base_fewshot_system_message_prefix"]
    message = paper.base_system_message(name)
    assert message.startswith(prefix) and message.count("ANSWER: ") == 10
    manager = TaskManager(include_path=str(task_dir()), include_defaults=False)
    tasks = manager.load([f"rpt_paper_{name}_base", f"rpt_paper_{name}"])["tasks"]
    base, plain = tasks[f"rpt_paper_{name}_base"], tasks[f"rpt_paper_{name}"]
    base.build_all_requests(limit=1)
    plain.build_all_requests(limit=1)
    context = base.instances[0].arguments[0]
    assert context.startswith(message) and context.endswith(plain.instances[0].arguments[0].split(prefix)[-1])
    assert prefix not in plain.instances[0].arguments[0]
    if name == "pubmedqa":
        assert "Choices:\n['yes', 'no', 'maybe']\n\nANSWER: " in message  # the authors' f-string of a list


def test_tampered_base_shots_are_refused(tmp_path, monkeypatch):
    shutil.copytree(paper.PROTOCOL_DIR, tmp_path / "p")
    path = tmp_path / "p" / "base_fewshot.json"
    path.write_text(path.read_text().replace("ANSWER", "ANSWR", 1) + " ")
    monkeypatch.setattr(paper, "PROTOCOL_DIR", tmp_path / "p")
    paper.base_fewshot.cache_clear()
    try:
        with pytest.raises(ValueError, match="sha256"):
            paper.base_fewshot()
    finally:
        paper.base_fewshot.cache_clear()


def test_legalbench_chat_prompts_and_end_match(mirror):
    """Every offline LegalBench task: the first doc's prompt is the authors' chat prompt with its
    {{column}} placeholders filled from the row; the output must END with the label (case and
    surrounding punctuation aside); the group pools the rows (each task weighted by its size)."""
    import yaml

    from rpt_tasks.benchmarks import paper_legalbench
    from rpt_tasks.harness.configs import task_dir

    prompts = yaml.safe_load((MIRROR / "paper_protocol" / "legalbench_prompts_chat.yml").read_text())
    offline = [t for t in paper_legalbench.TASKS if (MIRROR / "legalbench" / t).is_dir()]
    assert len(paper_legalbench.TASKS) == 124 and len(offline) == 50
    for task in offline:
        row = _first_row(f"legalbench/{task}", "test")
        expected = prompts[task]
        for column in set(re.findall(r"\{\{(\w+)\}\}", expected)):
            expected = expected.replace("{{" + column + "}}", str(row[column]))
        doc = load_docs(f"paper_legalbench_{paper_legalbench.task_name(task)}", size=1)[0]
        assert prompt_for(doc) == expected and "{{" not in expected, task
    doc = _doc("paper_legalbench_hearsay", "Yes")
    assert verify_doc("Yes", doc) and verify_doc("The answer is: YES.", doc) and verify_doc("<think>No</think>yes", doc)
    assert not verify_doc("Yes, but on reflection no", doc) and not verify_doc("Yes\n\n(unsure)", doc)
    assert not verify_doc("", doc)
    group = yaml.safe_load((task_dir() / "paper_legalbench" / "rpt_paper_legalbench.yaml").read_text())
    assert len(group["task"]) == 124 and group["aggregate_metric_list"][0]["weight_by_size"] is True
    knowledge = yaml.safe_load((task_dir() / "paper" / "rpt_paper_knowledge.yaml").read_text())
    assert "rpt_paper_legalbench" in knowledge["task"]


def test_legalbench_prompts_are_checked(tmp_path, monkeypatch):
    from rpt_tasks.benchmarks import paper_legalbench

    with pytest.raises(ValueError, match="placeholder"):  # a value that would leave one, as the authors assert
        paper_legalbench.filled_prompt("hearsay", {"text": "{{x}}"})
    (tmp_path / "legalbench_prompts_chat.yml").write_text("hearsay: 'Is it hearsay? {{text}}'\n")
    monkeypatch.setattr(paper_legalbench, "PROTOCOL_DIR", tmp_path)
    paper_legalbench.chat_prompts.cache_clear()
    try:
        with pytest.raises(ValueError, match="sha256"):
            paper_legalbench.chat_prompts()
    finally:
        paper_legalbench.chat_prompts.cache_clear()
