"""LegalBench under the paper's protocol: `rpt_paper_legalbench_<task>`, one task per LegalBench
task with the authors' chat prompt (paper_protocol/legalbench_prompts_chat.yml, sha256-checked)
and Inspect's match() at the end of the output; the group `rpt_paper_legalbench` weights each task
by its size, which is the authors' pooled accuracy over the concatenated rows.

Its own folder (not rpt_tasks.benchmarks.paper's) because it is 124 tasks.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from rpt_tasks.benchmarks.legalbench import LEGALBENCH_REVISION, task_name
from rpt_tasks.benchmarks.paper import DECODING, PROTOCOL_DIR, packaged_bytes, protocol
from rpt_tasks.benchmarks.spec import Benchmark, Group, Hub, Mirror

FOLDER = "paper_legalbench"
TITLE = "rpt paper-protocol LegalBench tasks"
PROMPTS_SHA256 = "aeb9f75e87afc6d11847c128f55fb1b45b8df31f2b02130cf87432361289486f"
INTRO = ("LegalBench as the paper's authors ran it (uiuc-kang-lab/deepscaler@970b58a, Inspect 0.3.93): their chat "
         "prompts (LegalBench's base prompts with `<example>` blocks, the labels, and \"Write ONLY the answer\"), "
         "the output must end with the answer (Inspect `match()`: case and surrounding punctuation ignored, no think "
         "stripping), plain accuracy pooled over every task's test rows.")
NOTES = """\
Choices (protocol.json `_meta.known_issues`):
- the authors' set is 155 tasks; 124 are here: the 31 others' prompts carry non-commercial
  licences (or none stated) and are not packaged (legalbench_prompts_omitted.json lists them);
  the pooled accuracy of `rpt_paper_legalbench` is therefore over 124 tasks;
- the set is named EXACT_MATCH_BALANCED_ACC_TASKS, but the authors scored plain pooled accuracy
  (`legalbench_accuracy_not_balanced`): so does this group (weight by size);
- their pooled order came from a Python set (`set_order_sharding`): order does not change a mean,
  and lm-eval does not shard by index, so nothing of it is reproduced;
- data: nguha/legalbench at the revision of our default LegalBench tasks; the offline mirror holds
  50 of the 124 tasks (the others load from the hub)."""
CHECKLIST = ("LegalBench (Guha et al., 2023), asked with the paper authors' chat prompts and scored with their "
             "rule (protocol.json).")
TEMPLATE = {"metadata": {"version": 1.0, "rpt_preset": "paper"}}


@lru_cache(maxsize=1)
def chat_prompts() -> dict[str, str]:
    """legalbench_prompts_chat.yml, refused if its bytes are not the packaged ones."""
    return yaml.safe_load(packaged_bytes(PROTOCOL_DIR / "legalbench_prompts_chat.yml", PROMPTS_SHA256).decode("utf-8"))


def filled_prompt(task: str, row: dict) -> str:
    """The task's chat prompt with every {{column}} replaced by str(row[column]), as the authors'
    record_to_sample does (and, like their assert, refused when a placeholder is left)."""
    prompt = chat_prompts()[task]
    for column in re.findall(r"\{\{(\w+)\}\}", prompt):
        prompt = prompt.replace("{{" + column + "}}", str(row[column]))
    if "{{" in prompt:
        raise ValueError(f"LegalBench {task}: a placeholder is left in the prompt")
    return prompt


def row_adapter(task: str):
    def legalbench_paper_row(row: dict) -> dict:
        return {"question": filled_prompt(task, row), "gold": str(row["answer"]), "id": f"{task}-{row['index']}"}
    legalbench_paper_row.rpt_source = f"row_adapter({task!r})"
    return legalbench_paper_row


def _as_asked(doc: dict) -> str:
    return doc["question"]


TASKS = tuple(t for t in protocol()["benchmarks"]["legalbench"]["dataset"]["tasks"] if t in chat_prompts())
BENCHMARKS = [Benchmark(
    name=f"paper_legalbench_{task_name(t)}", domain="knowledge", kind="paper_end",
    metric="accuracy: the output ends with the answer (Inspect match), pooled in the group",
    adapter=row_adapter(t), prompt=_as_asked, task_yaml={"generation_kwargs": DECODING},
    hub=Hub("nguha/legalbench", "test", name=t, revision=LEGALBENCH_REVISION), mirror=Mirror(f"legalbench/{t}", "test"))
    for t in TASKS]
VARIANTS = []
GROUPS = [Group("rpt_paper_legalbench", tuple(b.task for b in BENCHMARKS),
                "LegalBench under the authors' protocol: pooled accuracy (each task weighted by its size) over the "
                "124 tasks whose prompts are packaged; most load from the hub only")]
CITATIONS: dict[str, str] = {}
