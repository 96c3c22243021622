"""rpt-transfer: do reinforcement post-training gains transfer to unseen domains?

`rpt_tasks` holds the benchmark registry, the data layer and the verifiers that both the
lm-eval task pack (task_configs/) and the GRPO trainer (rpt_train) score with.
"""

__version__ = "0.1.0"
