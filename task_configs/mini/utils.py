"""Hooks for rpt_mini; the logic lives in rpt_tasks (shared with the trainer)."""

from rpt_tasks.hooks import doc_to_text, load_benchmark, process_answer, process_code, run_code  # noqa: F401
