"""The stdin/stdout server: one per program, a fresh small interpreter in the sandbox's read-only
system view, that compiles the program once and runs each case the judge sends in a fork of its
own (isolation.case_lock_down). It imports nothing that registers fork handlers (threading) and
is loaded without the package's __init__ (child._exec_stdio_server), so a fork costs a fraction
of a millisecond. Judged by modes.judge_stdio; the expected outputs never reach this process.
"""

from __future__ import annotations

import json
import math
import os
import select
import shutil
import signal
import sys
import time

from rpt_tasks.sandbox.isolation import case_lock_down, kill_uid, new_ipc_namespace, remove_ipc, rlimit_settings
from rpt_tasks.verify.pipes import JsonChannel, PipeReader, Timeout, TooLong, read_rest

# Made for each case and removed after it: as root, on the system view's tmpfs /tmp (writable by
# root only, see isolation); without root, in the server's own working folder.
CASE_FOLDER = "/tmp/case" if os.geteuid() == 0 else os.path.abspath("case")


class Limits:
    """The job's limits as the server reads them (the dataclass lives in jobs, not imported here)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


class Program:
    """What the server prepares once per program so that a case's child does as little as
    possible: the compiled code, its limits in setrlimit's terms, the first case uid."""

    def __init__(self, code: str, limits: Limits, uid_base: int):
        self.code = compile(code, "<candidate>", "exec")
        self.limits, self.rlimits, self.uid_base = limits, rlimit_settings(limits), uid_base


# Imported by the stdio server before any case, so that the programs' usual imports cost nothing per case.
_WARM_MODULES = ("math", "collections", "itertools", "heapq", "bisect", "functools", "re", "string", "operator",
                 "copy", "decimal", "fractions", "random", "array", "typing", "statistics", "datetime", "io",
                 "time")  # not queue: it imports threading, whose fork handlers double the cost of a fork


def main() -> None:
    """The server's entry (a fresh interpreter, see child._exec_stdio_server). It lives as long as
    its judge and serves one program after another:
      ["program", code, limits, uid_base]  ->  ["ready"] or ["load_error", kind, message]
      ["cases", [size, ...]] + the inputs' bytes  ->  per case ["result", index, problem, size] and
        `size` bytes of output, then ["done"]; it stops after a case with a problem, or when
        ["stop"] has come (the judge saw a wrong output; a late "stop" is ignored).
    Every input comes before any case runs, so neither side ever waits on a full pipe while the
    other does; the judge compares one output while the next case runs."""
    import gc
    import importlib
    import io

    for name in _WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    # Made once, used by every case (on the fds each case's child puts at 0 and 1).
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    os.environ.update(HOME=CASE_FOLDER, TMPDIR=CASE_FOLDER)
    # What exists now is never collected: a case's garbage collection would otherwise walk (and so
    # copy, page by page) the whole inherited heap.
    gc.freeze()
    ctypes_prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: what a case leaves running is ours to reap
    channel = JsonChannel(3, 4, math.inf)
    program = None
    while True:
        try:
            request = channel.receive()
            if request[0] == "program":
                new_ipc_namespace()  # this candidate's cases share no IPC object with any other's
                try:
                    program = Program(str(request[1]), Limits(**request[2]), int(request[3]))
                    channel.send(["ready"])
                except BaseException as e:  # noqa: BLE001 - SyntaxError, RecursionError, MemoryError
                    program = None
                    channel.send(["load_error", type(e).__name__, str(e)[:200]])
            elif request[0] == "cases" and program is not None:
                sizes = [int(size) for size in request[1]]
                inputs = channel.reader.exactly(sum(sizes))
                run_cases(program, inputs, sizes, channel)
            elif request[0] != "stop":
                os._exit(1)
        except Exception:  # noqa: BLE001 - the judge is done (or gone), or broke the protocol
            os._exit(0)


def run_cases(program: Program, inputs: bytes, sizes: list[int], channel: JsonChannel) -> None:
    start = 0
    for index, size in enumerate(sizes):
        if index and _stop_requested(channel):
            break
        problem, output = run_case(program, program.uid_base + 1 + index % 1000, inputs[start:start + size])
        start += size
        channel.send(["result", index, problem, len(output)])
        if output:
            channel.send_raw(output)
        if problem:
            break
    channel.send(["done"])


def _stop_requested(channel: JsonChannel) -> bool:
    """Whether the judge has sent something (only "stop" may come while cases run)."""
    if not channel.reader.buffer and not select.select([channel.read_fd], [], [], 0)[0]:
        return False
    if channel.receive()[0] != "stop":
        raise ValueError("only stop may come while cases run")
    return True


def run_case(program: Program, uid: int, stdin: bytes) -> tuple[str, bytes]:
    """One case in a fresh fork: its own folder, uid and limits (isolation.case_lock_down), stdin
    from memory, stdout read here (capped); every process it left is killed, its IPC objects
    removed and its folder deleted before the next. The server never runs candidate code, so no
    case can change what the next one starts from. Returns (problem or "", output)."""
    limits = program.limits
    os.mkdir(CASE_FOLDER, 0o700)
    os.chown(CASE_FOLDER, uid, uid)
    stdin_fd = os.memfd_create("stdin")
    _write_all(stdin_fd, stdin)
    os.lseek(stdin_fd, 0, os.SEEK_SET)
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            case_lock_down(program.rlimits, uid, CASE_FOLDER, stdin_fd, out_w)
        except BaseException:  # noqa: BLE001 - a case that cannot lock down runs nothing
            os._exit(111)
        candidate_run_program(program.code)
    os.close(stdin_fd)
    os.close(out_w)
    deadline = time.monotonic() + limits.timeout_s
    output, problem = _read_all(out_r, deadline, limits.output_mb << 20)
    os.close(out_r)
    status = _wait_until(pid, deadline)
    if problem is None:
        if status is None:
            problem = "timeout"
        elif os.WIFSIGNALED(status):
            problem = f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
        elif os.WEXITSTATUS(status) == 111:
            problem = "the case could not be locked down"
        elif os.WEXITSTATUS(status) != 0:
            problem = f"exit status {os.WEXITSTATUS(status)}"
    _end_case(pid, uid)
    return problem or "", b"" if problem else output


def candidate_run_program(code) -> None:
    """Inside a locked-down case: run the compiled program as __main__ on fds 0 and 1 (through the
    server's sys.stdin and sys.stdout, made before any case)."""
    import builtins

    status = 0
    try:
        exec(code, {"__name__": "__main__", "__builtins__": builtins})  # noqa: S102 - sandboxed
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001
        status = 1
    try:
        sys.stdout.flush()
    except BaseException:  # noqa: BLE001
        status = 1
    os._exit(status)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _wait_until(pid: int, deadline: float) -> int | None:
    """The case's wait status, or None if it is still running at the deadline (then it is killed)."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            os.waitpid(pid, 0)
            return None
        time.sleep(0.0005)


def _end_case(pid: int, uid: int) -> None:
    """Nothing of a case outlives it: its process group, any process of its uid, its IPC
    objects, its folder."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        os.waitpid(-1, os.WNOHANG)  # raises when the case left no process behind (the usual case)
        kill_uid(uid)  # orphans of the case, reparented to us (subreaper), some maybe in new sessions
    except ChildProcessError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    remove_ipc(uid)
    try:
        os.rmdir(CASE_FOLDER)
    except OSError:  # not empty
        shutil.rmtree(CASE_FOLDER, ignore_errors=True)
        if os.path.lexists(CASE_FOLDER):
            os._exit(3)  # a folder we cannot remove would be the next case's: stop serving


def ctypes_prctl(option: int, value: int) -> None:
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def _read_all(fd: int, deadline: float, cap: int) -> tuple[bytes, str | None]:
    """All of a pipe until EOF, or the problem (timeout, too much output)."""
    try:
        return read_rest(PipeReader(fd, deadline), cap), None
    except Timeout:
        return b"", "timeout"
    except TooLong:
        return b"", "output limit exceeded"
