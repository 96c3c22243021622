"""Rows from the Hugging Face hub: at a pinned revision, through the real `datasets.load_dataset`,
and every failure a DataError that names the dataset, config, split and revision and says what
to do (log in for a gated set, the mirror when offline, the configs that exist).

A repository that still ships a loading script (which `datasets` >= 4 refuses to run) is read
from its own data files at the pinned commit (`Hub.data_files`), with the builder of their format.

`RPT_HUB_REPLICAS` (tests): a folder holding local copies of hub repositories in their real file
layout (`<owner>/<name>/...`); the same calls then read the copy instead of the hub.
"""

from __future__ import annotations

import os
from pathlib import Path

from rpt_tasks.benchmarks.spec import Hub

REPLICAS_ENV = "RPT_HUB_REPLICAS"
SCRIPTS_REFUSED = "Dataset scripts are no longer supported"


class HubError(ValueError):
    """A hub source cannot be read; the message says what to do. (rpt_tasks.data re-raises it
    as its DataError.)"""


def describe(hub: Hub, split: str) -> str:
    return (f"{hub.path} (config {hub.name or 'default'}, split {split}, revision "
            f"{hub.revision or 'main: not pinned'})")


def page(hub: Hub) -> str:
    return f"https://huggingface.co/datasets/{hub.path}"


def _replica(hub: Hub) -> Path | None:
    root = os.environ.get(REPLICAS_ENV)
    return Path(root) / hub.path if root else None


def data_file_urls(hub: Hub, split: str) -> list[str]:
    """Where the data files of a script-only repository's split are, at the pinned commit."""
    files = dict(hub.data_files).get(split)
    if not files:
        raise HubError(f"{describe(hub, split)}: no data files are declared for this split "
                       f"(declared: {', '.join(dict(hub.data_files)) or 'none'})")
    local = _replica(hub)
    if local is not None:
        return [str(local / f) for f in files]
    return [f"hf://datasets/{hub.path}@{hub.revision or 'main'}/{f}" for f in files]


def load_rows(hub: Hub, split: str, streaming: bool = False):
    """The rows of `hub`'s `split` (a datasets.Dataset, or an IterableDataset when streaming)."""
    import datasets

    try:
        if hub.data_files:
            return datasets.load_dataset(hub.builder, data_files=data_file_urls(hub, split), split="train",
                                         streaming=streaming)
        local = _replica(hub)
        if local is not None:
            return datasets.load_dataset(str(local), hub.name, split=split, streaming=streaming)
        return datasets.load_dataset(hub.path, hub.name, split=split, revision=hub.revision, streaming=streaming)
    except HubError:
        raise
    except Exception as e:  # noqa: BLE001 - every failure of the hub becomes advice, never a traceback
        raise HubError(explain(e, hub, split)) from None


def explain(error: Exception, hub: Hub, split: str) -> str:
    """What went wrong and what to do, from the exception `datasets` raised."""
    where, text = describe(hub, split), f"{type(error).__name__}: {error}"
    lowered = text.lower()
    offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false") or \
        os.environ.get("HF_DATASETS_OFFLINE", "0") not in ("0", "", "false")
    if SCRIPTS_REFUSED.lower() in lowered:
        return (f"cannot load {where}: the repository ships a loading script, which datasets >= 4 refuses to run. "
                f"Point the benchmark at the repository's data files (Hub.data_files) or use the offline mirror "
                f"(RPT_DATA_DIR).")
    if any(word in lowered for word in ("gated", "401", "403", "unauthorized", "authenticat", "access to dataset")):
        return (f"cannot load {where}: the dataset is gated. Log in (`huggingface-cli login`, or set HF_TOKEN) and "
                f"accept its terms at {page(hub)}; or use the offline mirror (RPT_DATA_DIR).")
    if "builderconfig" in lowered or "config name is missing" in lowered or "available configs" in lowered:
        return f"cannot load {where}: unknown config. {error}"
    if "unknown split" in lowered or ("split" in lowered and "should be one of" in lowered):
        return f"cannot load {where}: unknown split. {error}"
    if offline or isinstance(error, ConnectionError) or any(
            word in lowered for word in ("offline", "couldn't reach", "connection", "name resolution", "timed out")):
        return (f"cannot load {where}: the hub is not reachable{' (HF_HUB_OFFLINE is set)' if offline else ''}. "
                f"Offline, set RPT_DATA_DIR to the benchmark mirror (rpt data check lists what it holds).")
    if "doesn't exist" in lowered or "not found" in lowered or isinstance(error, FileNotFoundError):
        return (f"cannot load {where}: not found on the hub at that revision ({text}). Check {page(hub)}; "
                f"if it is gated, log in and accept its terms there.")
    return f"cannot load {where}: {text}"
