"""lm-eval glue (hooks), `rpt eval`'s orchestration (evaluate), `rpt tasks` (catalog), the task
folders' generator (configs), and every use of lm-eval internals (lm_eval_internals)."""
