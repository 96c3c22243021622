"""`rpt export-upstream`: our tasks as lm-evaluation-harness task folders, ready for a pull request.

Upstream conventions: one folder per benchmark, hub `dataset_path`s (no offline mirror, no
custom_dataset), a README with paper, homepage, citation and checklist, `metadata.version`, and a
self-contained `utils.py`. Ours is made self-contained by bundling: the source of the modules the
hooks need (answer extraction, verifiers, sandbox, row adapters, prompts) is concatenated into
utils.py with the imports between them removed, so the exported task scores exactly as ours does
and depends only on packages lm-eval already uses (math-verify for math).

Not exportable (reported, with the reason): sets without a hub copy, reasoning-gym sets
(reasoning-gym is not an lm-eval dependency), and sets whose hub rows we have not mapped.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from pathlib import Path

import yaml

from rpt_tasks.paths import task_dir
from rpt_tasks.registry import BENCHMARKS, Benchmark

BUNDLED = ["extract", "judge", "sandbox", "verifiers", "sources", "prompts", "data", "hooks"]
FAMILIES = ("legalbench_", "bbh_", "finben_")  # exported as one folder with a group
_FN = "__rpt_function__"

CITATIONS = {
    "gsm8k": "@article{cobbe2021gsm8k, title={Training Verifiers to Solve Math Word Problems}, author={Cobbe, Karl and others}, journal={arXiv:2110.14168}, year={2021}}",
    "math500": "@article{hendrycks2021math, title={Measuring Mathematical Problem Solving With the MATH Dataset}, author={Hendrycks, Dan and others}, journal={NeurIPS}, year={2021}}",
    "humaneval": "@article{chen2021codex, title={Evaluating Large Language Models Trained on Code}, author={Chen, Mark and others}, journal={arXiv:2107.03374}, year={2021}}",
    "mbpp": "@article{austin2021program, title={Program Synthesis with Large Language Models}, author={Austin, Jacob and others}, journal={arXiv:2108.07732}, year={2021}}",
    "pubmedqa": "@inproceedings{jin2019pubmedqa, title={PubMedQA: A Dataset for Biomedical Research Question Answering}, author={Jin, Qiao and others}, booktitle={EMNLP}, year={2019}}",
    "medqa": "@article{jin2021disease, title={What Disease does this Patient Have?}, author={Jin, Di and others}, journal={Applied Sciences}, year={2021}}",
    "tabfact": "@inproceedings{chen2020tabfact, title={TabFact: A Large-scale Dataset for Table-based Fact Verification}, author={Chen, Wenhu and others}, booktitle={ICLR}, year={2020}}",
    "legalbench": "@article{guha2023legalbench, title={LegalBench: A Collaboratively Built Benchmark for Measuring Legal Reasoning in Large Language Models}, author={Guha, Neel and others}, journal={arXiv:2308.11462}, year={2023}}",
    "bbh": "@article{suzgun2022challenging, title={Challenging BIG-Bench Tasks and Whether Chain-of-Thought Can Solve Them}, author={Suzgun, Mirac and others}, journal={arXiv:2210.09261}, year={2022}}",
    "gpqa_diamond": "@article{rein2023gpqa, title={GPQA: A Graduate-Level Google-Proof Q&A Benchmark}, author={Rein, David and others}, journal={arXiv:2311.12022}, year={2023}}",
    "arc_challenge": "@article{clark2018think, title={Think you have Solved Question Answering? Try ARC}, author={Clark, Peter and others}, journal={arXiv:1803.05457}, year={2018}}",
    "folio": "@article{han2022folio, title={FOLIO: Natural Language Reasoning with First-Order Logic}, author={Han, Simeng and others}, journal={arXiv:2209.00840}, year={2022}}",
}
PAPER = ("Hu et al., \"Breaking Barriers: Do Reinforcement Post Training Gains Transfer To Unseen Domains?\" "
         "(arXiv:2506.19733)")


def exportable(bench: Benchmark) -> str | None:
    """None when the benchmark can be exported, else why not."""
    if bench.generator or bench.loader:
        return "generated or packaged data (reasoning-gym / PyPI), which lm-eval does not depend on"
    if bench.hub_path is None:
        return "no copy on the Hugging Face hub"
    try:
        _bench_literal(bench)
    except ValueError as e:  # e.g. BigCodeBench: its runner and library environment are not bundled
        return f"needs code the bundle does not carry ({e})"
    return None


def family(name: str) -> str:
    for prefix in FAMILIES:
        if name.startswith(prefix):
            return prefix.rstrip("_")
    return name


def bundle_source() -> str:
    """The modules' source, concatenated, with imports between them removed."""
    root = Path(__file__).resolve().parent
    parts = []
    for module in BUNDLED:
        text = (root / f"{module}.py").read_text()
        text = text.replace("from __future__ import annotations\n", "")
        text = re.sub(r"^(\s*)from rpt_tasks\.\w+ import [^\n(]+\n", lambda m: f"{m.group(1)}pass\n" if m.group(1) else "",
                      text, flags=re.M)
        parts.append(f"# {'=' * 70}\n# rpt_tasks/{module}.py\n# {'=' * 70}\n{text}")
    return "\n\n".join(parts)


def _ref(fn, bench: Benchmark) -> str:
    if fn is None:
        return "None"
    if bench.name.startswith("legalbench_") and fn.__name__ == "build":
        return f"legalbench_row({bench.hub_name!r})"
    if fn.__module__ == "rpt_tasks.sources":
        return fn.__name__
    raise ValueError(f"{bench.name}: cannot export {fn!r}")


def _bench_literal(bench: Benchmark) -> str:
    """The benchmark as source: plain fields by value, functions by their bundled name."""
    args = []
    for f in dataclasses.fields(bench):
        value = getattr(bench, f.name)
        args.append(f"{f.name}={_ref(value, bench) if callable(value) else repr(value)}")
    return f"SimpleNamespace({', '.join(args)})"


def utils_py(benches: list[Benchmark]) -> str:
    header = ('"""Hooks of the exported rpt tasks: self-contained (bundled from rpt-transfer\'s rpt_tasks),\n'
              'so this folder needs only lm-eval and its dependencies (math-verify for math answers)."""\n\n'
              "from __future__ import annotations\n\nimport sys as _sys\nimport types as _types\n"
              "from types import SimpleNamespace\n\n"
              "# lm-eval registers this module only after running it; dataclasses look their module up while\n"
              "# it runs, so stand in for it until then.\n"
              "_sys.modules.setdefault(__name__, _types.ModuleType(__name__))\n\n")
    tail = ["", "", "# " + "=" * 70, "# exported tasks", "# " + "=" * 70,
            "BENCHMARKS = {"]
    tail += [f"    {b.name!r}: {_bench_literal(b)}," for b in benches]
    tail += ["}", "", "",
             "def get_benchmark(name):  # noqa: F811 - the exported tasks only",
             '    return BENCHMARKS[name.removeprefix("rpt_")]', "", "",
             "def _process_docs(name, dataset):",
             "    import datasets",
             "",
             "    bench = BENCHMARKS[name]",
             '    rows = [(f"{bench.hub_path}[{bench.hub_split}] row {i}", dict(row)) for i, row in enumerate(dataset)]',
             "    return datasets.Dataset.from_list(_docs(bench, rows))", "", "",
             "def process_results(doc, results):",
             '    """acc and no_answer (the `truncated` metric of rpt eval needs its run metadata)."""',
             "    scores = process_answer(doc, results)",
             '    scores.pop("truncated")',
             "    return scores", "", "",
             "def process_code_results(doc, results):",
             "    scores = process_code(doc, results)",
             '    scores.pop("truncated")',
             "    return scores"]
    for b in benches:
        tail += ["", "", f"def process_docs_{b.name}(dataset):", f"    return _process_docs({b.name!r}, dataset)"]
    return header + bundle_source() + "\n".join(tail) + "\n"


def _our_config(task: str) -> dict:
    from lm_eval.tasks._yaml_loader import load_yaml

    path = next(p for p in task_dir().rglob(f"{task}.yaml"))
    return load_yaml(path, resolve_func=False, recursive=True)


def task_yaml(bench: Benchmark, task: str) -> str:
    cfg = _our_config(task)
    code = bench.verifier == "code"
    out = {"task": task, "dataset_path": bench.hub_path}
    if bench.hub_name:
        out["dataset_name"] = bench.hub_name
    out.update(test_split=bench.hub_split, process_docs=f"{_FN}utils.process_docs_{bench.name}",
               output_type="generate_until", doc_to_text=f"{_FN}utils.doc_to_text", doc_to_target="gold")
    if code:
        out["unsafe_code"] = True
    for key in ("repeats", "generation_kwargs"):
        if key in cfg:
            out[key] = cfg[key]
    if code or cfg.get("repeats", 1) > 1:
        out["filter_list"] = [{"name": "none", "filter": [{"function": "custom", "filter_fn":
                                                           f"{_FN}utils.{'run_code' if code else 'keep_all_samples'}"}]}]
    out["process_results"] = f"{_FN}utils.{'process_code_results' if code else 'process_results'}"
    out["metric_list"] = [m for m in cfg["metric_list"] if m["metric"] != "truncated"]
    out["metadata"] = {"version": cfg.get("metadata", {}).get("version", 1.0)}
    text = yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=120)
    return re.sub(rf"'?{_FN}([\w.]+)'?", r"!function \1", text)


def readme(folder: str, benches: list[Benchmark], tasks: list[str]) -> str:
    first = benches[0]
    key = family(first.name)
    citation = CITATIONS.get(key, CITATIONS.get(first.name, "(see the dataset card on the hub)"))
    listing = "\n".join(f"- `{t}`: {b.hub_path}" + (f" ({b.hub_name})" if b.hub_name else "") + f", split `{b.hub_split}`"
                        f" — {b.metric}" for t, b in zip(tasks, benches))
    return f"""# {folder}

### Paper

Task set as used in {PAPER}, to measure whether reinforcement post-training gains transfer
across domains. Original benchmark: see the citation below.

Homepage: https://huggingface.co/datasets/{first.hub_path}

### Citation

```bibtex
{citation}
```

### Groups and Tasks

{listing}

Zero-shot; the prompt asks for step-by-step reasoning and a final `ANSWER:` line (math also accepts
`\\boxed{{}}`; code: one fenced Python block). A `<think>...</think>` block is dropped before the
answer is read. Metrics: `acc` (pass@1 for code), `no_answer` (no extractable answer).
{"Code runs in a sandbox (own uid, no network, resource limits; tests judged in a separate process): pass `--confirm_run_unsafe_code`." if first.verifier == "code" else ""}

### Checklist

For adding novel benchmarks/datasets to the library:
* [x] Is the task an existing benchmark in the literature?
  * [x] Have you referenced the original paper that introduced the task?
  * [x] If yes, does the original paper provide a reference implementation? If so, have you checked against the reference implementation and documented how to run such a test?
    Scoring was checked against the reference answers of the dataset (every gold answer scores 1, every other answer 0).

If other tasks on this dataset are already supported:
* [x] Is the "Main" variant of this task clearly denoted?
* [x] Have you provided a short sentence in a README on what each new variant adds / evaluates?
* [x] Have you noted which, if any, published evaluation setups are matched by this variant?
  Zero-shot with a final answer line, as in arXiv:2506.19733.

### Changelog
- version 1.0: first release (exported by rpt-transfer).
"""


def export_upstream(patterns: list[str], dest: Path) -> tuple[list[Path], dict[str, str]]:
    """Write the folders; returns (folders written, {task: why it was skipped})."""
    selected = [b for b in BENCHMARKS.values() if any(fnmatch.fnmatch(b.task, p) for p in patterns)]
    skipped, groups = {}, {}
    for bench in selected:
        why = exportable(bench)
        if why:
            skipped[bench.task] = why
        else:
            groups.setdefault(f"rpt_{family(bench.name)}", []).append(bench)
    written = []
    for folder, benches in sorted(groups.items()):
        out = dest / folder
        out.mkdir(parents=True, exist_ok=True)
        tasks = [b.task for b in benches]
        for bench in benches:
            (out / f"{bench.task}.yaml").write_text(task_yaml(bench, bench.task))
        if len(benches) > 1 or folder != benches[0].task:
            members = "\n".join(f"  - {t}" for t in tasks)
            (out / f"{folder}.yaml").write_text(
                f"group: {folder}\ntask:\n{members}\naggregate_metric_list:\n  - metric: acc\n    aggregation: mean\n"
                "    weight_by_size: true\nmetadata:\n  version: 1.0\n")
        (out / "utils.py").write_text(utils_py(benches))
        (out / "README.md").write_text(readme(folder, benches, tasks))
        written.append(out)
    return written, skipped
