"""Hooks for the rpt legalbench tasks; the logic lives in rpt_tasks (shared with the trainer)."""

from rpt_tasks.hooks import balanced_accuracy, doc_to_text, load_benchmark, process_label_answer  # noqa: F401
