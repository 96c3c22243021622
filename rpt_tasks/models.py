"""Model names with a meaning of their own, resolved in one place for `rpt eval` and `rpt train`:

    rpt:tiny      a tiny random Llama with an offline-trained tokenizer (tests, smoke runs)

Anything else (a hub id or a local folder) is passed through unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    return Path(os.environ.get("RPT_CACHE", Path.home() / ".cache" / "rpt"))


def resolve_model(name: str) -> str:
    if name == "rpt:tiny":
        path = cache_dir() / "tiny-llama"
        if not (path / "config.json").is_file():
            from rpt_tasks.tiny_model import build_tiny_llama

            build_tiny_llama(path)
        return str(path)
    return name
