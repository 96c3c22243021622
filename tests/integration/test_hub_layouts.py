"""The hub path through the real `datasets.load_dataset`, against local replicas of the real
repositories' file layouts (tests/data/hub_schemas evidence: ../shared/reference/hub_schemas.md).

A replica is a folder `<owner>/<name>/` under RPT_HUB_REPLICAS with the repository's own files:
data files where it has them, the README's `configs`, and a loading script where the real
repository ships one. So a script-only layout fails here exactly as it does on the hub, and the
way around it (its data files, at the pinned commit) is tested the same way."""

import base64
import json
import os
import pickle
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from rpt_tasks.data import DataError, load, load_docs
from rpt_tasks.hub import REPLICAS_ENV, explain
from rpt_tasks.benchmarks import get_benchmark
from rpt_tasks.verify import verify_code, verify_doc

RPT = str(Path(sys.executable).parent / "rpt")
SCRIPT = "import datasets\n\nclass Builder(datasets.GeneratorBasedBuilder):\n    pass\n"


def _parquet(path: Path, rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


def _readme(folder: Path, configs: list[tuple[str, str, str]]) -> None:
    """A dataset card whose YAML declares (config, split, file pattern) as the hub's cards do."""
    lines = ["---", "configs:"]
    for config, split, pattern in configs:
        lines += [f"- config_name: {config}", "  data_files:", f"  - split: {split}", f"    path: {pattern}"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text("\n".join(lines + ["---", "", "# replica", ""]))


@pytest.fixture
def replicas(tmp_path, monkeypatch):
    """A folder of replicas, and a datasets cache of its own: replicas of different tests share
    relative layouts (data/train-*), which `datasets` would otherwise take for the same data."""
    import datasets

    monkeypatch.delenv("RPT_DATA_DIR", raising=False)
    monkeypatch.setenv(REPLICAS_ENV, str(tmp_path / "hub"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "datasets-cache"))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "datasets-cache")
    return tmp_path / "hub"


def _lcb_row(i: int) -> dict:
    private = [{"input": f"{i} 1\n", "output": f"{i + 1}\n", "testtype": "stdin"}]
    return {"question_id": f"lcb{i}", "question_title": "sum", "question_content": "Print the sum of two integers.",
            "platform": "atcoder", "contest_date": "2024-01-01T00:00:00", "starter_code": "", "difficulty": "easy",
            "public_test_cases": json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]),
            "private_test_cases": base64.b64encode(zlib.compress(pickle.dumps(json.dumps(private)))).decode(),
            "metadata": "{}"}


def test_livecodebench_script_layout_fails_plainly_and_loads_from_its_files(replicas):
    import datasets

    repo = replicas / "livecodebench" / "code_generation_lite"
    repo.mkdir(parents=True)
    (repo / "code_generation_lite.py").write_text(SCRIPT)
    for i, name in enumerate(["test.jsonl", "test2.jsonl", "test3.jsonl", "test4.jsonl", "test5.jsonl", "test6.jsonl"]):
        (repo / name).write_text(json.dumps(_lcb_row(i)) + "\n")
    with pytest.raises(Exception, match="Dataset scripts are no longer supported"):
        datasets.load_dataset(str(repo), "release_v5", split="test")  # what the hub path did before
    docs = load_docs("livecodebench")
    assert [d["rpt_id"] for d in docs] == [f"lcb{i}" for i in range(5)]  # release_v5: the first five files
    program = "a, b = map(int, input().split())\nprint(a + b)\n"
    assert verify_code(f"```python\n{program}```", json.loads(docs[3]["tests"]))
    assert not verify_code("```python\nprint(0)\n```", json.loads(docs[3]["tests"]))


def test_pubmedqa_reads_the_parquet_copy_and_keeps_the_fold0_test_questions(replicas):
    from rpt_tasks.benchmarks.knowledge import _fold0_test_pmids

    test_ids = sorted(_fold0_test_pmids())[:2]
    repo = replicas / "qiaojin" / "PubMedQA"
    _readme(repo, [("pqa_labeled", "train", "pqa_labeled/train-*")])
    rows = [{"pubid": int(pmid), "question": f"Does treatment {k} help?",
             "context": {"contexts": ["Background.", "Results."], "labels": ["B", "R"], "meshes": ["x"]},
             "long_answer": "Yes.", "final_decision": "yes"} for k, pmid in enumerate(test_ids)]
    rows.append({**rows[0], "pubid": 1, "question": "A training question?"})
    _parquet(repo / "pqa_labeled" / "train-00000-of-00001.parquet", rows)
    # the script-only repository the benchmark used to name fails as it does on the hub
    script_repo = replicas / "bigbio" / "pubmed_qa"
    script_repo.mkdir(parents=True)
    (script_repo / "pubmed_qa.py").write_text(SCRIPT)
    import datasets

    with pytest.raises(Exception, match="Dataset scripts are no longer supported"):
        datasets.load_dataset(str(script_repo), "pubmed_qa_labeled_fold0_source", split="test")
    docs = load_docs("pubmedqa")
    assert len(docs) == 2 and "Background." in docs[0]["question"]
    assert all(verify_doc("ANSWER: yes", d) for d in docs) and not verify_doc("ANSWER: no", docs[0])


def test_bbh_reads_the_parquet_copy(replicas):
    repo = replicas / "SaylorTwift" / "bbh"
    _readme(repo, [("boolean_expressions", "test", "boolean_expressions/test-*")])
    _parquet(repo / "boolean_expressions" / "test-00000-of-00001.parquet",
             [{"input": "not ( True ) and ( True ) is", "target": "False"}])
    (doc,) = load_docs("bbh_boolean_expressions")
    assert verify_doc("ANSWER: False", doc) and not verify_doc("ANSWER: True", doc)


def test_tabfact_reads_the_parquet_conversion(replicas):
    repo = replicas / "wenhu" / "tab_fact"
    (repo / "tab_fact.py").parent.mkdir(parents=True, exist_ok=True)
    (repo / "tab_fact.py").write_text(SCRIPT)  # main: a script that downloads from GitHub
    row = {"id": 0, "table_id": "1-1.html.csv", "table_text": "team#points\nreds#3\nblues#5\n",
           "table_caption": "league", "statement": "the blues have more points than the reds", "label": 1}
    _parquet(repo / "tab_fact" / "test" / "0000.parquet", [row, {**row, "id": 1, "label": 0,
                                                              "statement": "the reds have more points"}])
    docs = load_docs("tabfact")
    assert [verify_doc("ANSWER: entailed", d).correct for d in docs] == [True, False]
    assert verify_doc("ANSWER: refuted", docs[1])


def _training_replicas(replicas: Path) -> None:
    """The paper's three RL sets, each in its real layout (hub_schemas.md)."""
    code = replicas / "uiuc-kang-lab" / "code-100k-rl"
    _readme(code, [("default", "train", "data/train-*")])
    _parquet(code / "data" / "train-00000-of-00001.parquet", [
        {"problem": f"Read n, print n+{k}.", "tests": json.dumps({"inputs": ["2\n"], "outputs": [f"{2 + k}\n"]}),
         "data_source": "eurus"} for k in range(8)])
    for name, user, truth in (("eurus-2-math-100k", "What is {k}+1?\n\nPresent the answer in LaTex format: "
                                                    "\\boxed{{Your answer}}", "{k1}"),
                              ("mlvr-100k-rl", "Is {k} even? Answer yes or no.", "yes")):
        repo = replicas / "uiuc-kang-lab" / name
        _readme(repo, [("default", "train", "data/train-*")])
        _parquet(repo / "data" / "train-00000-of-00001.parquet", [
            {"prompt": [{"role": "system", "content": "sys"}, {"role": "user", "content": user.format(k=k)}],
             "reward_model": {"ground_truth": truth.format(k1=k + 1), "style": "rule"}, "ability": "math"}
            for k in range(8)])


def test_hub_mode_training_builds_its_first_batch_from_the_three_paper_sets(replicas, tmp_path):
    _training_replicas(replicas)
    env = {k: v for k, v in os.environ.items() if k != "RPT_DATA_DIR"}
    out = tmp_path / "run"
    proc = subprocess.run([RPT, "train", "--config", str(Path(__file__).resolve().parents[2] / "recipes" / "smoke-cpu.yaml"),
                           "--domains", "{math: 1, code: 1, knowledge: 1}", "--max_train_samples", "24",
                           "--max_steps", "1", "--save_steps", "1", "--output_dir", str(out)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    card = json.loads((out / "rpt_adapter.json").read_text())
    assert card["steps"] == 1
    assert {key.split(":")[0] for domain in card["data"].values() for key in domain if ":" in key} == \
        {"eurus_math", "eurus_code", "mlvr"}
    assert all(card["data"][d]["used"] > 0 for d in ("math", "code", "knowledge"))


def test_code_100k_rl_layout_both_test_encodings_empty_and_evaluation_sources_left_out(replicas):
    repo = replicas / "uiuc-kang-lab" / "code-100k-rl"
    _readme(repo, [("default", "train", "data/train-*")])
    rows = [
        {"problem": "Read n, print 2n.", "tests": json.dumps({"inputs": ["2\n"], "outputs": ["4\n"]}),
         "data_source": "eurus"},
        {"problem": "Read n, print n+1.", "tests": json.dumps([{"input": "2\n", "output": "3\n"}]),
         "data_source": "primeintellect"},
        {"problem": "No tests here.", "tests": "", "data_source": "eurus"},
        {"problem": "An evaluation problem.", "tests": json.dumps({"inputs": ["1\n"], "outputs": ["1\n"]}),
         "data_source": "lcbv5"},
    ]
    _parquet(repo / "data" / "train-00000-of-00001.parquet", rows)
    loaded = load("eurus_code")
    assert [d["question"] for d in loaded.docs] == ["Read n, print 2n.", "Read n, print n+1."]
    assert sorted(loaded.left_out.values()) == ["data_source lcbv5: LiveCodeBench problems are evaluated, never trained on",
                                                "no test cases"]
    double = json.loads(loaded.docs[0]["tests"])
    assert verify_code("```python\nprint(2 * int(input()))\n```", double)
    assert verify_code("```python\nprint(int(input()) + 1)\n```", json.loads(loaded.docs[1]["tests"]))


def test_mlvr_accepts_any_of_its_ground_truths_and_eurus_loses_its_suffix(replicas):
    mlvr = replicas / "uiuc-kang-lab" / "mlvr-100k-rl"
    _readme(mlvr, [("default", "train", "data/train-*")])
    _parquet(mlvr / "data" / "train-00000-of-00001.parquet", [
        {"prompt": [{"role": "system", "content": "Be helpful."}, {"role": "user", "content": "Half of one?"}],
         "reward_model": {"ground_truth": ["0.5", "\\frac{1}{2}", "one half"], "style": "rule"}, "ability": "mlvr"}])
    (doc,) = load_docs("mlvr")
    assert doc["gold"] == "0.5" and verify_doc("ANSWER: 1/2", doc) and not verify_doc("ANSWER: 2", doc)
    eurus = replicas / "uiuc-kang-lab" / "eurus-2-math-100k"
    _readme(eurus, [("default", "train", "data/train-*")])
    _parquet(eurus / "data" / "train-00000-of-00001.parquet", [
        {"prompt": [{"role": "system", "content": "sys"}, {"role": "user", "content":
                    "What is 2+3?\n\nPresent the answer in LaTex format: \\boxed{Your answer}"}],
         "reward_model": {"ground_truth": "5", "style": "rule"}, "ability": "math"}])
    (math_doc,) = load_docs("eurus_math")
    assert math_doc["question"] == "What is 2+3?" and verify_doc("ANSWER: 5", math_doc)


def test_every_hub_failure_is_advice_naming_the_source(replicas):
    from datasets.exceptions import DatasetNotFoundError

    hub = get_benchmark("gpqa_diamond").hub
    gated = explain(DatasetNotFoundError(f"Dataset '{hub.path}' is a gated dataset on the Hub. You must be "
                                         "authenticated to access it."), hub, "train")
    assert "log in" in gated.lower() and "accept its terms" in gated and hub.path in gated and "gpqa_diamond" in gated
    script = explain(RuntimeError("Dataset scripts are no longer supported, but found tab_fact.py"),
                     get_benchmark("tabfact").hub, "test")
    assert "loading script" in script and "RPT_DATA_DIR" in script
    config = explain(ValueError("BuilderConfig 'nope' not found. Available: ['a', 'b']"), hub, "train")
    assert "unknown config" in config and "Available: ['a', 'b']" in config
    # a repository missing from the replicas, through the real loader: a DataError, never a traceback
    with pytest.raises(DataError, match="medqa|MedQA"):
        load_docs("medqa")


def test_data_check_offline_lists_every_source_pinned_and_exits_nonzero(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("RPT_DATA_DIR", REPLICAS_ENV)}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    proc = subprocess.run([RPT, "data", "check", "--json", "--training", "--rows", "1",
                           "--tasks", "gsm8k,math500,livecodebench,pubmedqa,tabfact,eurus_*,mlvr,bbh_boolean*"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    lines = json.loads(proc.stdout)
    assert {line["benchmark"] for line in lines} >= {"gsm8k", "livecodebench", "pubmedqa", "eurus_code", "mlvr"}
    for line in lines:
        assert {"source", "config", "split", "revision", "status", "reason"} <= set(line)
        assert line["status"] in ("UNREACHABLE", "FAIL") and line["reason"]
    pinned = {line["benchmark"]: line["revision"] for line in lines}
    assert pinned["gsm8k"] == "740312add88f781978c0658806c59bc2815b9866"
    assert all(line["status"] == "UNREACHABLE" for line in lines if line["revision"])


def test_data_check_on_the_mirror(mirror):
    proc = subprocess.run([RPT, "data", "check", "--tasks", "rpt_gsm8k,rpt_math500,rpt_humaneval,rpt_pubmedqa",
                           "--rows", "3"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" OK ") >= 4 and "mirror" in proc.stdout


@pytest.mark.parametrize("entry", ["rpt eval", "lm_eval", "rpt train"])
def test_a_missing_dataset_is_a_message_in_every_entry_point(entry, tiny_model, tmp_path):
    """Offline with no mirror (HF_HUB_OFFLINE, RPT_DATA_DIR unset): each entry point says what to do, no traceback."""
    env = {k: v for k, v in os.environ.items() if k not in ("RPT_DATA_DIR", REPLICAS_ENV)}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    bin_dir = Path(sys.executable).parent
    if entry == "rpt train":
        argv = [RPT, "train", "--config", str(Path(__file__).resolve().parents[2] / "recipes" / "smoke-cpu.yaml"),
                "--model", str(tiny_model), "--decontaminate", "false", "--output_dir", str(tmp_path / "run")]
    else:
        head = [RPT, "eval"] if entry == "rpt eval" else [str(bin_dir / "lm_eval"), "run", "--include_path",
                                                          str(Path(__file__).resolve().parents[2] / "task_configs")]
        argv = [*head, "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--tasks", "rpt_gsm8k",
                "--limit", "1", "--output_path", str(tmp_path / "out")]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    dataset = "uiuc-kang-lab/eurus-2-math-100k" if entry == "rpt train" else "openai/gsm8k"
    assert dataset in proc.stderr and "RPT_DATA_DIR" in proc.stderr, proc.stderr[-3000:]
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_train_prompt_dataset_trains_on_the_sets_own_chat(replicas, tiny_model, tmp_path):
    """train_prompt: dataset keeps Eurus-2's system prompt and \\boxed instruction (the paper's
    training prompts); evaluation (the default) our ANSWER-line prompt; the same reward reads both."""
    from rpt_train.rewards import make_reward

    eurus = replicas / "uiuc-kang-lab" / "eurus-2-math-100k"
    _readme(eurus, [("default", "train", "data/train-*")])
    system = "When tackling complex reasoning tasks, you have access to the following actions."
    _parquet(eurus / "data" / "train-00000-of-00001.parquet", [
        {"prompt": [{"role": "system", "content": system}, {"role": "user", "content":
                    f"What is {k}+2?\n\nPresent the answer in LaTex format: \\boxed{{Your answer}}"}],
         "reward_model": {"ground_truth": str(k + 2), "style": "rule"}, "ability": "math"} for k in range(6)])
    rows = {}
    for mode in ("dataset", "evaluation"):
        out = tmp_path / mode
        proc = subprocess.run([RPT, "train", "--model_name_or_path", str(tiny_model), "--use_cpu", "true",
                               "--train_prompt", mode, "--export_dataset", str(out), "--output_dir", str(tmp_path / "o")],
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        rows[mode] = [json.loads(line) for line in (out / "train.jsonl").read_text().splitlines()]
    text = lambda prompt: prompt if isinstance(prompt, str) else "\n".join(m["content"] for m in prompt)  # noqa: E731
    assert len(rows["dataset"]) == 6 and all(system in text(r["prompt"]) and "\\boxed{Your answer}" in text(r["prompt"])
                                             for r in rows["dataset"])
    assert not any(system in text(r["prompt"]) or "\\boxed{Your answer}" in text(r["prompt"]) for r in rows["evaluation"])
    reward = make_reward("math")
    row = rows["dataset"][0]
    gold = json.loads(row["rpt_doc"])["gold"]
    scores = reward(prompts=[row["prompt"]] * 2, completions=[f"So \\boxed{{{gold}}}", f"ANSWER: {gold}"],
                    rpt_doc=[row["rpt_doc"]] * 2, rpt_domain=["math"] * 2)
    assert scores == [1.0, 1.0]


def test_train_prompt_dataset_needs_a_set_with_a_prompt_of_its_own(tiny_model, tmp_path, mirror):
    proc = subprocess.run([RPT, "train", "--model_name_or_path", str(tiny_model), "--use_cpu", "true",
                           "--train_prompt", "dataset", "--export_dataset", str(tmp_path / "x"),
                           "--output_dir", str(tmp_path / "o")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2 and "has no prompt of its own" in proc.stderr and "Traceback" not in proc.stderr


def _codeforces_row(contest: int, index: str, name: str, tests: str) -> dict:
    return {"contestId": contest, "index": index, "name": name, "problem-description": "Print the sum of a and b.",
            "input-specification": "Two integers a and b.", "output-specification": "One integer.",
            "demo-input": "1 2", "demo-output": "3", "note": None, "test_cases": tests}


def test_paper_codeforces_reads_the_authors_set_once_per_problem(replicas):
    """chuxuan/RL-gen-codeforces-test as datasets pushes it (data/train-*.parquet): one doc per
    contest-index-name (the first row), the authors' prompt, the 15 longest-input tests, JSON or
    '}{'-joined Python literals."""
    from rpt_tasks.benchmarks import prompt_for
    from rpt_tasks.benchmarks.paper import user_template

    cases = [{"input": f"{i} {'1' * i}\n", "output": f"{i + int('1' * i)}\n"} for i in range(1, 17)]
    rows = [_codeforces_row(1, "A", "Sum", json.dumps(cases)),
            _codeforces_row(1, "A", "Sum", json.dumps(cases[:1])),  # a repeat of 1-A-Sum: dropped
            _codeforces_row(2, "B", "Sum again", "".join(repr(c) for c in cases[:3]))]
    _parquet(replicas / "chuxuan" / "RL-gen-codeforces-test" / "data" / "train-00000-of-00001.parquet", rows)
    docs = load_docs("paper_codeforces")
    assert [d["rpt_id"] for d in docs] == ["1-A-Sum", "2-B-Sum again"]
    expected = user_template("codeforces")
    for key in ("name", "problem-description", "input-specification", "output-specification", "demo-input",
                "demo-output", "note"):
        expected = expected.replace("{" + key + "}", str(rows[0][key]))
    assert prompt_for(docs[0]) == expected and "Problmen Description" in expected and " None " in expected
    spec = json.loads(docs[0]["tests"])
    assert len(spec["cases"]) == 15 and min(len(c[0]) for c in spec["cases"]) == len(cases[1]["input"])
    assert len(json.loads(docs[1]["tests"])["cases"]) == 3
    program = "a, b = map(int, input().split())\nprint(a + b)"
    answer = f"Draft:\n```python\nprint(0)\n```\nFinal:\n```python\n{program}\n```"
    assert verify_doc(answer, docs[0]) and not verify_doc(f"```python\n{program}\n```\n```python\nprint(0)\n```", docs[0])


def test_paper_livecodebench_reads_the_full_repository_files_bare(replicas):
    """livecodebench/code_generation (not _lite) ships a loading script too: read from its six data
    files; the prompt is the bare question_content; LiveCodeBench's extraction."""
    from rpt_tasks.benchmarks import prompt_for

    repo = replicas / "livecodebench" / "code_generation"
    repo.mkdir(parents=True)
    (repo / "code_generation.py").write_text(SCRIPT)
    for i, name in enumerate(["test.jsonl", "test2.jsonl", "test3.jsonl", "test4.jsonl", "test5.jsonl", "test6.jsonl"]):
        (repo / name).write_text(json.dumps(_lcb_row(i)) + "\n")
    docs = load_docs("paper_livecodebench")
    assert [d["rpt_id"] for d in docs] == [f"lcb{i}" for i in range(6)]
    assert prompt_for(docs[0]) == "Print the sum of two integers."
    program = "a, b = map(int, input().split())\nprint(a + b)\n"
    assert verify_doc(f"```python\n{program}```", docs[4])
    assert not verify_doc(f"```python\n{program}```\nRun it with ```python3 x.py```.", docs[4])


def test_paper_medqa_reads_bigbios_five_option_set_from_the_parquet_conversion(replicas):
    """bigbio/med_qa: main is a script that downloads from Google Drive; the preset reads the
    parquet conversion of med_qa_en_bigbio_qa: five lettered options, PubMedQA's template text."""
    from rpt_tasks.benchmarks import prompt_for
    from rpt_tasks.benchmarks.paper import user_template

    repo = replicas / "bigbio" / "med_qa"
    repo.mkdir(parents=True)
    (repo / "med_qa.py").write_text(SCRIPT)
    choices = ["Ampicillin", "Ceftriaxone", "Ciprofloxacin", "Doxycycline", "Nitrofurantoin"]
    rows = [{"id": f"{i}", "question_id": f"{i}", "document_id": f"{i}", "question": f"Case {i}: which drug?",
             "type": "multiple_choice", "choices": choices, "context": "", "answer": [choices[i]]} for i in range(2)]
    _parquet(repo / "med_qa_en_bigbio_qa" / "test" / "0000.parquet", rows)
    docs = load_docs("paper_medqa")
    assert [d["gold"] for d in docs] == ["A", "B"]
    lettered = "\n".join(f"{chr(65 + i)}) {c}" for i, c in enumerate(choices))
    assert prompt_for(docs[0]) == user_template("medqa").format(letters="A,B,C,D,E", question="Case 0: which drug?",
                                                               choices=lettered)
    assert verify_doc("Reasoning...\nANSWER: B", docs[1]) and not verify_doc("ANSWER: B", docs[0])
    assert not verify_doc("ANSWER: A,B", docs[0]) and not verify_doc("It is Ampicillin.", docs[0])


def test_paper_finben_multiple_choice_and_qa_sets_from_the_flare_layout(replicas):
    """TheFinAI's FinBen repositories (PIXIU layout, data/test-*.parquet): a multiple-choice set is
    the subset's question template with the row's text and its own choices lettered (Inspect's
    default template); a QA set is the bare query, scored by numeric tolerance (the authors'
    undefined grader scored 0)."""
    from rpt_tasks.benchmarks import prompt_for
    from rpt_tasks.benchmarks.paper import protocol

    fomc = {"id": "fomc0", "query": "PIXIU prompt", "text": "The Committee decided to raise the target range.",
            "answer": "hawkish", "choices": ["dovish", "hawkish", "neutral"], "gold": 1}
    _parquet(replicas / "TheFinAI" / "flare-fomc" / "data" / "test-00000-of-00001.parquet", [fomc])
    (doc,) = load_docs("paper_finben_fomc")
    spec = next(s for s in protocol()["benchmarks"]["finben"]["dataset"]["subsets"] if s["name"] == "flare-fomc")
    question = spec["question_template"].replace("{text}", fomc["text"])
    assert prompt_for(doc) == spec["user_template"].format(letters="A,B,C", question=question,
                                                            choices="A) dovish\nB) hawkish\nC) neutral")
    assert verify_doc("ANSWER: B", doc) and not verify_doc("ANSWER: hawkish", doc) and not verify_doc("ANSWER: A", doc)
    finqa = {"id": "finqa0", "query": "What is the change? Answer:", "answer": "12.5", "text": ""}
    _parquet(replicas / "TheFinAI" / "flare-finqa" / "data" / "test-00000-of-00001.parquet", [finqa])
    (qa,) = load_docs("paper_finben_finqa")
    assert prompt_for(qa) == finqa["query"]
    assert verify_doc("ANSWER: 12.5", qa) and not verify_doc("ANSWER: 13", qa)
