"""`rpt export-upstream`: our tasks as lm-evaluation-harness task folders, ready for a pull request.

Upstream conventions: one folder per benchmark (a family with its group YAML), hub datasets by id
(with the pinned revision), `_template_yaml`, `metadata.version`, a README after upstream's
template (paper, homepage, citation, groups and tasks, checklist, changelog), and a utils.py that
carries only what its hooks call: the row adapters, prompts and verifier functions they reach,
tree-shaken from rpt_tasks (rpt_tasks.export.shake), never the whole library (at most
MAX_UTILS_LINES). Its glue is made for the folder's tasks: each task's prompt function resolved at
export time, and a doc builder with only the steps of rpt_tasks.data's loader that they take (row
filter, rows split, first row per id, labels from the golds), which builds the same docs. Repeated
samples are kept by lm-eval's own `take_first_k` filter. Math needs math-verify (lm-eval's `math`
extra), called in-process as lm-eval's math tasks do. Code tasks follow lm-eval's conventions
(`unsafe_code: true`, `--confirm_run_unsafe_code`): they run in rpt-transfer's hardened sandbox when rpt-transfer is
installed (an optional dependency, stated in the README), else through HF evaluate's `code_eval`
like lm-eval's own HumanEval (function tests only; not hardened).

Not exportable (reported, with the reason): sets without a hub copy, generated or packaged sets
(reasoning-gym and PyPI data are not lm-eval dependencies), tasks judged by toolchains or
library environments that a folder cannot carry (BigCodeBench, Aider Polyglot), and the paper
preset (one study's protocol, reproduced to measure protocol effects; its data files are packaged).

    rpt export-upstream --tasks 'rpt_gsm8k' 'rpt_legalbench*' --dest upstream/
    rpt export-upstream --pr-ready 'rpt_amc23' 'rpt_tabfact' --dest ~/lm-evaluation-harness
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import inspect
import sys
from pathlib import Path

import yaml

from rpt_tasks.benchmarks import BENCHMARKS, CITATIONS, Benchmark, family_of
from rpt_tasks.export.shake import Shaker, ShakeError
from rpt_tasks.harness.configs import render, task_config, template
from rpt_tasks.verify.math_answers import math_verify_equal

FAMILIES = ("legalbench_", "bbh_", "finben_")  # exported as one folder with a group
PAPER = ("Hu et al., \"Breaking Barriers: Do Reinforcement Post Training Gains Transfer To Unseen Domains?\" "
         "(arXiv:2506.19733)")
SCORERS = {"math": "score_math", "choice": "score_choice", "label": "score_label", "exact": "score_exact",
           "number": "score_number", "tatqa": "score_tatqa", "assignment": "score_assignment"}
# Issue 22: an upstream reviewer reads all of it. The math folders (the verifier hardening of issue 15) are the
# largest, at about 395; the shaker keeps helpers' docstrings in rpt_tasks and hooks' to their first sentence.
MAX_UTILS_LINES = 400


def folder_of(bench: Benchmark) -> str:
    for prefix in FAMILIES:
        if bench.name.startswith(prefix):
            return f"rpt_{prefix.rstrip('_')}"
    return bench.task


def _source_of(fn) -> str:
    """How a declaration's callable is written in the exported module."""
    if fn is None:
        return "None"
    if hasattr(fn, "rpt_source"):
        return fn.rpt_source
    if fn.__qualname__ == fn.__name__ and fn.__module__.startswith("rpt_tasks."):
        return fn.__name__
    raise ShakeError(f"{fn!r} has no name to export it by")


def _prompt_source(bench: Benchmark) -> str:
    """The task's prompt function, resolved now as prompt_of would at run time."""
    if bench.prompt is not None:
        return _source_of(bench.prompt)
    return "math_prompt" if bench.kind == "math" else "answer_prompt"


# what rpt_tasks.data does to hub rows beyond to_doc: the hub copy's own filter (the rows of it that are the
# benchmark's split, e.g. PubMedQA's fold-0 test PMIDs), then _docs's steps
_DOC_STEPS = ("hub_row_filter", "row_filter", "rows_from", "first_of_each_id", "labels_from_golds")


def _step_value(bench: Benchmark, step: str):
    return bench.hub.row_filter if step == "hub_row_filter" else getattr(bench, step)


def _steps(benches: list[Benchmark]) -> list[str]:
    """The steps of rpt_tasks.data._docs that some of these tasks take (the glue carries only those)."""
    unsupported = [b.name for b in benches if b.unavailable]
    if unsupported:
        raise ShakeError(f"rows left out as unavailable ({', '.join(unsupported)}) are not exported")
    return [step for step in _DOC_STEPS if any(_step_value(b, step) for b in benches)]


def _literal(bench: Benchmark, steps: list[str], **fields: str) -> str:
    """The task as the glue sees it: what its doc builder and doc_to_text read (`fields` override)."""
    adapter = bench.hub.adapter if bench.hub.adapter is not None else bench.adapter
    fields = {"name": repr(bench.name), "kind": repr(bench.kind), "answer_format": repr(bench.answer_format),
              "adapter": _source_of(adapter), "prompt": _prompt_source(bench),
              **{step: (repr if step in ("first_of_each_id", "labels_from_golds") else _source_of)(_step_value(bench, step))
                 for step in steps}, **fields}
    return "SimpleNamespace(" + ", ".join(f"{k}={v}" for k, v in fields.items()) + ")"


def why_not_exportable(bench: Benchmark) -> str | None:
    if family_of(bench.name).__name__.startswith("rpt_tasks.benchmarks.paper"):
        # one study's protocol, defects and all (issue 18), reproduced to measure what protocol choices do;
        # lm-eval has the benchmarks already, and a second variant per paper is not what upstream takes
        return "the paper preset (the authors' protocol, one study's choices); run it with rpt-transfer"
    if bench.generator or bench.loader:
        return "generated or packaged data (reasoning-gym / PyPI), which lm-eval does not depend on"
    if bench.hub is None:
        return "no copy on the Hugging Face hub"
    if bench.kind == "code" and (bench.unavailable or bench.requires):
        return "needs code the bundle does not carry (a library environment or toolchains to judge it)"
    try:
        utils_py([bench])
    except ShakeError as e:
        return f"needs code the bundle does not carry ({e})"
    return None


def _tasks_source(benches: list[Benchmark], steps: list[str]) -> dict[str, str]:
    """The glue's tasks: `benchmarks` (their definitions), `bench` (how the glue gets the task of a
    doc or dataset) and `process_docs` (each task's process_docs hook). A literal per task, or, for
    a family of many tasks made by one factory from their hub config (LegalBench), the factory
    applied to the config the hub dataset was loaded with (its `config_name`)."""
    sources = [getattr(b.adapter, "rpt_source", "") for b in benches]
    factory = sources[0].split("(")[0]
    shared = {(b.kind, b.answer_format, b.prompt, b.row_filter, b.rows_from, b.first_of_each_id, b.hub.adapter,
               b.hub.row_filter)
              for b in benches}
    prefix = benches[0].name.split("_")[0] + "_"
    if not (len(benches) > 8 and factory and len(shared) == 1 and benches[0].hub.adapter is None
            and all(s == f"{factory}({b.hub.name!r})" and b.name.startswith(prefix) for s, b in zip(sources, benches))):
        rows = "\n".join(f"    {b.name!r}: {_literal(b, steps)}," for b in benches)
        return {"benchmarks": "BENCHMARKS = {\n" + rows + "\n}",
                "bench": "BENCHMARKS[{name}]",
                "process_docs": "\n".join(f"process_docs_{b.name} = functools.partial(_exported_docs, {b.name!r})"
                                          for b in benches)}
    # labels from the golds for all when some take them: the adapters of the others declare their labels (and
    # declared labels win), which the test of the exported docs against ours checks
    family = _literal(benches[0], steps, name="name", adapter=f"{factory}(config) if config else None",
                      **({"labels_from_golds": "True"} if "labels_from_golds" in steps else {}))
    return {"benchmarks": (f"def benchmark(name, config=None):\n"
                           "    \"\"\"A task of the family, made from its hub config (without one: what its tasks "
                           "share).\"\"\"\n"
                           f"    return {family}"),
            "bench": "benchmark({name}{config})",
            "process_docs": (f"def __getattr__(name):\n"
                             f"    \"\"\"`process_docs_<benchmark>`, the process_docs hook of each task's YAML.\"\"\"\n"
                             f"    task = name.removeprefix(\"process_docs_\")\n"
                             f"    if name.startswith(\"process_docs_\") and task.startswith({prefix!r}):\n"
                             f"        return functools.partial(_exported_docs, task)\n"
                             f"    raise AttributeError(name)")}


def _docs_source(steps: list[str], bench: str) -> str:
    """`_exported_docs`: rpt_tasks.data's to_doc and _docs for hub rows, with only the steps these
    tasks take (the same docs, key for key; tests/integration/test_export.py compares them)."""
    step_code = {
        "hub_row_filter": ("    if bench.hub_row_filter:\n"
                           "        rows = [row for row in rows if bench.hub_row_filter(row)]\n"),
        "row_filter": "    if bench.row_filter:\n        rows = [row for row in rows if bench.row_filter(row)]\n",
        "rows_from": "    if bench.rows_from:\n        rows = [sub for row in rows for sub in bench.rows_from(row)]\n",
    }
    after = {
        "first_of_each_id": ("    if bench.first_of_each_id:  # repeated rows: the first of each id\n"
                             "        first = {}\n"
                             "        docs = [first.setdefault(d[\"rpt_id\"], d) for d in docs if d[\"rpt_id\"] not in first]\n"),
        "labels_from_golds": ("    if bench.labels_from_golds:\n"
                              "        labels = sorted({doc[\"gold\"] for doc in docs})\n"
                              "        for doc in docs:\n"
                              "            if \"labels\" not in doc:  # declared labels win\n"
                              "                doc.update(labels=labels, answer_format=one_of_labels(labels))\n"),
    }
    return ('def _exported_docs(name, dataset):\n'
            '    """Hub rows -> docs, exactly as rpt-transfer\'s loader builds them."""\n'
            f'    bench = {bench.format(name="name", config=", dataset.info.config_name")}\n'
            '    rows = [dict(row) for row in dataset]\n'
            + "".join(step_code[s] for s in steps if s in step_code) +
            '    docs = []\n'
            '    for i, row in enumerate(rows):\n'
            '        try:\n'
            '            doc = {k: v for k, v in bench.adapter(row).items() if v is not None}\n'
            '        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as e:\n'
            '            raise ValueError(f"{name} row {i}: unusable row: {type(e).__name__}: {e}") from None\n'
            '        if not isinstance(doc.get("question"), str) or not doc["question"].strip():\n'
            '            raise ValueError(f"{name} row {i}: empty or non-text question")\n'
            '        doc.update(gold=str(doc.get("gold", "")), rpt_id=str(doc.pop("id", i)), rpt_benchmark=name, rpt_kind=bench.kind)\n'
            '        doc.setdefault("answer_format", bench.answer_format)\n'
            '        docs.append(doc)\n'
            + "".join(after[s] for s in steps if s in after) +
            '    return datasets.Dataset.from_list(docs)')


_GLUE_HEAD = '''
import functools
import json
from types import SimpleNamespace

import datasets

from rpt_tasks.benchmarks.spec import answer_prompt, math_prompt, one_of_labels
from rpt_tasks.harness.hooks import Record, samples_of
from rpt_tasks.verify import score_assignment, score_choice, score_exact, score_label, score_math, score_number, score_tatqa
from rpt_tasks.verify.code_answers import code_program
from rpt_tasks.verify.verdict import Verdict

{docs}


SCORERS = {{{scorers}}}
{benchmarks}
{process_docs}


def doc_to_text(doc):
    return {doc_bench}.prompt(doc)


{verdicts}

def process_results(doc, results):
    """acc (avg@k over the samples) and no_answer (no extractable answer)."""
    verdicts = _verdicts(doc, results)
    return {{"acc": sum(map(float, verdicts)) / len(verdicts),
            "no_answer": sum(v.answer is None for v in verdicts) / len(verdicts)}}
'''
_VERDICTS = '''def _verdicts(doc, results):
    return [SCORERS[doc["rpt_kind"]](output, doc) for output in samples_of(results)]
'''
_VERDICTS_CODE = '''def _verdicts(doc, results):
    """Code samples come judged by the run_code filter (Records); others are judged here."""
    outputs = samples_of(results)
    if all(isinstance(r, Record) for r in outputs):
        records = [json.loads(r) for r in outputs]
        return [Verdict(r["passed"], r["program"], r["detail"]) for r in records]
    return [SCORERS[doc["rpt_kind"]](output, doc) for output in outputs]
'''
_GLUE_LABELS = '''
from rpt_tasks.harness.hooks import balanced_accuracy

AGGREGATIONS = (balanced_accuracy,)  # the YAML's aggregation of balanced_acc

def process_label_results(doc, results):
    """process_results plus LegalBench's balanced accuracy (the first sample's label)."""
    scores = process_results(doc, results)
    gold = next((label for label in doc["labels"] if label.lower() == doc["gold"].strip().lower()), doc["gold"])
    scores["balanced_acc"] = (gold, SCORERS[doc["rpt_kind"]](samples_of(results)[0], doc).answer)
    return scores
'''
_GLUE_CODE = '''

def run_code(resps, docs):
    """Filter: every sample of every doc judged at once. With rpt-transfer installed (optional), in its
    hardened sandbox (own uid, no network, limits, tests in a separate trusted judge); without it,
    in HF evaluate's code_eval, as lm-eval's own HumanEval (not hardened; function tests only)."""
    flat = [(text, doc) for texts, doc in zip(resps, docs) for text in texts]
    try:
        from rpt_tasks.verify import verify_docs  # the optional dependency: pip install rpt-transfer
    except ImportError:
        verify_docs = _code_eval
    verdicts = iter(verify_docs([t for t, _ in flat], [d for _, d in flat]))
    return [[Record(json.dumps({"output": text, "passed": v.correct, "program": v.answer, "detail": v.detail}))
             for text, v in zip(texts, verdicts)] for texts in resps]


def _code_eval(outputs, docs):
    import evaluate

    code_eval = evaluate.load("code_eval")
    verdicts = []
    for output, doc in zip(outputs, docs):
        tests = json.loads(doc["tests"])
        program = code_program(output, tests)
        if program is None:
            verdicts.append(Verdict(False, None, "no code"))
            continue
        if tests["kind"] != "function":
            raise RuntimeError("stdin/stdout tests need rpt-transfer's sandbox: pip install rpt-transfer")
        check = tests["program"] if not tests.get("entry_point") else f"candidate = {tests['entry_point']}\\n{tests['program']}"
        scores, _ = code_eval.compute(references=[check], predictions=[[program]], k=[1])
        verdicts.append(Verdict(scores["pass@1"] == 1.0, program, "code_eval"))
    return verdicts
'''
_GLUE_MATH_DOC = ('    """math-verify in-process, bounded by its own timeouts, as lm-eval\'s math tasks call it '
                  '(rpt-transfer: in a worker it can kill)."""\n')


def _glue_math() -> str:
    """The glue's `symbolic_equal`: rpt_tasks.verify.math_answers.math_verify_equal's code, renamed."""
    source = inspect.getsource(math_verify_equal)
    node = ast.parse(source).body[0]
    if not source.startswith("def math_verify_equal(") or not ast.get_docstring(node):
        raise ShakeError("math_verify_equal is not a plain function with a docstring")
    lines = source.replace("def math_verify_equal(", "def symbolic_equal(", 1).splitlines(keepends=True)
    docstring = node.body[0]
    return "\n\n" + "".join(lines[:docstring.lineno - 1]) + _GLUE_MATH_DOC + "".join(lines[docstring.end_lineno:])


_HEADER = '''"""Hooks of {tasks}, tree-shaken from rpt-transfer's rpt_tasks by `rpt export-upstream` (edit
there): the row adapters, prompts and verifiers they call. Needs lm-eval and {needs}."""

from __future__ import annotations
'''
_PRELUDE = '''import sys as _sys
import types as _types

_sys.modules.setdefault(__name__, _types.ModuleType(__name__))  # for dataclasses: lm-eval registers it only later
'''


def utils_py(benches: list[Benchmark]) -> str:
    kinds = sorted({b.kind for b in benches})
    steps = _steps(benches)
    source = _tasks_source(benches, steps)
    glue = _GLUE_HEAD.format(benchmarks=source["benchmarks"], docs=_docs_source(steps, source["bench"]),
                             process_docs=source["process_docs"],
                             doc_bench=source["bench"].format(name='doc["rpt_benchmark"]', config=""),
                             verdicts=_VERDICTS_CODE if "code" in kinds else _VERDICTS,
                             scorers=", ".join(f"{k!r}: {SCORERS[k]}" for k in kinds if k in SCORERS))
    if any(b.kind == "label" for b in benches):
        glue += _GLUE_LABELS
    if "code" in kinds:
        glue += _GLUE_CODE
    if "math" in kinds:
        glue += _glue_math()
    module = family_of(benches[0].task).__name__
    body = Shaker().shake(glue, module, prelude=_PRELUDE)
    tasks = benches[0].task if len(benches) == 1 else f"the {len(benches)} {folder_of(benches[0])} tasks"
    return _HEADER.format(tasks=tasks, needs=requirements(benches)) + "\n" + body


def requirements(benches: list[Benchmark]) -> str:
    needs = []
    if any(b.kind == "math" for b in benches):
        needs.append("math-verify (lm-eval's `math` extra)")
    if any(b.kind == "code" for b in benches):
        needs.append("code execution (`--confirm_run_unsafe_code`; rpt-transfer's sandbox if installed, else "
                     "HF evaluate's code_eval with HF_ALLOW_CODE_EVAL=1)")
    return ", ".join(needs) or "nothing else"


def task_yaml(bench: Benchmark) -> dict:
    """The exported task's YAML: our task's settings with the hub as data source."""
    family = family_of(bench.task)
    ours = {**template(family), **task_config(bench, family)}
    out = {"task": bench.task, "dataset_path": bench.hub.path}
    if bench.hub.name:
        out["dataset_name"] = bench.hub.name
    if bench.hub.revision:
        out["dataset_kwargs"] = {"revision": bench.hub.revision}
    out.update(test_split=bench.hub.split, process_docs=f"utils.process_docs_{bench.name}",
               output_type="generate_until", doc_to_text="utils.doc_to_text", doc_to_target="gold")
    if bench.kind == "code":
        out["unsafe_code"] = True
    for key in ("repeats", "filter_list", "generation_kwargs"):
        if key in ours:
            out[key] = ours[key]
    if bench.kind == "code":
        out["filter_list"] = [{"name": "none", "filter": [{"function": "custom", "filter_fn": "utils.run_code"}]}]
    elif "repeats" in out and "keep_all_samples" in str(out.get("filter_list")):  # all k samples, lm-eval's own filter
        out["filter_list"] = [{"name": "none", "filter": [{"function": "take_first_k", "k": out["repeats"]}]}]
    out["process_results"] = ours["process_results"]
    out["metric_list"] = [m for m in ours["metric_list"] if m != "truncated"]  # needs rpt eval's run
    out["metadata"] = ours["metadata"]
    return out


def readme(folder: str, benches: list[Benchmark]) -> str:
    first = benches[0]
    key = first.name.split("_")[0] if folder != first.task else first.name
    citation = CITATIONS.get(key, CITATIONS.get(first.name, "(see the dataset card on the hub)"))
    listing = "\n".join(f"- `{b.task}`: `{b.hub.path}`" + (f" ({b.hub.name})" if b.hub.name else "")
                        + f", split `{b.hub.split}`" + (f" at revision `{b.hub.revision[:12]}`" if b.hub.revision else "")
                        + f": {b.metric}" for b in benches)
    group = f"#### Groups\n\n- `{folder}`: all tasks below (acc weighted by size)\n\n" if len(benches) > 1 else ""
    code = first.kind == "code"
    return f"""# {folder}

### Paper

Task set as used in {PAPER}, to measure whether reinforcement post-training gains transfer
across domains. Original benchmark: see the citation below.

Homepage: https://huggingface.co/datasets/{first.hub.path}

### Citation

```bibtex
{citation}
```

### Groups, Tags, and Tasks

{group}#### Tasks

{listing}

Zero-shot; the prompt asks for step-by-step reasoning and a final `ANSWER:` line (math also accepts
`\\boxed{{}}`; code: one fenced Python block). A `<think>...</think>` block is dropped before the
answer is read. Metrics: `acc` (pass@1 for code), `no_answer` (no extractable answer).
Requirements: {requirements(benches)}.
{"Code runs in rpt-transfer's hardened sandbox when it is installed (own uid, no network, resource limits, tests judged in a separate process), else in HF evaluate's code_eval (not hardened)." if code else ""}

### Checklist

For adding novel benchmarks/datasets to the library:
* [x] Is the task an existing benchmark in the literature?
  * [x] Have you referenced the original paper that introduced the task?
  * [x] If yes, does the original paper provide a reference implementation? If so, have you checked against the reference implementation and documented how to run such a test?
    Scoring was checked against the dataset's reference answers (every gold answer scores 1, every other answer 0) and against rpt-transfer's own task (identical per-sample scores).

If other tasks on this dataset are already supported:
* [x] Is the "Main" variant of this task clearly denoted?
* [x] Have you provided a short sentence in a README on what each new variant adds / evaluates?
* [x] Have you noted which, if any, published evaluation setups are matched by this variant?
  Zero-shot with a final answer line, as in arXiv:2506.19733 (not the paper's verbatim prompts).

### Changelog
- version {task_yaml(first)["metadata"]["version"]}: first release (exported by rpt-transfer).
"""


def group_yaml(folder: str, tasks: list[str]) -> dict:
    return {"group": folder, "task": tasks,
            "aggregate_metric_list": [{"metric": "acc", "aggregation": "mean", "weight_by_size": True}],
            "metadata": {"version": 1.0}}


def export_upstream(patterns: list[str], dest: Path) -> tuple[list[Path], dict[str, str]]:
    """Write the folders; returns (folders written, {task: why it was skipped})."""
    selected = [b for b in BENCHMARKS.values() if any(fnmatch.fnmatch(b.task, p) for p in patterns)]
    skipped, folders = {}, {}
    for bench in selected:
        why = why_not_exportable(bench)
        if why:
            skipped[bench.task] = why
        else:
            folders.setdefault(folder_of(bench), []).append(bench)
    written = []
    for folder, benches in sorted(folders.items()):
        out = dest / folder
        out.mkdir(parents=True, exist_ok=True)
        shared = {k: v for k, v in task_yaml(benches[0]).items()
                  if all(task_yaml(b).get(k) == v for b in benches) and k not in ("task", "process_docs", "dataset_path",
                                                                                  "dataset_name", "dataset_kwargs")}
        (out / "_template_yaml").write_text(render(shared))
        for bench in benches:
            own = {k: v for k, v in task_yaml(bench).items() if k not in shared}
            (out / f"{bench.task}.yaml").write_text(render({"include": "_template_yaml", **own}))
        if len(benches) > 1:
            (out / f"{folder}.yaml").write_text(render(group_yaml(folder, [b.task for b in benches])))
        text = utils_py(benches)
        if text.count("\n") > MAX_UTILS_LINES:
            raise ShakeError(f"{folder}/utils.py would be {text.count(chr(10))} lines (limit {MAX_UTILS_LINES})")
        (out / "utils.py").write_text(text)
        (out / "README.md").write_text(readme(folder, benches))
        written.append(out)
    return written, skipped


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rpt export-upstream", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", default=None, help="task name patterns (fnmatch), e.g. 'rpt_gsm8k'")
    parser.add_argument("--pr-ready", nargs="+", default=None, metavar="TASKS",
                        help="lay the folders out under lm_eval/tasks/ of DEST (a checkout of lm-evaluation-harness)")
    parser.add_argument("--dest", required=True, help="folder to write into")
    args = parser.parse_args(argv)
    patterns = args.pr_ready or args.tasks or ["rpt_*"]
    dest = Path(args.dest) / "lm_eval" / "tasks" if args.pr_ready else Path(args.dest)
    written, skipped = export_upstream(patterns, dest)
    for folder in written:
        print(f"wrote {folder}")
    for task, why in sorted(skipped.items()):
        print(f"skipped {task}: {why}")
    if args.pr_ready and written:
        benches = [BENCHMARKS[p.stem.removeprefix("rpt_")] for folder in written for p in folder.glob("rpt_*.yaml")
                   if p.stem.removeprefix("rpt_") in BENCHMARKS]
        print(f"\nrequirements: lm-eval and {requirements(benches)}")
        extras = "dev,math" if any(b.kind == "math" for b in benches) else "dev"
        names = ",".join(sorted(b.task for b in benches))
        print("upstream's checks, from the lm-evaluation-harness checkout:\n"
              f"  pip install -e '.[{extras}]'\n"
              f"  lm-eval validate --tasks {names}\n"
              "  python -m pytest tests/test_tasks.py  (its CI runs this for the tasks a PR changes)")
    if not written and not skipped:
        print(f"rpt export-upstream: no task matches {' '.join(patterns)} (`rpt tasks` lists them)", file=sys.stderr)
    return 0 if written else 1
