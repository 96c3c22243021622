"""Every use of lm-eval's internals, in one place, for the one lm-eval version this is written
against. Anything here may change in another lm-eval release; `check_version()` says so loudly
(a test pins it), rather than letting a renamed attribute surface as a wrong number.

What we rely on, and why:
- `HarnessCLI()._parser`: `rpt eval` parses with lm-eval's own `run` parser, so every flag works.
- `lm_eval.tasks.TaskManager` is looked up by the `run` command when it builds its task list:
  `rpt eval` puts a subclass there that indexes our task folder (and lm-eval's built-ins only when
  asked), which is what makes it start in half the time.
- The call stack while lm-eval runs our hooks: a filter is called from `Task.apply_filters`
  (whose `self` is the task, with the generation settings every request was built with) inside
  `evaluator.evaluate` (whose `lm` is the model, with its tokenizer and context length). The
  hooks read these to count truncated outputs against the limit the requests really had, and to
  fit the generation length to the model's context, in plain `lm_eval` as in `rpt eval`.
"""

from __future__ import annotations

import sys

LM_EVAL_VERSION = "0.4.13"


def check_version() -> None:
    """Refuse to run on another lm-eval than the one these internals were read from."""
    import importlib.metadata

    found = importlib.metadata.version("lm_eval")
    if found != LM_EVAL_VERSION:
        raise RuntimeError(f"rpt-transfer relies on internals of lm-eval {LM_EVAL_VERSION} "
                           f"(rpt_tasks/harness/lm_eval_internals.py) but lm-eval {found} is installed: "
                           f"pip install 'lm-eval=={LM_EVAL_VERSION}'")


def run_parser():
    """lm-eval's own parser; parse ["run", ...] with it."""
    check_version()
    from lm_eval._cli.harness import HarnessCLI

    return HarnessCLI()._parser


def load_config_file(path: str) -> dict:
    """An lm-eval `--config` YAML, read and checked the way lm-eval's run command reads it."""
    from lm_eval.config.evaluate_config import EvaluatorConfig

    return EvaluatorConfig.load_yaml_config(path)


def use_task_manager(paths: list[str], with_defaults: bool) -> None:
    """Make lm-eval's `run` command index `paths` (and its built-in tasks only if asked)."""
    check_version()
    import lm_eval.tasks
    from lm_eval.tasks.manager import TaskManager

    class RptTaskManager(TaskManager):
        def __init__(self, verbosity=None, include_path=None, include_defaults=True, metadata=None):
            super().__init__(verbosity=verbosity, include_path=[*paths, *_as_list(include_path)],
                             include_defaults=with_defaults, metadata=metadata)

    lm_eval.tasks.TaskManager = RptTaskManager


def _as_list(paths) -> list[str]:
    if not paths:
        return []
    return [paths] if isinstance(paths, str) else list(paths)


def _frame_local(function: str, name: str, module: str | None = None):
    """A local variable of the nearest caller running `function` (in `module`), or None."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == function and (module is None or frame.f_globals.get("__name__") == module):
            return frame.f_locals.get(name)
        frame = frame.f_back
    return None


def current_task():
    """The lm-eval task whose requests are being built or filtered right now, or None (our
    hooks called outside lm-eval's evaluator)."""
    from lm_eval.api.task import Task

    for function in ("apply_filters", "build_all_requests"):
        task = _frame_local(function, "self")
        if isinstance(task, Task):
            return task
    return None


def current_model():
    """The model lm-eval's evaluator is running (CachingLM unwrapped), or None."""
    lm = _frame_local("evaluate", "lm", "lm_eval.evaluator")
    while lm is not None and type(lm).__name__ == "CachingLM":
        lm = lm.lm
    return lm


def model_context_length(lm) -> int | None:
    try:
        return int(lm.max_length)
    except (AttributeError, TypeError, ValueError, NotImplementedError):
        return None


def model_default_max_gen_toks(lm) -> int | None:
    try:
        return int(lm.max_gen_toks)
    except (AttributeError, TypeError, ValueError, NotImplementedError):
        return None


def token_counter(lm):
    """Counts the tokens of a generated text with the model's tokenizer, or None without one."""
    tokenizer = getattr(lm, "tokenizer", None)
    if tokenizer is not None and callable(tokenizer):
        return lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])
    if hasattr(lm, "tok_encode"):
        return lambda text: len(lm.tok_encode(text))
    return None


def current_request_limits(samples: int) -> list[int | None]:
    """The max_gen_toks each of the `samples` outputs being scored was generated with: the
    requests lm-eval's evaluator is scoring (one with `repeats: k`, one per output otherwise),
    else None for each (a hook called outside the evaluator)."""
    requests = _frame_local("evaluate", "requests", "lm_eval.evaluator")
    if not isinstance(requests, list) or not requests:
        return [None] * samples
    default = model_default_max_gen_toks(current_model())
    limits = [(request.arguments[1] if len(request.arguments) > 1 else {}).get("max_gen_toks") or default
              for request in requests]
    if len(limits) == 1:
        return limits * samples
    return limits if len(limits) == samples else [None] * samples


def once_per_run_metadata_hint() -> None:
    """lm-eval warns "<task>: Custom kwargs can be passed to `--metadata` ..." for every task with
    a custom_dataset (all of ours): keep the first, drop the repeats (logger lm_eval.api.task)."""
    import logging

    class OnlyOnce(logging.Filter):
        seen = False

        def filter(self, record: logging.LogRecord) -> bool:
            if "Custom kwargs can be passed to `--metadata`" not in str(record.msg):
                return True
            first, OnlyOnce.seen = not OnlyOnce.seen, True
            return first

    logger = logging.getLogger("lm_eval.api.task")
    if not any(isinstance(f, OnlyOnce) for f in logger.filters):
        logger.addFilter(OnlyOnce())
