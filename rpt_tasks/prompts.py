"""The prompt of every task, one function for evaluation (lm-eval's doc_to_text hook) and for
training (the GRPO dataset's prompt column), so a model is trained on exactly the format it is
evaluated with. Zero-shot, as in the paper: reasoning first, then a final `ANSWER:` line (math
also accepts \\boxed{}), or a fenced code block for code.
"""

from __future__ import annotations

import json

MATH = ("{question}\n\nPlease reason step by step, and finish with a last line of the form "
        "\"ANSWER: <your final answer>\" (a final \\boxed{{}} answer is also accepted).")
ANSWER = "{question}\n\nThink step by step, then finish with a last line of the form \"ANSWER: {answer_format}\"."
CODE = {
    "humaneval": ("Complete the following Python function. Give the whole function, with any imports it needs, "
                  "in a single ```python code block.\n\n```python\n{question}```"),
    "mbpp": ("You are an expert Python programmer, and here is your task: {question}\n\n"
             "Give your solution in a single ```python code block."),
    "class": ("Solve the following programming problem in Python 3. Give the complete solution, including the "
              "class and method signature given, in a single ```python code block.\n\n{question}"),
    "instruct": "{question}\n\nGive the complete code in a single ```python code block.",
    "stdio": ("Solve the following competitive programming problem in Python 3. Your program must read from "
              "standard input and write to standard output. Give the complete program in a single ```python "
              "code block.\n\n{question}"),
}
_CODE_STYLE = {"humaneval": "humaneval", "mini_humaneval": "humaneval", "mbpp": "mbpp", "mbpp_full": "mbpp", "leetcode": "class",
               "livecodebench": "class", "codeforces": "stdio", "usaco": "stdio", "bigcodebench": "humaneval",
               "bigcodebench_instruct": "instruct"}


def prompt_for(doc: dict) -> str:
    """The user message for a canonical doc (see rpt_tasks.data)."""
    from rpt_tasks.registry import get_benchmark

    bench = get_benchmark(doc["rpt_benchmark"])
    if bench.verifier == "math":
        return MATH.format(question=doc["question"])
    if bench.verifier == "code":
        style = _CODE_STYLE.get(bench.name, "class")
        kind = json.loads(doc["tests"])["kind"]
        if kind == "project":  # the question is the whole prompt (rpt_tasks.polyglot)
            return doc["question"]
        if kind == "stdio":
            style = "stdio"
        return CODE[style].format(question=doc["question"])
    return ANSWER.format(question=doc["question"], answer_format=doc.get("answer_format") or bench.answer_format)
