"""Answer verifiers against what a policy optimised on them would try: hedges, dropped symbols,
look-alike characters; and the real answers they used to miss (issue 15). Each class has three
or more cases beyond the one that was reported."""

import pytest

from rpt_tasks.verify import extract_answer, extract_choice, extract_code, extract_label, math_equal, verify_math

OPTIONS = ["first", "second", "third", "fourth"]


# ---------------------------------------------------------------- dropped or changed symbols
@pytest.mark.parametrize("answer, gold", [
    ("3", "3n"), ("2", "2k"), ("4", "4x"), ("3n", "3"), ("2k", "2"), ("4x", "4"), ("4 x", "4"),
    ("5pm", "5am"), ("5 pm", "5 am"), ("2m", "2s"), ("12 cm", "12 km"),
    ("E'", "E"), ("E", "E'"), ("f'(x)", "f(x)"), ("x^{\\prime}", "x"),
    ("\\frac{37}{4}", "\\frac{37}{4} m"), ("x^2", "y^2"), ("\\lambda x. x", "\\lambda y. y + 1"),
])
def test_a_dropped_or_changed_symbol_is_not_equal(answer, gold):
    assert not math_equal(answer, gold)


@pytest.mark.parametrize("answer, gold", [
    ("12 dollars", "12"), ("10cm", "10"), ("10 \\text{ cm}", "10"), ("20", "20 $cm^{2}$"),
    ("1:58 \\text{ a.m.}", "1:58 am"), ("5\\text{am}", "$5am$"), ("\\frac{37m}{4}", "\\frac{37}{4} m"),
    ("C(h) = 4 + 4h", "C(h)=4h+4"), ("s^2+bs+1", "s^{2}+b s+1"), ("100\\sqrt{P}", "100 p^{\\frac{1}{2}}"),
])
def test_units_and_variables_that_agree_are_equal(answer, gold):
    assert math_equal(answer, gold)


# ---------------------------------------------------------------- hedges earn nothing
@pytest.mark.parametrize("text", [
    "A or B", "ANSWER: B or C", "B/C", "either B or C", "A, B, C or D", "ANSWER: (A), (B), (C), (D)",
    "The answer is (A).\nThe answer is (C).", "ANSWER: B and C", "It is B or maybe D.",
    "The answer is (B).\n\nThe answer is (D).\n\nThe answer is (A).",
])
def test_a_hedge_between_letters_is_no_choice(text):
    assert extract_choice(text, OPTIONS) is None


@pytest.mark.parametrize("text", [
    "\\boxed{2} or \\boxed{3}", "ANSWER: 2 or 3", "ANSWER: \\boxed{2} \\text{ or } \\boxed{3}", "ANSWER: 2, 3",
])
def test_a_hedge_between_values_is_not_equal_to_one_of_them(text):
    assert not verify_math(text, "2")
    assert not verify_math(text, "3")


@pytest.mark.parametrize("text", ["ANSWER: yes or no", "yes/no", "ANSWER: maybe yes, maybe no", "Yes and no."])
def test_a_hedge_between_labels_is_no_label(text):
    assert extract_label(text, ["yes", "no", "maybe"]) is None


# ---------------------------------------------------------------- clear answers are read
@pytest.mark.parametrize("text, letter", [
    ("Correct answer: (B)\nWrong answers: (D)", "B"), ("Option A is correct.", "A"), ("My answer: c)", "C"),
    ("Between B and D, I choose D.", "D"), ("The answer is D, not C.", "D"), ("A and not D", "A"),
    ("I would go with C.", "C"), ("The correct option is (B), rather than (A).", "B"),
    ("Choice D is the best.", "D"), ("After checking, I pick A; eliminate C.", "A"),
    ("The answer is (D).\n\nMore work...\nFinal Answer: The final answer is $\\boxed{B}$", "B"),
])
def test_clear_and_contrasting_choices(text, letter):
    assert extract_choice(text, OPTIONS) == letter


@pytest.mark.parametrize("text, label", [
    ("Overall: yes", "yes"), ("yes/no/maybe: no", "no"), ("Verdict: maybe", "maybe"),
    ("Final judgement (yes/no/maybe): yes", "yes"),
])
def test_labels_after_a_colon(text, label):
    assert extract_label(text, ["yes", "no", "maybe"]) == label


# ---------------------------------------------------------------- where the final answer is
@pytest.mark.parametrize("text, expected", [
    ("Final Answer: The final answer is $14{,}916$. I hope it is correct.", "14{,}916"),
    ("Final Answer: The final answer is \\((-6, 10)\\). I hope it is correct.", "(-6, 10)"),
    ("so \\[ \\boxed{-2} \\quad \\text{and} \\quad \\boxed{1}. \\]", "-2, 1"),
    ("\\boxed{1} and \\boxed{2} and \\boxed{3}", "1, 2, 3"),
    ("x is \\boxed{5}. Then y is \\boxed{7}", "7"),
    ('    "answer": "576"\n}\n```', "576"),
])
def test_final_answer_forms(text, expected):
    assert extract_answer(text, allow_last_number=True) == expected


@pytest.mark.parametrize("text", [
    "$\\frac{1}{2}$ of the cake", "so the area is 2\\sqrt{2}", "She ran in the first 15 minutes.",
    "the value is 3 when x is 2 but then it", "\\boxed{-10.",
])
def test_a_number_inside_prose_or_a_formula_is_not_the_answer(text):
    answer = extract_answer(text, allow_last_number=True)
    assert answer not in {"2", "15", "3", "10", "-10"}, answer


@pytest.mark.parametrize("text, gold", [
    ("$\\frac{1}{2}$", "0.5"), ("so it is 2\\sqrt{2}$ \\Rightarrow$ $2\\sqrt{2}$", "\\sqrt{8}"),
    ("\\boxed{(D) (2,0)}", "D"), ("ANSWER: 1e-3", "0.001"), ("ANSWER: 11,\\!111,\\!100", "11111100"),
    ("ANSWER: 3128 1/2", "3128.5"), ("ANSWER: \\mathcal{B}", "B"),
    ("ANSWER: \\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"),
    ("\\boxed{5 \\text{ and } 9}", "$5$ or $9$"), ("\\boxed{2 \\text{ and } -6}", "$a=2$, $a=-6$"),
])
def test_equal_answers_that_used_to_be_missed(text, gold):
    assert verify_math(text, gold), (text, gold)


# ---------------------------------------------------------------- look-alike characters
@pytest.mark.parametrize("answer, gold, equal", [
    ("３", "3", True), ("１２", "12", True),  # fullwidth: NFKC, the same number
    ("\u22123", "-3", True), ("\u20133", "-3", True),  # minus sign, en dash: a minus
    ("٣", "3", False), ("३", "3", False), ("۱۲", "12", False),  # other scripts' digits: refused
    ("х", "x", False), ("Е", "E", False),  # Cyrillic letters are not Latin ones
    ("α", "\\alpha", True), ("π/2", "\\frac{\\pi}{2}", True),
])
def test_look_alikes(answer, gold, equal):
    assert math_equal(answer, gold) is equal


# ---------------------------------------------------------------- code without a fence
@pytest.mark.parametrize("text, has_code", [
    ("def add(a, b):\n    return a + b\n", True),
    ("Here is my solution:\ndef add(a, b):\n    return a + b\n", True),
    ("import math\n\ndef root(x):\n    return math.sqrt(x)\n", True),
    ("class Solution:\n    def f(self):\n        return 1\n", True),
    ("Yes", False), ("The function should return a + b.", False),
    ("def add(a, b):\n    return a + b\nThis works because addition commutes.", False),
])
def test_code_without_a_fence(text, has_code):
    assert (extract_code(text) is not None) is has_code
