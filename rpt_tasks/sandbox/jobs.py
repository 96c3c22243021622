"""What a sandbox job is: the tests (function, stdin/stdout, command), its limits, its result.
Shared by the evaluator side (rpt_tasks.sandbox.pool) and the child side (rpt_tasks.sandbox.child)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Limits:
    timeout_s: float = field(default=10.0, metadata={"help": "Wall-clock limit of the whole job."})
    memory_mb: int = field(default=2048, metadata={"help": "Address-space limit of the candidate."})
    file_size_mb: int = field(default=64, metadata={"help": "Largest file the candidate may write."})
    processes: int = field(default=16, metadata={"help": "Processes the candidate's uid may have."})
    open_files: int = field(default=64, metadata={"help": "Open file descriptors of the candidate."})
    output_mb: int = field(default=16, metadata={"help": "Stdout kept per run in stdio mode."})
    # Runtimes that reserve far more address space than they use (V8 reserves gigabytes per
    # worker thread, the JVM its heap) get an address-space limit this large, while memory_mb
    # bounds their writable memory (RLIMIT_DATA, which counts no PROT_NONE reservation).
    address_space_mb: int | None = field(default=None, metadata={
        "help": "Address-space limit when memory_mb bounds writable memory only (None: memory_mb bounds both)."})


@dataclass(frozen=True)
class FunctionTests:
    """Trusted test code run in the judge. Its namespace is built from trusted sources only:
    builtins, `setup` (the prompt's own code: HumanEval's helpers) and the standard-library modules
    the tests name; the candidate contributes just the names the tests call that nothing trusted
    defines (the entry point, MBPP's function, LeetCode's Solution), each a remote stub, with
    `candidate` bound to `entry_point` (HumanEval's convention)."""

    program: str
    entry_point: str | None = None
    setup: str = ""
    calls: tuple[str, ...] = ()  # names the candidate provides even where a builtin has that name (MBPP's `sum`)


@dataclass(frozen=True)
class StdioTests:
    """(stdin, expected stdout) pairs; outputs are compared token by token."""

    cases: tuple[tuple[str, str], ...]
    float_tolerance: float | None = None  # absolute/relative tolerance when the problem allows it


@dataclass(frozen=True)
class CommandTests:
    """A project judged by its language's own test runner (Aider Polyglot, BigCodeBench).

    `files` (relative path -> text, the candidate's files among them) are written into the working
    folder owned by root and read-only to the candidate, which cannot edit the tests; `argv` then
    runs there as the candidate, inside a filesystem view that holds only the system folders and
    toolchains (read-only), a private /tmp and that folder. The verdict never trusts the exit
    status alone (model code runs inside the test runner, where it could exit 0 early): `report`
    names the rule that must also find every one of `expected_tests` tests passing (see
    modes._command_verdict); the count comes from the test sources, read by the trusted side (0
    where it cannot be known statically: Rust tests made by macros or behind features).
    The Python runners (`report` pytest, unittest) report on a channel of their own, with a
    per-run nonce (report_guard: runners.PYTEST_CONFTEST and UNITTEST_RUNNER load it; a job of
    these kinds built by hand must ship them too); their output is then only for the reader. `private_input`
    reaches such a runner on that channel, never the disk (BigCodeBench's source)."""

    files: dict
    argv: tuple[str, ...]
    report: str  # pytest | unittest | cargo | go | jest | junit | junit_disabled_skipped | catch2
    expected_tests: int
    env: dict = field(default_factory=dict)  # extra environment (toolchain homes)
    binds: tuple[str, ...] = ()  # extra read-only folders to show (toolchains outside the system folders)
    writable: tuple[str, ...] = ()  # subfolders the candidate may write into (build folders)
    private_input: str = ""
    # tests the runner's output must show passing by name (Go's functions, Java's methods): a
    # summary printed by the candidate must then also get every name right
    expected_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class SandboxResult:
    passed: bool
    status: str  # passed | failed | timeout | load_error | crashed | error | tamper_suspected
    detail: str = ""
    isolation: str = ""  # which network isolation was active
    tests_passed: int = 0
    tests_total: int = 0
    duration_s: float = 0.0
    output: str = ""  # command mode: the tail of the runner's output (test feedback)

    def to_dict(self) -> dict:
        return asdict(self)
