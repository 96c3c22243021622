"""Reading lm-eval output folders (written with --log_samples, by `rpt eval` or `lm_eval`): per task,
its version and each document's per-sample score."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class CompareError(ValueError):
    """Inputs that cannot be compared; the message says which and why."""


@dataclass
class Run:
    """One lm-eval output folder: per task, the version and each document's per-sample acc."""

    name: str
    folder: Path
    versions: dict[str, str]
    scores: dict[str, dict[str, float]]  # task -> doc id -> acc (a fraction for avg@k tasks)
    trained_domains: list[str]


def load_run(folder: str | Path, name: str | None = None, trained_domains: list[str] | None = None) -> Run:
    folder = Path(folder)
    results = sorted(folder.rglob("results_*.json"))
    if not results:
        raise CompareError(f"{folder}: no results_*.json (is this an lm-eval --output_path folder?)")
    versions, scores, model_args = {}, {}, {}
    for path in results:
        data = json.loads(path.read_text())
        model_args = data.get("config", {}).get("model_args") or model_args
        run_id = path.stem.removeprefix("results_")
        for task in data.get("configs", {}):
            if task in scores:
                raise CompareError(f"{folder}: task {task} is in several runs ({path.name} and an earlier one); "
                                   "keep one run per task in a folder")
            samples = list(path.parent.glob(f"samples_{task}_{run_id}.jsonl"))
            if not samples:
                raise CompareError(f"{folder}: no samples for {task}: evaluate with --log_samples")
            scores[task] = _doc_scores(samples[0], task)
            versions[task] = str(data.get("versions", {}).get(task))
    domains = trained_domains if trained_domains is not None else _trained_domains(folder, model_args)
    return Run(name or folder.name, folder, versions, scores, domains)


def _doc_scores(path: Path, task: str) -> dict[str, float]:
    out = {}
    for line in path.open(encoding="utf-8"):
        sample = json.loads(line)
        doc = sample.get("doc") or {}
        key = str(doc.get("rpt_id", sample["doc_id"]))
        if "acc" not in sample:
            raise CompareError(f"{path}: samples of {task} have no per-sample 'acc'")
        out[key] = float(sample["acc"])
    return out


def _trained_domains(folder: Path, model_args) -> list[str]:
    """From the adapter's rpt_adapter.json (the folder itself, or the peft= path in model_args)."""
    candidates = [folder / "rpt_adapter.json"]
    args = model_args if isinstance(model_args, dict) else _parse_model_args(str(model_args or ""))
    if args.get("peft"):
        candidates.append(Path(args["peft"]) / "rpt_adapter.json")
    for card in candidates:
        if card.is_file():
            return list(json.loads(card.read_text())["trained_domains"])
    return []


def _parse_model_args(text: str) -> dict:
    return dict(part.split("=", 1) for part in text.split(",") if "=" in part)


