import pytest

from rpt_tasks.verify.extract import extract_answer, last_boxed, strip_reasoning


@pytest.mark.parametrize("text, expected", [
    ("so we get 4.\nANSWER: 42", "42"),
    ("**ANSWER:** $\\frac{1}{2}$.", "\\frac{1}{2}"),
    ("Answer: 7\nlater text\nANSWER: 9", "9"),
    ("ANSWER: \\boxed{x^2}", "x^2"),
    ("the result is \\boxed{\\frac{\\sqrt{3}}{2}} done", "\\frac{\\sqrt{3}}{2}"),
    ("\\boxed{1} then \\boxed{\\{1,2\\}}", "\\{1,2\\}"),
    ("\\fbox{5}", "5"),
    ("<think>ANSWER: 1</think>The final ANSWER: 2", "2"),
    ("reasoning only, template opened the block</think>ANSWER: 3", "3"),
])
def test_extracts_final_answer(text, expected):
    assert extract_answer(text) == expected


def test_answer_line_beats_boxed_and_boxed_beats_number():
    assert extract_answer("\\boxed{1}\nANSWER: 2") == "2"
    assert extract_answer("\\boxed{1} and 5", allow_last_number=True) == "1"


def test_last_number_only_when_allowed():
    text = "Janet makes 9 * 2 = $18 a day.\n#### 18"
    assert extract_answer(text) is None
    assert extract_answer(text, allow_last_number=True) == "18"
    assert extract_answer("so the total is 1,234.5.", allow_last_number=True) == "1,234.5"
    # only a number that ends the output: one inside the last sentence is not its answer (issue 15)
    assert extract_answer("a total of 1,234.5 units, in the first 15 minutes", allow_last_number=True) is None


@pytest.mark.parametrize("text", [
    "<think>I am still thinking about ANSWER: 4",  # unclosed reasoning: no answer
    "", "ANSWER:", "no answer here", "\\boxed{unclosed", None, 12,
])
def test_no_answer_is_none(text):
    assert extract_answer(text, allow_last_number=False) is None


def test_unclosed_think_has_no_answer_even_with_numbers():
    assert strip_reasoning("<think> 1 2 3") is None
    assert extract_answer("<think> 1 2 3", allow_last_number=True) is None


def test_boxed_with_deep_nesting_is_linear():
    deep = "\\boxed{" + "{" * 10000 + "1" + "}" * 10000 + "}"
    assert last_boxed(deep) == "{" * 10000 + "1" + "}" * 10000
    assert last_boxed("\\boxed{" * 50000) is None  # would be quadratic with a per-box scan
