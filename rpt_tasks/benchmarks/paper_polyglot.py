"""Aider Polyglot under the paper's protocol: `rpt_paper_aider_polyglot_<language>`, one task per
language over the authors' 225 exercises, the group `rpt_paper_aider_polyglot` weighting each by
its size (their pooled fully_passed_rate).

The prompt is their pre-rendered CSV row, verbatim (paper_protocol/polyglot_problem_data.csv,
sha256-checked); one attempt; the last fenced block (their regex) is written to the exercise's
first solution file, and the exercise's own tests run in our sandbox with the language's runner
(rpt_tasks.benchmarks.polyglot). Its own folder (not rpt_tasks.benchmarks.paper's) because it
needs the polyglot exercises and toolchains.
"""

from __future__ import annotations

import csv
import functools
import io
import json

from rpt_tasks.benchmarks.paper import PROTOCOL_DIR, packaged_bytes, paper_benchmark
from rpt_tasks.benchmarks.polyglot import exercise_tests, in_language, unavailable
from rpt_tasks.benchmarks.spec import Group, Mirror
from rpt_tasks.sandbox.runners import LANGUAGES, toolchain_problem

FOLDER = "paper_aider_polyglot"
TITLE = "rpt paper-protocol Aider Polyglot tasks"
PROBLEM_DATA_SHA256 = "933a6b711c59b6e9632a48fc0d0eb16eeb758a403fb21a8111aeeaa08022240c"  # protocol.json's
INTRO = ("Aider Polyglot as the paper's authors ran it (uiuc-kang-lab/deepscaler@970b58a, Inspect 0.3.93): their "
         "pre-rendered prompt per exercise, one attempt, the last fenced block written to the first solution file, "
         "fully_passed_rate pooled over the 225 exercises.")
NOTES = """\
What is reproduced: the prompt (their `problem_data.csv`, packaged byte for byte: instructions,
the file to finish, and their addendum, which says `Write polyglot-benchmark/<language> code` and
shows that fence: `polyglot_language_placeholder`); the extraction (closed think pairs removed,
the LAST block matching ```` ```(?:\\w+)?\\n(.*?)``` ````, stripped: a block fenced as the prompt asks
does not match that regex, also as theirs); only the first solution file is written (C++: the
header is the exercise's example header, which their script copied into the tree and showed in
the prompt); one attempt; each language's tests as their commands ran them (JavaScript's `xtest`
enabled, Rust `--include-ignored`, C++ `EXERCISM_RUN_ALL_TESTS`, Java's `@Disabled` tests left
skipped as `gradlew test` leaves them: a Java answer must pass the tests Exercism enables, one
for most exercises and none for `ledger`); decoding as the rest of the preset.

Choices (protocol.json `_meta.known_issues`):
- `polyglot_python_path`: their pytest got a path that does not exist from the exercise folder,
  so every Python exercise scored 0; not reproduced: Python's tests run;
- `polyglot_pass_ratio`: their `average_pass_ratio` counts the strings PASSED/FAILED in the
  output, which most runners never print; not reported. `acc` is their fully_passed_rate (the
  tests' verdict), judged by our hardened runner (the expected tests must pass by count, and by
  name for Go and Java) rather than by the exit status alone;
- not in known_issues, found here: for four C++ exercises (`binary-search-tree`,
  `circular-buffer`, `linked-list`, `meetup`) the example header their script copied over the
  stub is the whole solution (templates or inline code, no example .cpp of substance), and their
  scorer wrote the last block (empty when there is none) and ran the tests: any answer that
  compiles, or no code at all, passes. Reproduced, as the number in their table (4 of 225, 4 of
  26 in C++); `rpt_aider_polyglot_cpp` keeps the stub headers and judges them;
- their runner allowed 60 s per exercise; ours the sandbox's project limits (compilation on CPU);
- the exercise files are the offline mirror's (the same 225, checked against the CSV); a language
  whose toolchain is missing is skipped by `rpt eval` and reported, and exercises that need
  crates.io or Maven packages offline are left out (`rpt_left_out.json`), as in `rpt_aider_polyglot`."""
CHECKLIST = ("Aider Polyglot (Gauthier, 2024), asked with the paper authors' pre-rendered prompts and scored with "
             "their extraction (protocol.json), tests run by each language's own runner in rpt-transfer's sandbox.")
TEMPLATE = {"metadata": {"version": 1.0, "rpt_preset": "paper"}}


@functools.lru_cache(maxsize=1)
def problem_data() -> dict[tuple[str, str], dict]:
    """The authors' problem_data.csv by (language, exercise folder), refused if its bytes are not
    the packaged ones."""
    data = packaged_bytes(PROTOCOL_DIR / "polyglot_problem_data.csv", PROBLEM_DATA_SHA256)
    rows = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    return {(row["language"], row["folder"]): row for row in rows}


def polyglot_paper_row(row: dict) -> dict:
    """A mirror exercise -> the doc of the authors' task: their prompt, their solution file, and
    the tests their commands ran."""
    key = (row["language"], row["exercise"])
    authors = problem_data().get(key)
    if authors is None:
        raise KeyError(f"{'/'.join(key)} is not one of the authors' 225 exercises")
    tests = exercise_tests(row, keep_disabled=True)
    files = {f["path"]: f["content"] for f in row["files"]}
    headers = [p for p in row["solution_files"] if p.endswith(".h")]
    if row["language"] == "cpp" and headers and ".meta/example.h" in files:
        tests["files"][headers[0]] = files[".meta/example.h"]  # process_polyglot.py copied it into the tree
    tests.update(solution_files=[authors["sol_file"]], paper_extract="last_block_file")
    return {"question": authors["instructions"], "id": f"{row['exercise']}-{row['language']}",
            "tests": json.dumps(tests)}


def _as_asked(doc: dict) -> str:
    return doc["question"]


BENCHMARKS = [paper_benchmark(
    "aider_polyglot", "code", "paper_code", "fully_passed_rate: the last fenced block as the first solution file "
    "passes the exercise's tests (one attempt), pooled in the group", name=f"paper_aider_polyglot_{lang}",
    adapter=polyglot_paper_row, prompt=_as_asked, mirror=Mirror("aider_polyglot", "test"), row_filter=in_language(lang),
    unavailable=unavailable, requires=functools.partial(toolchain_problem, lang))
    for lang in LANGUAGES]
VARIANTS = []
GROUPS = [Group("rpt_paper_aider_polyglot", tuple(b.task for b in BENCHMARKS),
                "Aider Polyglot under the authors' protocol: fully_passed_rate pooled over the 225 exercises (each "
                "language weighted by its size); `rpt eval` skips languages whose toolchain is missing")]
CITATIONS: dict[str, str] = {}
