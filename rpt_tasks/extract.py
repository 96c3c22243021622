"""Reading the final answer out of a model's output, the same way for every domain.

Order of preference (the paper's protocol): drop the reasoning block, then take the last
``ANSWER: ...`` line, then the last ``\\boxed{...}``, then (math only) the last number.
Everything here is linear-time and non-recursive, because model output can be hostile
(a megabyte of text, ten thousand nested braces) and extraction runs before any timeout.
"""

from __future__ import annotations

import re

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

_ANSWER_LINE = re.compile(r"^[ \t>*_#-]*(?:the[ \t]+)?(?:final[ \t]+)?answer[ \t*_]*[:：][ \t]*(.*?)[ \t]*$",
                          re.IGNORECASE | re.MULTILINE)
_BOX_COMMANDS = ("\\boxed", "\\fbox")
# Numbers as people write them: -1,234.5 or 3/4. No nested quantifiers, so no backtracking blow-up.
_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:/\d+)?|-?\.\d+")


def strip_reasoning(text: str) -> str | None:
    """Return the part of ``text`` after the reasoning block.

    An opened but unclosed ``<think>`` means the model never reached its answer: None.
    A lone ``</think>`` happens when the chat template already opened the block in the prompt.
    """
    close = text.rfind(THINK_CLOSE)
    if close >= 0:
        return text[close + len(THINK_CLOSE):]
    if THINK_OPEN in text:
        return None
    return text


def last_boxed(text: str) -> str | None:
    """Content of the last complete ``\\boxed{...}`` (or ``\\fbox{...}``), nested braces allowed."""
    opens = sorted({at + len(cmd) for cmd in _BOX_COMMANDS for at in _find_all(text, cmd + "{")}, reverse=True)
    if not opens:
        return None
    closing = _matching_braces(text)
    for open_at in opens:
        close_at = closing.get(open_at)
        if close_at is not None:
            return text[open_at + 1:close_at].strip()
    return None


def last_number(text: str) -> str | None:
    last = None
    for last in _NUMBER.finditer(text):
        pass
    return last.group(0) if last else None


def extract_answer(text: str | None, *, allow_last_number: bool = False) -> str | None:
    """The final answer in a model output, or None when there is none.

    ``allow_last_number`` is for math, where a bare trailing number is a reasonable reading;
    for choices and labels it would turn noise into answers.
    """
    if not isinstance(text, str):
        return None
    body = strip_reasoning(text)
    if body is None:
        return None
    lines = _ANSWER_LINE.findall(body)
    lines = [line for line in lines if _clean(line)]
    if lines:
        answer = _clean(lines[-1])
        return last_boxed(answer) or answer
    boxed = last_boxed(body)
    if boxed:
        return boxed
    if allow_last_number:
        return last_number(body)
    return None


def _clean(answer: str) -> str:
    """Strip markdown emphasis, math delimiters and a closing period, in any nesting order."""
    previous = None
    while answer != previous:
        previous = answer
        answer = answer.strip().strip("*_`").rstrip(".").strip()
        if len(answer) > 1 and answer.startswith("$") and answer.endswith("$"):
            answer = answer.strip("$")
        if answer.startswith("\\(") and answer.endswith("\\)"):
            answer = answer[2:-2]
    return answer


def _find_all(text: str, needle: str):
    at = text.find(needle)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1)


def _matching_braces(text: str) -> dict[int, int]:
    """Position of each '{' -> its matching '}', in one pass (a per-box scan is quadratic)."""
    stack: list[int] = []
    closing: dict[int, int] = {}
    for m in re.finditer(r"[{}]", text):
        if m.group() == "{":
            stack.append(m.start())
        elif stack:
            closing[stack.pop()] = m.start()
    return closing


_FENCE = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^[ \t]*```[ \t]*$", re.DOTALL | re.MULTILINE)


def extract_code(text: str | None) -> str | None:
    """The last complete fenced code block after the reasoning block (python or untagged
    preferred over other languages), or None. An unterminated block (a truncated output) is
    not code we can trust to be whole."""
    if not isinstance(text, str):
        return None
    body = strip_reasoning(text)
    if body is None:
        return None
    blocks = [(lang.lower(), code) for lang, code in _FENCE.findall(body)]
    python = [code for lang, code in blocks if lang in ("", "python", "py", "python3")]
    chosen = python or [code for _, code in blocks]
    return chosen[-1] if chosen and chosen[-1].strip() else None
