"""Knowledge, science and logic: answer extraction, the verifiers, and every offline set scored
with its own gold (100%), a wrong label (0%) and a constant 'A' (about chance)."""

import http.server
import json
import threading

import pytest

from rpt_tasks.data import DataError, load_docs
from rpt_tasks.verify.extract import extract_choice, extract_label
from rpt_tasks.benchmarks import prompt_for
from rpt_tasks.benchmarks import BENCHMARKS, get_benchmark
from rpt_tasks.benchmarks.legalbench import EXACT_MATCH as LEGALBENCH_EXACT_MATCH
from rpt_tasks.benchmarks.legalbench import OFFLINE as LEGALBENCH_TASKS
from rpt_tasks.benchmarks.legalbench import task_name as legalbench_task_name
from rpt_tasks.benchmarks.logic import kk_hub_row
from rpt_tasks.benchmarks.science import gpqa_row
from rpt_tasks.verify import verify_assignment, verify_doc, verify_exact, verify_number, verify_tatqa

OPTIONS = ["Disclose the error to the patient", "Tell the attending that he cannot fail to disclose this mistake",
           "Report the physician to the ethics committee", "Refuse to dictate the operative report"]


@pytest.mark.parametrize("text, letter", [
    ("ANSWER: B", "B"), ("ANSWER: (B)", "B"), ("**ANSWER:** **B**", "B"), ("The answer is B.", "B"),
    ("answer: b", "B"), ("ANSWER: b, because", "B"), ("ANSWER: B. Tell the attending that he cannot fail to disclose this mistake", "B"),
    ("ANSWER: Tell the attending that he cannot fail to disclose this mistake", "B"),
    ("<think>Maybe A or C.</think>\nANSWER: B", "B"), ("I pick (C).", "C"), ("ANSWER: B because it is honest", "B"),
    ("ANSWER: B or C", None), ("ANSWER: (B) and (D)", None), ("<think>B", None), ("no idea", None),
    ("ANSWER: A patient should be told", None),
])
def test_choice_extraction(text, letter):
    assert extract_choice(text, OPTIONS) == letter


@pytest.mark.parametrize("text, label", [
    ("ANSWER: yes", "yes"), ("ANSWER: Maybe.", "maybe"), ("So the answer is **No**", "no"),
    ("ANSWER: yes or no", None), ("<think>yes</think>ANSWER: no", "no"), ("nothing", None),
])
def test_label_extraction(text, label):
    assert extract_label(text, ["yes", "no", "maybe"]) == label


def test_negated_label_is_not_that_label():
    assert extract_label("ANSWER: not entailed", ["entailed", "refuted"]) is None
    assert extract_label("It is not refuted; ANSWER: entailed", ["entailed", "refuted"]) == "entailed"


def test_exact_numbers_and_assignments():
    assert verify_exact("ANSWER: (B)", "(B)") and verify_exact("ANSWER: B", "(B)") and not verify_exact("ANSWER: C", "(B)")
    assert verify_exact("ANSWER: 24.0", "24") and verify_exact("ANSWER: ] ]", "] ]") and verify_exact("ANSWER: valid", "Valid")
    assert verify_number("ANSWER: $1,234.50", "1234.5") and not verify_number("ANSWER: 1300", "1234.5")
    assert verify_number("ANSWER: 1500000", "1.5", scale="million") and verify_number("ANSWER: 1.5 million", "1.5", scale="million")
    assert not verify_number("ANSWER: 150", "1.5")  # no scale declared: no unit juggling
    assert verify_tatqa("ANSWER: Finished goods and Work-in-process", '["Work-in-process", "Finished goods"]', "multi-span")
    assert not verify_tatqa("ANSWER: Finished goods", '["Work-in-process", "Finished goods"]', "multi-span")
    gold = json.dumps({"Zoey": "knight", "Riley": "knave"})
    assert verify_assignment("ANSWER: Riley is a knave, and Zoey is a knight.", gold, ["Zoey", "Riley"])
    assert verify_assignment("ANSWER: Zoey: Knight; Riley: Knave", gold, ["Zoey", "Riley"])
    assert not verify_assignment("ANSWER: Zoey is a knight", gold, ["Zoey", "Riley"])
    assert not verify_assignment("ANSWER: Zoey is a knave and Riley is a knight", gold, ["Zoey", "Riley"])


HUB_ONLY = {"gpqa_diamond", "mmlu_pro", "knights_knaves_hub", "finben_fpb", "finben_fiqasa", "finben_headlines",
            "finben_finqa", "finben_convfinqa"} | {
               f"{prefix}legalbench_{legalbench_task_name(t)}" for t in LEGALBENCH_EXACT_MATCH if t not in LEGALBENCH_TASKS
               for prefix in ("", "paper_") if f"{prefix}legalbench_{legalbench_task_name(t)}" in BENCHMARKS}
# sets declared without a mirror copy (the paper preset's hub-only sets) are tested on hub layout replicas
OFFLINE = sorted(n for n, b in BENCHMARKS.items() if b.domain not in ("math", "code") and n not in HUB_ONLY
                 and b.mirror is not None)


def as_answer(doc: dict) -> str:
    gold = doc["gold"]
    if doc["rpt_benchmark"] == "finben_tatqa":
        value = json.loads(gold)
        return "ANSWER: " + (" and ".join(map(str, value)) if isinstance(value, list) else str(value))
    return f"ANSWER: {gold}"


def wrong_answer(doc: dict) -> str:
    bench = BENCHMARKS[doc["rpt_benchmark"]]
    if bench.kind == "choice":
        return "ANSWER: " + next(letter for letter in "ABCD" if letter != doc["gold"])
    if bench.kind == "label":
        return "ANSWER: " + next(label for label in doc["labels"] if label.lower() != doc["gold"].lower())
    return "ANSWER: 987654321 zzz"


@pytest.mark.parametrize("name", OFFLINE)
def test_gold_scores_one_and_a_wrong_label_zero(name, mirror):
    docs = load_docs(name)
    right = sum(bool(verify_doc(as_answer(d), d)) for d in docs) / len(docs)
    wrong = sum(bool(verify_doc(wrong_answer(d), d)) for d in docs) / len(docs)
    assert right >= (0.999 if name == "finben_tatqa" else 1.0), right  # one TAT-QA gold is inconsistent upstream
    assert wrong == 0.0


@pytest.mark.parametrize("name, options", [("medqa", 4), ("arc_challenge", 4), ("mmlu_pro_health", None)])
def test_always_a_scores_about_chance(name, options, mirror):
    docs = load_docs(name)
    rate = sum(bool(verify_doc("ANSWER: A", d)) for d in docs) / len(docs)
    chance = 1 / options if options else sum(1 / len(d["options"]) for d in docs) / len(docs)
    assert abs(rate - chance) < 0.06, (rate, chance)


@pytest.mark.parametrize("name", sorted(HUB_ONLY))
def test_hub_only_sets_say_where_their_data_goes(name, mirror):
    with pytest.raises(DataError, match="does not exist"):
        load_docs(name)


def test_gpqa_shuffle_is_fixed_and_keeps_the_answer():
    row = {"Question": "Which?", "Correct Answer": "right", "Incorrect Answer 1": "w1", "Incorrect Answer 2": "w2",
           "Incorrect Answer 3": "w3", "Record ID": "rec42"}
    first, again = gpqa_row(row), gpqa_row(dict(row))
    assert first == again and first["options"][ord(first["gold"]) - 65] == "right"
    golds = {gpqa_row({**row, "Record ID": f"r{i}"})["gold"] for i in range(40)}
    assert golds == {"A", "B", "C", "D"}  # the correct answer is not always first


def _fake_mirror(tmp_path, monkeypatch, folder, split, rows):
    (tmp_path / folder).mkdir(parents=True)
    (tmp_path / folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setenv("RPT_DATA_DIR", str(tmp_path))


def test_hub_layouts_on_fixtures(tmp_path, monkeypatch):
    _fake_mirror(tmp_path, monkeypatch, "gpqa_diamond", "train", [
        {"Question": "2+2?", "Correct Answer": "4", "Incorrect Answer 1": "3", "Incorrect Answer 2": "5",
         "Incorrect Answer 3": "22", "Record ID": "g1"}])
    _fake_mirror(tmp_path, monkeypatch, "mmlu_pro", "test", [
        {"question_id": 1, "question": "F=ma. m=2, a=3, F=?", "options": ["5", "6", "7"], "answer": "B",
         "answer_index": 1, "category": "physics"},
        {"question_id": 2, "question": "Capital of France?", "options": ["Paris", "Rome"], "answer": "A",
         "answer_index": 0, "category": "history"}])
    _fake_mirror(tmp_path, monkeypatch, "finben_fpb", "test", [
        {"id": "fpb0", "query": "Sentiment of: profits rose. Options: positive, negative, neutral", "answer": "positive",
         "choices": ["positive", "negative", "neutral"], "gold": 0}])
    _fake_mirror(tmp_path, monkeypatch, "finben_finqa", "test", [
        {"id": "fq0", "query": "Revenue grew from 100 to 125. Growth in percent?", "answer": "25.0"}])
    _fake_mirror(tmp_path, monkeypatch, "knights_knaves", "test", [
        {"quiz": "Zoey says Riley is a knave. Riley says they are both knights.", "names": ["Zoey", "Riley"],
         "solution": [True, False]}])
    gpqa = load_docs("gpqa_diamond")[0]
    assert verify_doc(f"ANSWER: {gpqa['gold']}", gpqa) and gpqa["rpt_id"] == "g1"
    stem = load_docs("mmlu_pro")
    assert [d["rpt_id"] for d in stem] == ["1"] and verify_doc("ANSWER: B", stem[0])
    fpb = load_docs("finben_fpb")[0]
    assert verify_doc("ANSWER: Positive", fpb) and not verify_doc("ANSWER: neutral", fpb)
    finqa = load_docs("finben_finqa")[0]
    assert verify_doc("ANSWER: 25%", finqa) and not verify_doc("ANSWER: 20", finqa)
    kk = load_docs("knights_knaves_hub")[0]
    assert kk_hub_row({"quiz": "q", "names": ["A"], "solution": [False]})["gold"] == '{"A": "knave"}'
    assert verify_doc("ANSWER: Riley is a knave and Zoey is a knight", kk)


class _JudgeHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][0]["content"]
        verdict = "YES" if "Candidate answer: twelve point five" in prompt else "NO"
        payload = json.dumps({"choices": [{"message": {"content": verdict}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_optional_judge_rescues_a_paraphrase_only_when_enabled(monkeypatch):
    doc = {"rpt_benchmark": "finben_finqa", "question": "What is 25 / 2?", "gold": "12.5", "answer_format": ""}
    assert not verify_doc("ANSWER: twelve point five", doc)  # rules alone: no number, wrong
    server = http.server.HTTPServer(("127.0.0.1", 0), _JudgeHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("RPT_JUDGE_BASE_URL", f"http://127.0.0.1:{server.server_port}/v1")
        assert verify_doc("ANSWER: twelve point five", doc).correct
        assert not verify_doc("ANSWER: thirteen", doc).correct
        assert verify_doc("ANSWER: 12.5", doc).detail == ""  # rule-accepted answers never reach the judge
    finally:
        server.shutdown()


def test_tabfact_subset_is_fixed_and_ordered(mirror):
    from rpt_tasks.harness.hooks import load_benchmark

    first = load_benchmark("tabfact", subset_size=2000, subset_seed=1234)["test"]
    again = load_benchmark("tabfact", subset_size=2000, subset_seed=1234)["test"]
    other = load_benchmark("tabfact", subset_size=2000, subset_seed=7)["test"]
    ids = [int(i) for i in first["rpt_id"]]
    assert len(ids) == 2000 and ids == sorted(ids) and ids == [int(i) for i in again["rpt_id"]]
    assert ids != [int(i) for i in other["rpt_id"]]


def test_reasoning_gym_sets_are_fixed_by_seed_and_size():
    a, b = load_docs("knights_knaves"), load_docs("knights_knaves")
    assert len(a) == 100 and [d["question"] for d in a] == [d["question"] for d in b]
    other = load_docs("knights_knaves", seed=7, size=5)
    assert len(other) == 5 and other[0]["question"] != a[0]["question"]
    doc = a[0]
    assert verify_doc(f"ANSWER: {doc['gold']}", doc)
    # reasoning-gym gives partial credit for half-right assignments; we count only full solves
    names = doc["gold"].replace(".", "").split(", and ")
    assert not verify_doc("ANSWER: " + names[0], doc)


def test_hub_only_legalbench_tasks_read_their_labels_off_the_data(tmp_path, monkeypatch):
    """LegalBench's hub-only tasks (nguha/legalbench layout: index, answer, input columns) get the
    distinct golds as their label set, shown in the prompt, and LegalBench's normalisation."""
    _fake_mirror(tmp_path, monkeypatch, "legalbench/ucc_v_common_law", "test", [
        {"index": "0", "answer": "UCC", "contract": "A contract for the sale of 200 bicycles."},
        {"index": "1", "answer": "Common Law", "contract": "A contract to paint a house."},
        {"index": "2", "answer": "UCC", "contract": "A contract for the sale of a used car."}])
    _fake_mirror(tmp_path, monkeypatch, "legalbench/scalr", "test", [
        {"index": "0", "answer": "1", "question": "Which case?", "choice_0": "Roe", "choice_1": "Doe", "choice_2": ""}])
    docs = load_docs("legalbench_ucc_v_common_law")
    assert [d["labels"] for d in docs] == [["Common Law", "UCC"]] * 3
    prompt = prompt_for(docs[1])
    assert "ucc v common law" in prompt and "A contract to paint a house." in prompt
    assert "ANSWER: <one of: Common Law, UCC>" in prompt
    assert [bool(verify_doc(f"ANSWER: {d['gold']}", d)) for d in docs] == [True] * 3
    assert not verify_doc("ANSWER: UCC", docs[1])
    assert verify_doc("ANSWER: common law.", docs[1])  # case and punctuation do not count, as in LegalBench
    scalr = load_docs("legalbench_scalr")[0]
    assert "Choice 0: Roe" in scalr["question"] and "Choice 2" not in scalr["question"]
    assert "Index" not in scalr["question"] and "Answer:" not in scalr["question"]


def test_hub_only_legalbench_tasks_show_only_their_prompt_inputs(tmp_path, monkeypatch):
    """Helper columns (successor_liability's `issue`, hearsay-style `slice`) are never shown: they
    can name the label. The inputs are the ones LegalBench's own prompt uses."""
    _fake_mirror(tmp_path, monkeypatch, "legalbench/successor_liability", "test", [
        {"index": "0", "answer": "express agreement", "issue": "express agreement", "slice": "express agreement",
         "text": "Buyer agreed in writing to assume the seller's debts."}])
    (doc,) = load_docs("legalbench_successor_liability")
    assert "Buyer agreed in writing" in doc["question"] and "Issue" not in doc["question"]
    assert "Slice" not in doc["question"]
    _fake_mirror(tmp_path, monkeypatch, "legalbench/sara_entailment", "test", [
        {"index": "0", "answer": "Entailment", "statute": "Section 1.", "description": "Alice earns.",
         "question": "Tax?", "case id": "tax_case_7", "text": "unused"}])
    (sara,) = load_docs("legalbench_sara_entailment")
    assert "Section 1." in sara["question"] and "Tax?" in sara["question"] and "tax_case_7" not in sara["question"]


def test_legalbench_covers_the_156_exact_match_tasks_with_declared_labels_where_known():
    names = {b.name for b in BENCHMARKS.values() if b.name.startswith("legalbench_")}
    assert len(names) == 156 and len(LEGALBENCH_TASKS) == 51
    assert "legalbench_opp115_user_access_edit_and_deletion" in names  # ',' is not a task-name character
    assert not get_benchmark("legalbench_hearsay").labels_from_golds
    assert get_benchmark("legalbench_maud_knowledge_definition").labels_from_golds


def test_balanced_accuracy_is_mean_recall_per_gold_class():
    from rpt_tasks.harness.hooks import balanced_accuracy

    pairs = [("Yes", "Yes")] * 9 + [("Yes", "No")] + [("No", "Yes")] * 1 + [("No", None)]
    assert balanced_accuracy(pairs) == pytest.approx((0.9 + 0.0) / 2)
    rng = __import__("random").Random(0)
    pairs = [(rng.choice("abc"), rng.choice(["a", "b", "c", None])) for _ in range(500)]
    recall = [sum(p == g for g, p in pairs if g == c) / sum(g == c for g, _ in pairs) for c in "abc"]
    assert balanced_accuracy(pairs) == pytest.approx(sum(recall) / 3)
