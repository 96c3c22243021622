"""Reading lm-eval output folders (written with --log_samples, by `rpt eval` or `lm_eval`): per task,
its version and each document's per-sample score of one metric (`acc` by default, any lm-eval
task), and which model it was (to refuse comparing runs of different base models)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path


class CompareError(ValueError):
    """Inputs that cannot be compared; the message says which and why."""


@dataclass
class Run:
    """One lm-eval output folder: per task, the version and each document's per-sample score."""

    name: str
    folder: Path
    versions: dict[str, str]
    scores: dict[str, dict[str, float]]  # task -> doc id -> score (a fraction for avg@k tasks)
    trained_domains: list[str]
    metric: str = "acc"
    model_id: str = ""  # what was evaluated: a model folder's sha256 or name (+ the adapter's)
    base_model: str = ""  # "hash|name": the base an adapter was trained from; for a plain model, itself
    notes: list[str] = field(default_factory=list)
    subset: dict | None = None  # rpt eval --subset's record (rpt budget's plan: sha256, look, planned MDE)
    adapter_dir: Path | None = None  # the evaluated adapter's folder, where it has rpt_adapter.json


def load_run(folder: str | Path, name: str | None = None, trained_domains: list[str] | None = None,
             metric: str = "acc") -> Run:
    folder = Path(folder)
    if not folder.is_dir():
        raise CompareError(f"{folder}: no such folder (give the --output_path of an lm-eval or rpt eval run)")
    results = sorted(folder.rglob("results_*.json"))
    if not results:
        raise CompareError(f"{folder}: no results_*.json (is this an lm-eval --output_path folder?)")
    versions, scores, chosen, notes = {}, {}, {}, []
    model_args, meta, subset = {}, {}, None
    for path in sorted(results, key=lambda p: p.stem):  # run ids are timestamps: the newest last
        data = _read_json(path)
        run_id = path.stem.removeprefix("results_")
        for task, config in (data.get("configs") or {}).items():
            if task in chosen:
                notes.append(f"{folder}: {task} is in several runs; using the newest ({path.name}, not "
                             f"{chosen[task].name})")
            samples = list(path.parent.glob(f"samples_{task}_{run_id}.jsonl"))
            if not samples:
                raise CompareError(f"{path}: no samples for {task}: evaluate with --log_samples")
            scores[task] = _doc_scores(samples[0], task, metric)
            versions[task] = str((data.get("versions") or {}).get(task))
            chosen[task] = path
            meta = (config or {}).get("metadata") or meta
            if meta.get("rpt_subset"):
                subset = meta["rpt_subset"]
        model_args = (data.get("config") or {}).get("model_args") or model_args
    args = model_args if isinstance(model_args, dict) else _parse_model_args(str(model_args or ""))
    domains = trained_domains if trained_domains is not None else _trained_domains(folder, args)
    model_id, base_model = _identity(folder, args, meta)
    adapter = next((c.parent for c in [folder / "rpt_adapter.json"] + ([Path(args["peft"]) / "rpt_adapter.json"]
                                                                        if args.get("peft") else []) if c.is_file()), None)
    return Run(name or folder.name, folder, versions, scores, domains, metric, model_id, base_model, notes, subset,
               adapter)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise CompareError(f"{path}: not valid JSON ({e}); a truncated or damaged results file") from None
    if not isinstance(data, dict):
        raise CompareError(f"{path}: expected a JSON object")
    return data


def _doc_scores(path: Path, task: str, metric: str) -> dict[str, float]:
    out: dict[str, float] = {}
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                sample = json.loads(line)
            except ValueError:
                raise CompareError(f"{path}:{lineno}: not valid JSON (a truncated samples file?)") from None
            doc = sample.get("doc") or {}
            key = str(doc.get("rpt_id", sample.get("doc_id")))
            if metric not in sample:
                found = sorted(k for k, v in sample.items() if isinstance(v, (int, float)) and k not in ("doc_id",))
                raise CompareError(f"{path}:{lineno}: samples of {task} have no per-sample {metric!r} "
                                   f"(numeric fields: {found}); choose one with --metric")
            value = sample[metric]
            try:
                value = float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError, IndexError):
                raise CompareError(f"{path}:{lineno}: {metric} = {sample[metric]!r} is not a number") from None
            if not math.isfinite(value) or not 0.0 <= value <= 1.0:
                raise CompareError(f"{path}:{lineno}: {metric} = {value!r} is outside [0, 1] (a per-sample score "
                                   "of a 0/1 or avg@k metric)")
            if key in out:
                raise CompareError(f"{path}:{lineno}: document {key} appears twice")
            out[key] = value
    return out


def _identity(folder: Path, args: dict, meta: dict) -> tuple[str, str]:
    """(what was evaluated, the base model it stands for). Hashes recorded by `rpt eval` win over
    names; an adapter's base comes from its rpt_adapter.json."""
    model = str(meta.get("rpt_model_sha256") or args.get("pretrained") or "")
    adapter = str(meta.get("rpt_adapter_sha256") or args.get("peft") or "")
    model_id = model + (f"+{adapter}" if adapter else "")
    card = _adapter_card(folder, args)
    if card:  # an adapter: the base it was trained from, as hash and name
        recorded = card.get("base_model") or {}
        return model_id, f"{recorded.get('folder_sha256') or ''}|{recorded.get('name_or_path') or ''}"
    return model_id, f"{model}|" if adapter == "" and len(model) == 64 else f"|{model}"


def same_base(base_run: Run, model_run: Run) -> bool | None:
    """Whether `model_run`'s base is `base_run`'s model: by hash where both have one, else by name;
    None when it cannot be told (a full fine-tune, whose base no results file records)."""
    if not model_run.base_model.strip("|") or "+" in base_run.model_id:
        return None
    mine_hash, _, mine_name = model_run.base_model.partition("|")
    theirs_hash, _, theirs_name = base_run.base_model.partition("|")
    if mine_hash and theirs_hash:
        return mine_hash == theirs_hash
    if mine_name and theirs_name:
        return Path(mine_name).name == Path(theirs_name).name or mine_name == theirs_name
    return None


def _adapter_card(folder: Path, args: dict) -> dict | None:
    candidates = [folder / "rpt_adapter.json"]
    if args.get("peft"):
        candidates.append(Path(args["peft"]) / "rpt_adapter.json")
    for card in candidates:
        if card.is_file():
            return json.loads(card.read_text())
    return None


def _trained_domains(folder: Path, args: dict) -> list[str]:
    """From the adapter's rpt_adapter.json (the folder itself, or the peft= path in model_args)."""
    card = _adapter_card(folder, args)
    return list(card["trained_domains"]) if card else []


def _parse_model_args(text: str) -> dict:
    return dict(part.split("=", 1) for part in text.split(",") if "=" in part)
