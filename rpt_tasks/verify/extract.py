"""Reading the final answer (or the code, or the files) out of a model's output, the same way for
every domain.

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
    opens = sorted({m.end() - 1 for cmd in _BOX_COMMANDS for m in re.finditer(re.escape(cmd + "{"), text)},
                   reverse=True)
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


# ---------------------------------------------------------------- choices and labels

_ANSWER_IS = re.compile(r"answer\s+(?:is|would be|should be)\s*:?\s*(.+)", re.IGNORECASE)
_LEADING_LETTER = re.compile(r"^(?:\(([A-Za-z])\)|\[([A-Za-z])\]|([A-Za-z])(?=[.:,)\]]|\s|$))([.:,)\]]?)\s*(.*)$",
                             re.DOTALL)
# (B), **B** or a bare capital; a bare 'A'/'I' before a lower-case word is an article or pronoun.
_MARKED_LETTER = re.compile(r"\(([A-Z])\)|\*\*([A-Z])\*\*|(?<![\w'’-])([B-HJ-Z]|[AI](?!\s+[a-z]))(?![\w'’-])")


def answer_text(text: str | None) -> str | None:
    """The span holding the final answer: the ANSWER line, else the last 'the answer is ...',
    else the last \\boxed{}, else the last non-empty line. None without a usable body."""
    if not isinstance(text, str):
        return None
    body = strip_reasoning(text)
    if body is None:
        return None
    explicit = extract_answer(body)
    if explicit:
        return explicit
    phrases = _ANSWER_IS.findall(body)
    if phrases:
        return _clean(phrases[-1].splitlines()[0])
    lines = [line for line in body.splitlines() if line.strip()]
    return _clean(lines[-1]) if lines else None


def extract_choice(text: str | None, options: list[str]) -> str | None:
    """The chosen option's letter (A, B, ...), or None.

    Accepts 'B', '(B)', '**B**', 'b', 'B. <option text>', 'The answer is B.', or the option's
    text itself. Two different letters ('B or C') are no answer, not the first of them.
    """
    span = answer_text(text)
    if not span:
        return None
    letters = [chr(ord("A") + i) for i in range(len(options))]
    lead = _LEADING_LETTER.match(span)
    if lead:
        letter = next(g for g in lead.groups()[:3] if g)
        punctuated, rest = bool(lead.group(4)) or not lead.group(3), lead.group(5).strip()
        lone_lowercase = letter.islower() and (punctuated or not rest)
        # 'A patient ...' or 'I think ...': an article or pronoun, not a choice
        word_like = letter in "AI" and not punctuated and rest[:1].islower()
        if letter.upper() in letters and (letter.isupper() or lone_lowercase) and not word_like:
            letter = letter.upper()
            others = {m for g in _MARKED_LETTER.findall(_strip_option(rest, options[letters.index(letter)]))
                      for m in g if m and m in letters and m != letter}
            return None if others else letter
    marked = {m for g in _MARKED_LETTER.findall(span) for m in g if m and m in letters}
    if len(marked) == 1:
        return marked.pop()
    if len(marked) > 1:
        return None
    return _match_option_text(span, options, letters)


def extract_label(text: str | None, labels: list[str]) -> str | None:
    """One of `labels` (case-insensitive, whole words), or None when none or several appear."""
    span = answer_text(text)
    if not span:
        return None
    norm = _normalise(span)
    by_norm = {_normalise(label): label for label in labels}
    if norm in by_norm:
        return by_norm[norm]
    found = {label for key, label in by_norm.items()
             if key and re.search(rf"(?<!\bnot )(?<!\bno )(?<!\w){re.escape(key)}(?!\w)", norm)}
    # 'not entailed' contains 'entailed': prefer the longest label when one contains the others
    if len(found) > 1:
        longest = max(found, key=len)
        if all(_normalise(other) in _normalise(longest) for other in found):
            return longest
    return found.pop() if len(found) == 1 else None


def _normalise(text: str) -> str:
    text = re.sub(r"[*_`$\"“”]", "", text).strip().lower()
    return re.sub(r"\s+", " ", text).strip(" .!:;,")


def _strip_option(rest: str, option: str) -> str:
    return "" if _normalise(rest) == _normalise(option) else rest


def _match_option_text(span: str, options: list[str], letters: list[str]) -> str | None:
    norm = _normalise(span)
    exact = [letter for letter, option in zip(letters, options) if _normalise(option) == norm]
    if len(exact) == 1:
        return exact[0]
    inside = [letter for letter, option in zip(letters, options) if _normalise(option) and _normalise(option) in norm]
    return inside[0] if len(inside) == 1 else None


# ---------------------------------------------------------------- whole-file answers (projects)
_BLOCK = re.compile(r"^```[^\n`]*\n(.*?)^```[ \t]*$", re.M | re.S)
# Files a model may add besides the stubs (Java helper classes, a C++ header, a Rust module).
NEW_FILE = {"cpp": r"^[\w-]+\.(?:h|hpp|cpp)$", "go": r"^[\w-]+\.go$", "java": r"^src/main/java/[\w/]+\.java$",
            "javascript": r"^[\w-]+\.js$", "python": r"^[\w]+\.py$", "rust": r"^src/[\w/]+\.rs$"}
BUILD_FILES = {"CMakeLists.txt", "build.gradle", "settings.gradle", "package.json", "babel.config.js", "go.mod",
               ".npmrc", "gradlew", "gradlew.bat"}


def extract_files(prediction: str | None, spec: dict) -> dict[str, str] | None:
    """The files of a whole-file answer (Aider's "whole" format): each fenced block belongs to the
    path named on the line before it; with one solution file, an unnamed block is that file. Paths
    that are tests or build files, or lie outside the solution's folders, are ignored. `spec` names
    the language, solution_files and test_files. None when nothing is usable."""
    import os

    text = strip_reasoning(prediction) if isinstance(prediction, str) else None
    if not text:
        return None
    solutions = spec["solution_files"]
    by_name = {os.path.basename(p): p for p in solutions}
    protected = set(spec["test_files"]) | BUILD_FILES
    files: dict[str, str] = {}
    unnamed: list[str] = []
    for block in _BLOCK.finditer(text):
        before = text[:block.start()].rstrip("\n").rsplit("\n", 1)[-1]
        name = re.sub(r"^(?:#+\s*|file:\s*|path:\s*)", "", before.strip().strip("*`:# "), flags=re.I).strip("*`: ")
        path = name if name in solutions else by_name.get(os.path.basename(name))
        if path is None and name not in protected and re.match(NEW_FILE[spec["language"]], name) \
                and not re.search(r"(_test\.\w+|\.spec\.js|Test\.java)$", name):
            path = name
        if path is not None:
            files[path] = block.group(1)
        elif not re.fullmatch(r"[\w./-]+\.\w+", name):  # a block under a path we refuse is dropped
            unnamed.append(block.group(1))
    if not files and unnamed and len([s for s in solutions if s != "Cargo.toml"]) == 1:
        files[next(s for s in solutions if s != "Cargo.toml")] = unnamed[-1]
    return files or None
