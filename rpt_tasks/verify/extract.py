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

# "ANSWER: x", "Final Answer: x", "My answer: x", "Correct answer: x", '"answer": "x"' (JSON). Not
# "Wrong answers: x" nor "Answer choices: ...".
_ANSWER_LINE = re.compile(r"^[ \t>*_#\"-]*(?:(?:the|my|correct|best|right|final)[ \t]+)*answer\"?[ \t*_]*[:：]"
                          r"[ \t]*(.*?)[ \t]*$", re.IGNORECASE | re.MULTILINE)
# Minerva's closing sentence and its relatives: "The final answer is X. I hope it is correct."
_ANSWER_PHRASE = re.compile(r"(?:final\s+answer|the\s+answer)\s+(?:is|would\s+be|should\s+be)\s*:?\s*"
                            r"(.+?)\s*(?:\.\s*I\s+hope\s+it\s+is\s+correct\.?)?\s*$", re.IGNORECASE | re.MULTILINE)
_HOPE = re.compile(r"\.?\s*I\s+hope\s+it\s+is\s+correct\.?\s*$", re.IGNORECASE)
# What may stand between boxes that together are one answer: "\boxed{1}, \boxed{2} and \boxed{3}".
_BOX_SEPARATOR = re.compile(r"(?:\s|[,;$]|\\[,;!]|\\quad|\\qquad|\\text\{\s*(?:and|,)?\s*\}|\band\b|\\\]|\\\[)*")
_BOX_HEDGE = re.compile(r"\bor\b|\\text\{\s*or\s*\}")
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


def final_boxes(text: str) -> str | None:
    """The last \\boxed{} together with the boxes just before it when only separators stand
    between them (one answer in several boxes: "\\boxed{1} and \\boxed{2}" is "1, 2"). Boxes
    joined by "or" are a hedge and stay one string ("1 or 2"), which equals nothing."""
    closing = _matching_braces(text)
    spans = []
    for m in re.finditer(r"\\(?:boxed|fbox)\{", text):
        close_at = closing.get(m.end() - 1)
        if close_at is not None:
            spans.append((m.start(), m.end(), close_at))
    if not spans:
        return None
    chosen, hedged = [spans[-1]], False
    for previous in reversed(spans[:-1]):
        between = text[previous[2] + 1:chosen[0][0]]
        if _BOX_SEPARATOR.fullmatch(between):
            chosen.insert(0, previous)
        elif _BOX_HEDGE.search(between) and _BOX_SEPARATOR.fullmatch(_BOX_HEDGE.sub(" ", between)):
            chosen.insert(0, previous)
            hedged = True
        else:
            break
    parts = [text[start:close].strip() for _, start, close in chosen]
    return (" or " if hedged else ", ").join(parts)


def last_number(text: str) -> str | None:
    """The number that ends the text (trailing punctuation, quotes, markup and math delimiters
    aside), else None: a number inside the last sentence ("... in the first 15 minutes.") or
    inside a formula ("\\frac{1}{2}", "2\\sqrt{2}") is not a final answer."""
    tail = re.sub(r"[\s.,;:!?*_`'\"$)\]}>]+$|(?:\\[)\]])+\s*$", "", text)
    tail = re.sub(r"(?:\\[)\]]|[\s.,;:!?*_`'\"$}\]])+$", "", tail)
    last = None
    for last in _NUMBER.finditer(tail):
        pass
    if last is None or last.end() != len(tail):
        return None
    before = tail[:last.start()].rstrip(" ")
    if before.endswith(("{", "}", "^", "_", "\\", "/", "*")) or re.search(r"\\[A-Za-z]+$", before):
        return None
    return last.group(0)


def _math_at_end(text: str) -> str | None:
    """The content of a formula that ends the text ($...$, \\(...\\), \\[...\\]), when it holds no prose."""
    m = re.search(r"(?:\$\$?|\\\(|\\\[)([^$]{1,300}?)(?:\$\$?|\\\)|\\\])[\s.]*$", text)
    if m and not re.search(r"[A-Za-z]{4,}", re.sub(r"\\[A-Za-z]+|\\text\{[^{}]*\}", "", m.group(1))):
        return m.group(1).strip()
    return None


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
    lines = [_answer_line(line) for line in lines if _answer_line(line)]
    if lines:
        line = lines[-1]
        boxed = final_boxes(line)
        if boxed:
            return boxed
        if allow_last_number and re.search(r"[A-Za-z]{4,}", re.sub(r"\\[A-Za-z]+(?:\{[^{}]*\})?", "", line)):
            equals = re.findall(r"=\s*\$?(-?\d[\d,]*(?:\.\d+)?)", line)  # "30 hamsters + 15 = 45 rodents"
            return last_number(line) or (equals[-1] if equals else line)  # "Final Answer: The largest $n$ is 34."
        return line
    boxed = final_boxes(body)
    if boxed:
        return boxed
    phrases = [_clean(p) for p in _ANSWER_PHRASE.findall(body) if _clean(p)]
    if phrases:
        return phrases[-1]
    if allow_last_number:
        return last_number(body) or _math_at_end(body)
    return None


def _answer_line(line: str) -> str:
    """An ANSWER line's content: Minerva's "The final answer is X. I hope it is correct." is X."""
    line = _clean(_HOPE.sub("", line))
    phrase = re.match(r"(?:the\s+)?(?:final\s+)?answer\s+is\s*:?\s*(.+)$", line, re.IGNORECASE)
    return _clean(phrase.group(1)) if phrase else line


def _clean(answer: str) -> str:
    """Strip markdown emphasis, math delimiters and a closing period, in any nesting order."""
    previous = None
    while answer != previous:
        previous = answer
        answer = answer.strip().strip("*_`").rstrip(".").strip()
        if len(answer) > 1 and answer[0] == answer[-1] == '"':  # JSON: "answer": "576"
            answer = answer[1:-1]
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
    if not blocks and "```" not in body:
        return unfenced_program(body)
    return chosen[-1] if chosen and chosen[-1].strip() else None


def unfenced_program(body: str) -> str | None:
    """An answer that is a program without a fence (MBPP's references, many base models): the
    text from its first line of code on, when that parses as Python and defines a function or
    class (prose around a snippet, or a lone expression, is not a program)."""
    import ast

    lines = body.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(r"(?:def|class|import|from|@)\s*\w", line)]
    for start in starts[:1]:
        code = "".join(lines[start:]).strip("\n") + "\n"
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        if any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for node in tree.body):
            return code
    return None


# ---------------------------------------------------------------- choices and labels

_ANSWER_IS = re.compile(r"answer\s+(?:is|would be|should be)\s*:?\s*(.+)", re.IGNORECASE)
_LEADING_LETTER = re.compile(r"^(?:\(([A-Za-z])\)|\[([A-Za-z])\]|([A-Za-z])(?=[.:,)\]]|\s|$))([.:,)\]]?)\s*(.*)$",
                             re.DOTALL)
# (B), **B** or a bare capital; a bare 'A'/'I' before a lower-case word is an article or pronoun,
# unless that word joins or judges options ("A or B", "A is correct").
_JOINING_WORD = r"(?:or|and|nor|not|vs|versus|then|but|is|are|was|would|could|should|seems?|looks?|only|alone)\b"
_MARKED_LETTER = re.compile(r"\(([A-Z])\)|\*\*([A-Z])\*\*|(?<![\w'’-])([B-HJ-Z]|[AI](?!\s+(?!" + _JOINING_WORD +
                            r")[a-z]))(?![\w'’-])")
_OPTION = r"(?:options?\s+|choices?\s+)?(?:\(([A-Za-z])\)|([A-Z])(?![\w'’-]))"
# Letters the output rules out: "D, not C", "rather than C", "Wrong answers: (D)", "eliminate C".
_RULED_OUT = re.compile(r"(?:\bnot|\brather\s+than|\binstead\s+of|\bexcept|\bwrong(?:\s+answers?)?\s*:?|"
                        r"\bincorrect(?:\s+answers?)?\s*:?|\beliminat\w*|\brul\w*\s+out)\s+" + _OPTION, re.IGNORECASE)
# A letter the output commits to: "I choose D", "I'd go with B", "option A is correct".
_CHOSEN = re.compile(r"\b(?:I\s+(?:would\s+|will\s+|'d\s+|'ll\s+)?(?:choose|pick|select|go\s+with)|"
                     r"(?:correct|right|best)\s+(?:answer|option|choice)\s+(?:is|would\s+be)\s*:?)\s+" + _OPTION +
                     r"|\b(?:options?|choices?)\s+\(?([A-Z])\)?\s+is\s+(?:the\s+)?(?:correct|right|best|true)\b")


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
    # a last line of a paragraph's length is reasoning cut off or looping, not an answer
    return _clean(lines[-1]) if lines and len(lines[-1]) <= 300 else None


def extract_choice(text: str | None, options: list[str]) -> str | None:
    """The chosen option's letter (A, B, ...), or None.

    Accepts 'B', '(B)', '**B**', 'b', 'B. <option text>', 'The answer is B.', 'I choose B',
    'Option B is correct', or the option's text itself. A hedge is no answer: two different
    letters ('B or C', 'B/C'), or final answers that name different letters. Letters the output
    rules out ('D, not C', 'Wrong answers: (C)') are not chosen.
    """
    body = strip_reasoning(text) if isinstance(text, str) else None
    if body is None:
        return None
    letters = [chr(ord("A") + i) for i in range(len(options))]
    stated = set()
    for tier in _explicit_answers(body):  # the strongest kind of final answer the output gives
        stated = {_choice_in(_clean(found), options, letters) for found in tier} - {None}
        if stated:
            break
    if len(stated) > 1:  # "The answer is (A). The answer is (C)." : several final answers
        return None
    span = answer_text(body)
    letter = _choice_in(span, options, letters) if span else None
    if letter is not None and stated and letter not in stated:
        return None
    return letter


def _explicit_answers(body: str) -> list[list[str]]:
    """Final answers the output states, strongest kind first: ANSWER lines, boxes, 'the answer
    is ...' phrases. A later, stronger statement corrects an earlier phrase ('the answer is (D)',
    then more work, then 'Final Answer: F'); within one kind, different letters are a hedge."""
    closing = _matching_braces(body)
    boxes = [body[m.end():closing[m.end() - 1]] for m in re.finditer(r"\\(?:boxed|fbox)\{", body)
             if m.end() - 1 in closing]
    return [[m for m in _ANSWER_LINE.findall(body) if _clean(m)], boxes,
            [m.splitlines()[0] for m in _ANSWER_IS.findall(body)]]


def _choice_in(span: str, options: list[str], letters: list[str]) -> str | None:
    """The one letter `span` chooses, or None (none, or several)."""
    span = _RULED_OUT.sub(" ", span)
    chosen = [next(g for g in m if g) for m in _CHOSEN.findall(span)]
    chosen = [c.upper() for c in chosen if c.upper() in letters]
    if chosen:
        return chosen[-1]
    lead = _LEADING_LETTER.match(span.strip())
    if lead:
        letter = next(g for g in lead.groups()[:3] if g)
        punctuated, rest = bool(lead.group(4)) or not lead.group(3), lead.group(5).strip()
        lone_lowercase = letter.islower() and (punctuated or not rest)
        # 'A patient ...' or 'I think ...': an article or pronoun, not a choice
        word_like = letter in "AI" and not punctuated and rest[:1].islower() and not re.match(_JOINING_WORD, rest)
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
    by_norm = {_normalise(label): label for label in labels}
    body = strip_reasoning(text) or ""
    last_line = next((line for line in reversed(body.splitlines()) if line.strip()), "")
    # "Overall: yes", "yes/no/maybe: no": the value after the last colon
    for candidate in (span, span.rsplit(":", 1)[-1], last_line.rsplit(":", 1)[-1] if ":" in last_line else ""):
        if _normalise(candidate) in by_norm:
            return by_norm[_normalise(candidate)]
    norm = _normalise(span)
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
