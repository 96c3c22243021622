"""Hooks of the rpt paper-protocol Aider Polyglot tasks; the logic lives in rpt_tasks (shared with the trainer).
Generated from rpt_tasks/benchmarks/paper_polyglot.py."""

from rpt_tasks.harness.hooks import balanced_accuracy, doc_to_text, keep_all_samples, load_benchmark, process_label_results, process_pass_at_k, process_results, verify_in_batch  # noqa: F401
