"""The paper authors' scoring rules, as their code ran them (for the `rpt_paper_*` tasks only):
Inspect 0.3.93's `match()` and `choice()` scorers and the authors' MATH-500 regex, ported from
the source quoted in rpt_tasks/benchmarks/paper_protocol/protocol.json. They are laxer than our own
rules (a suffix match counts, the first ANSWER line wins, no hedge check); that is the point of
the preset: to tell how much of a delta comes from the protocol. Standard library only, plus our
math equivalence for MATH-500 where the authors called OpenMathInstruct's `math_equal`.
"""

from __future__ import annotations

import json
import re
import string

from rpt_tasks.verify.verdict import Verdict

_THINK_PAIR = re.compile(r"<think>.*?</think>", re.DOTALL)


def strip_think_pairs(text: str) -> str:
    """The authors remove closed <think>...</think> pairs only (an unclosed block stays)."""
    return _THINK_PAIR.sub("", text)


def strip_cjk(text: str) -> str:
    return "".join(c for c in text if not ("\u4e00" <= c <= "\u9fff"))


# ---------------------------------------------------------------- Inspect's match()
def _strip_numeric_punctuation(s: str) -> str:
    stripped = re.sub(r"[$,£,€]", "", s)
    return re.sub(r"\.(?=\s|$|\D)", "", stripped)


def _normalize_number(number: str, precision: int = 5) -> str:
    if number.replace(".", "").isnumeric():
        try:
            return format(float(number), f".{precision}g")
        except ValueError:
            return number
    return number


def _first_number_normalized(words: list[str]) -> str:
    number = next((word for word in words if word.replace(".", "").isnumeric()), words[0])
    return _normalize_number(number)


def match_end(value: str, target: str, numeric: bool) -> tuple[str, bool]:
    """Inspect's match_str(location="end", ignore_case=True, ignore_punctuation=True, numeric)."""
    v, t = value.strip(), target.strip()
    answer = v
    v, t = v.casefold(), t.casefold()
    if numeric and t.isnumeric():
        v, t = _strip_numeric_punctuation(v), _strip_numeric_punctuation(t)
        t = _normalize_number(t)
        words = re.split(r"\s+", v)
        words.reverse()
        v = _first_number_normalized(words)
        answer = v
    else:
        v = v.strip(string.whitespace + string.punctuation)
        t = t.strip(string.whitespace + string.punctuation)
    return answer, v.endswith(t)


def score_numeric_end(output: str | None, doc: dict) -> Verdict:
    """GSM8K and AMC 2023: think pairs and CJK characters removed, then match(numeric=True): the
    last numeric whitespace token, 5 significant digits, must end with the target."""
    if not isinstance(output, str):
        return Verdict(False, None)
    answer, ok = match_end(strip_cjk(strip_think_pairs(output)), doc["gold"], numeric=True)
    return Verdict(ok, answer)


def score_end(output: str | None, doc: dict) -> Verdict:
    """AIME 2024: plain match() on the whole output (no think stripping): it must end with the
    target after punctuation is stripped (a suffix match also counts: 1204 for 204)."""
    if not isinstance(output, str):
        return Verdict(False, None)
    answer, ok = match_end(output, doc["gold"], numeric=False)
    return Verdict(ok, answer)


# ---------------------------------------------------------------- the authors' MATH-500 rule
_FINAL_ANSWER_LINE = re.compile(r"ANSWER: (.+)$")  # no MULTILINE: only the output's last line


def score_answer_line(output: str | None, doc: dict) -> Verdict:
    """MATH-500: think pairs removed, then re.search(r"ANSWER: (.+)$") on the whole text: the
    output's final line must be `ANSWER: x` (no \\boxed fallback), compared by math equivalence
    (ours, where the authors used OpenMathInstruct's math_equal)."""
    from rpt_tasks.verify.math_answers import math_equal

    if not isinstance(output, str):
        return Verdict(False, None)
    found = _FINAL_ANSWER_LINE.search(strip_think_pairs(output))
    if not found:
        return Verdict(False, None)
    answer = found.group(1)
    return Verdict(math_equal(answer, doc["gold"]), answer)


# ---------------------------------------------------------------- Inspect's choice()
_STRICT = re.compile(r"(?i)^ANSWER\s*:\s*([A-Za-z ,]+)\s*(?:$|\n)", re.MULTILINE)
_LOOSE = re.compile(r"(?i)ANSWER\s*:\s*([A-Za-z ,]+)(?:[^\w]|\n|$)")


def score_choice_letters(output: str | None, doc: dict) -> Verdict:
    """PubMedQA, TabFact (asked as lettered choices): Inspect's parse_answers (the first line
    that is `ANSWER: <letters>`, else a looser search), every letter in it selected; correct when
    the selected set is exactly the gold letter. No think stripping."""
    if not isinstance(output, str):
        return Verdict(False, None)
    found = _STRICT.search(output) or _LOOSE.search(output)
    if not found:
        return Verdict(False, None)
    letters = {c.upper() for c in found.group(1) if c.isalpha()}
    return Verdict(letters == {doc["gold"].strip().upper()}, "".join(sorted(letters)))


# ---------------------------------------------------------------- inspect_evals' code extraction
_PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
_PLAIN_BLOCK = re.compile(r"```\n(.*?)```", re.DOTALL)


def function_body_program(completion: str, prompt: str) -> str:
    """inspect_evals' HumanEval find_code: the first ```python block, else the first ``` block,
    cut to the body after the first ':\\n    ' (extract_function_body: a block without one loses
    its first character, as theirs does); else the whole completion. No think stripping. The
    program run is the prompt (signature and docstring) followed by that."""
    matches = _PYTHON_BLOCK.findall(completion) + _PLAIN_BLOCK.findall(completion)
    answer = matches[0][matches[0].find(":\n    ") + 2:] if matches else completion
    return prompt + answer


def first_python_block_program(completion: str) -> str:
    """inspect_evals' MBPP find_code: the first ```python block, else the whole completion."""
    matches = _PYTHON_BLOCK.findall(completion)
    return matches[0] if matches else completion


_ANY_BLOCK = re.compile(r"```(?:\w+)?\n(.*?)```", re.DOTALL)


def first_block_program(completion: str) -> str:
    """inspect_evals' BigCodeBench find_code: the first of the ```python blocks, then the plain ```
    blocks (all python blocks come first), else the whole completion; no body extraction, no think
    stripping."""
    matches = _PYTHON_BLOCK.findall(completion) + _PLAIN_BLOCK.findall(completion)
    return matches[0] if matches else completion


def last_block_program(completion: str) -> str:
    r"""The authors' Codeforces (and Polyglot) extract_code_from_model, after removing closed think
    pairs: the LAST block matching ```(\w+)?\n...```, stripped; '' when there is none."""
    blocks = _ANY_BLOCK.findall(strip_think_pairs(completion))
    return blocks[-1].strip() if blocks else ""


def between_last_fences_program(completion: str) -> str:
    """LiveCodeBench's extract_code(lmstyle=None), after removing closed think pairs: the lines
    between the LAST TWO lines that contain ```; '' when fewer than two such lines."""
    lines = strip_think_pairs(completion).split("\n")
    fences = [i for i, line in enumerate(lines) if "```" in line]
    return "\n".join(lines[fences[-2] + 1:fences[-1]]) if len(fences) >= 2 else ""


_RULES = {"first_python_block": first_python_block_program, "first_block": first_block_program,
          "last_block": last_block_program, "between_last_fences": between_last_fences_program}


def code_program(prediction: str | None, tests: dict) -> str | None:
    """The program the authors' scorer would run for an output (tests["paper_extract"] names the
    rule: function_body, HumanEval's; first_python_block, MBPP's and USACO's; first_block,
    BigCodeBench's; last_block, Codeforces'; last_block_file, Polyglot's, as a project's files;
    between_last_fences, LiveCodeBench's). An empty
    extraction is no program (the authors ran it and scored 0: the same score), except Polyglot's:
    their scorer wrote the empty file and ran the tests, which pass where the tree already holds
    the solution (two C++ exercises, see paper_polyglot's notes)."""
    if not isinstance(prediction, str):
        return None
    rule = tests["paper_extract"]
    if rule == "last_block_file":  # Polyglot: the last block is the content of the first solution file
        code = last_block_program(prediction)
        return json.dumps({tests["solution_files"][0]: code or ""})
    if rule == "function_body":
        return function_body_program(prediction, tests.get("prompt") or "")
    if rule not in _RULES:
        raise ValueError(f"unknown paper code rule {rule!r}")
    return _RULES[rule](prediction) or None
