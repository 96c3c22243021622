"""The adapter's model card, README.md: what the hub shows of an adapter.

Rendered from rpt_adapter.json (the machine-readable record `rpt compare` reads): the base model as
a hub id (rpt's aliases resolved to what they stand for, a hub-cache folder to its repository and
revision), the trained domains and their data (sources, counts, decontamination), the recipe and
the library versions. `rpt compare --update-model-cards` adds the comparison's results: a table
and the hub's `model-index` metadata with the in- and out-of-domain deltas and each domain's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rpt_tasks.models import SMOLLM2

CARD_FILE = "README.md"
# The recipe's settings worth a line of the card (the whole config is in rpt_adapter.json)
RECIPE_KEYS = ("learning_rate", "lr_scheduler_type", "loss_type", "num_generations", "per_device_train_batch_size",
               "gradient_accumulation_steps", "max_completion_length", "max_steps", "num_train_epochs",
               "mask_truncated_completions", "temperature", "beta", "train_prompt", "lora_r", "lora_alpha", "lora_dropout",
               "lora_target_modules", "load_in_4bit", "seed")


def hub_base_model(requested: str, resolved: str) -> dict:
    """{"hub_id", "revision"} of the base a model name stands for (either may be None): rpt:default
    is SmolLM2-135M-Instruct, a hub-cache snapshot folder its repository at that commit, a hub id
    itself; rpt:tiny and other local folders have none."""
    if requested in ("rpt:default", "rpt:smollm2"):
        return {"hub_id": SMOLLM2, "revision": None}
    cached = re.search(r"models--([^/]+)--([^/]+)/snapshots/([0-9a-f]{40})", str(resolved))
    if cached:
        return {"hub_id": f"{cached.group(1)}/{cached.group(2)}", "revision": cached.group(3)}
    if not Path(requested).exists() and re.fullmatch(r"[\w.-]+/[\w.-]+", requested):
        return {"hub_id": requested, "revision": None}
    return {"hub_id": None, "revision": None}


def render(card: dict, name: str) -> str:
    """README.md of an adapter from its rpt_adapter.json."""
    base = card.get("base_model") or {}
    hub_id = base.get("hub_id")
    data = card.get("data") or {}
    evaluation = card.get("evaluation")
    front = {"library_name": "peft", "pipeline_tag": "text-generation",
             "tags": ["rpt-transfer", "grpo", "trl", "peft", "lora"] + [f"rpt-{d}" for d in card.get("trained_domains", [])]}
    if hub_id:
        front["base_model"] = hub_id
    sources = sorted({s for s in _sources(data)})
    if sources:
        front["datasets"] = sources
    lines = ["---", *_yaml(front)]
    if evaluation:
        lines += _yaml({"model-index": [{"name": name, "results": evaluation["model_index"]}]})
    lines += ["---", "", f"# {name}", ""]
    base_text = f"`{hub_id}`" + (f" at revision `{base['revision']}`" if base.get("revision") else "") if hub_id else \
        f"a local model (`{base.get('name_or_path')}`" + (f", sha256 `{base['folder_sha256'][:16]}`)" if base.get("folder_sha256") else ")")
    lines += [f"A {card.get('method', 'GRPO')} adapter of {base_text}, trained with reinforcement post-training on "
              f"{', '.join(card.get('trained_domains', [])) or 'unknown domains'} by "
              "rpt-transfer to study whether the gains transfer to other domains "
              "(arXiv 2506.19733).", "", "## Training", ""]
    weights = card.get("domain_weights") or {}
    lines += [f"- domains and weights: {', '.join(f'{d} {w}' for d, w in weights.items()) or 'n/a'}",
              f"- optimiser steps: {card.get('steps')}, seed {card.get('seed')}"]
    for domain, report in sorted(data.items()):
        used = report.get("used")
        parts = [f"{source.replace(':', ' (', 1)}): {r.get('loaded', 0):,} loaded, {r.get('dropped_contaminated', 0):,} "
                 "dropped as overlapping an evaluation set" for source, r in report.items() if isinstance(r, dict)]
        lines.append(f"- {domain}: {used:,} prompts used; " + "; ".join(parts) if used is not None else f"- {domain}: "
                     + "; ".join(parts))
    decontaminate = (card.get("config") or {}).get("decontaminate")
    if decontaminate is not None:
        lines.append("- decontamination: " + ("training prompts that overlap any evaluation set's documents were "
                                               "dropped (counts above)" if decontaminate else "off"))
    config = card.get("config") or {}
    recipe = {k: config[k] for k in RECIPE_KEYS if config.get(k) is not None}
    if recipe:
        lines += ["", "Recipe (the whole configuration is in `rpt_adapter.json`):", "",
                  "| setting | value |", "|---|---|", *[f"| {k} | {v} |" for k, v in recipe.items()]]
    rewards = card.get("rewards") or {}
    if rewards.get("logged_steps"):
        lines += ["", f"Reward: {_num(rewards.get('first_steps_mean'))} over the first logged steps, "
                      f"{_num(rewards.get('last_steps_mean'))} over the last ({rewards['logged_steps']} logged)."]
    truncation = card.get("truncation") or {}
    if truncation.get("last_steps_mean") is not None:
        lines += ["", f"Truncated completions (at {truncation['max_completion_length']} new tokens, "
                      f"{'masked out of the loss' if truncation['masked'] else 'scored 0, not masked'}): "
                      f"{truncation['last_steps_mean']:.0%} over the last logged steps."]
    versions = card.get("versions") or {}
    if versions:
        lines += ["", "Libraries: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "."]
    if evaluation:
        lines += ["", "## Evaluation", "", f"`rpt compare` against the base run `{evaluation['base']}` "
                  f"(metric {evaluation['metric']}, paired test: {evaluation['paired_test']}):", "",
                  "| | delta (points) | paired p | MDE (points) | documents |", "|---|---|---|---|---|"]
        for label, row in evaluation["rows"].items():
            lines.append(f"| {label} | {100 * row['delta']:+.1f}{' *' if row['significant'] else ''} | "
                         f"{row['paired_p']:.3g} | {100 * row['mde']:.1f} | {row['n']} |")
        lines += ["", "`*`: significant at p < 0.05."]
    lines += ["", "## Use", "", "```python", "from peft import AutoPeftModelForCausalLM",
              f"model = AutoPeftModelForCausalLM.from_pretrained(\"{name}\")  # the hub id, or this folder", "```", ""]
    return "\n".join(lines)


def write_card(folder: Path, card: dict | None = None) -> Path:
    """(Re)write the adapter's README.md from its rpt_adapter.json (or `card`), atomically."""
    card = card if card is not None else json.loads((folder / "rpt_adapter.json").read_text(encoding="utf-8"))
    path = folder / CARD_FILE
    partial = path.with_name(f".{CARD_FILE}.partial")
    partial.write_text(render(card, card.get("hub_model_id") or folder.name), encoding="utf-8")
    partial.replace(path)
    return path


def evaluation_record(summary: dict, model: str) -> dict:
    """The card's evaluation section from an rpt compare summary: in/out-of-domain and per-domain
    deltas, and the same as the hub's model-index results."""
    entry = summary["models"][model]
    rows = {}
    for label, row in (("in-domain", entry.get("in_domain")), ("out-of-domain", entry.get("out_of_domain")),
                       *((f"domain {d}", r) for d, r in entry["domains"].items())):
        if row:
            rows[label] = {k: row[k] for k in ("delta", "paired_p", "mde", "n", "significant")}
    model_index = [{"task": {"type": "text-generation", "name": f"RPT transfer: {label}"},
                    "dataset": {"type": "rpt-transfer", "name": label},
                    "metrics": [{"type": "accuracy_delta", "name": f"delta vs base ({summary.get('metric', 'acc')})",
                                 "value": round(row["delta"], 4)},
                                {"type": "p_value", "name": "paired p", "value": float(f"{row['paired_p']:.3g}")}]}
                   for label, row in rows.items()]
    return {"base": summary["base"], "metric": summary.get("metric", "acc"), "paired_test": summary["paired_test"],
            "rows": rows, "model_index": model_index}


def _sources(data: dict):
    """Hub ids among the training sources ("org/name:split" keys of the data report)."""
    for report in data.values():
        for source in (report if isinstance(report, dict) else {}):
            name = source.split(":", 1)[0]
            if re.fullmatch(r"[\w.-]+/[\w.-]+", name):
                yield name


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _yaml(data: dict) -> list[str]:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip("\n").split("\n")
