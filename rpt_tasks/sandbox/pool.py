"""The evaluator side of the sandbox: a pool of long-lived judge processes plus the candidate
zygote, and the calls that submit jobs to them (see rpt_tasks.sandbox for the design)."""

from __future__ import annotations

import atexit
import itertools
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from rpt_tasks.sandbox.jobs import CommandTests, FunctionTests, Limits, SandboxResult, StdioTests

class Sandbox:
    """Long-lived judge processes (one per worker) plus the candidate zygote."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.owner = os.getpid()
        # Root-only folder for the candidate zygote's socket: candidates (other uids) cannot reach it.
        self._private = tempfile.mkdtemp(prefix="rpt-sandbox-ctl-")
        self._socket_path = os.path.join(self._private, "candidates.sock")
        self._judges: list[subprocess.Popen] = []
        self._candidate_zygote = _start_python(f"candidate_zygote_main({self._socket_path!r})")
        if self._candidate_zygote.stdout.readline().strip() != b"ready":
            self.close()
            raise RuntimeError("sandbox: the candidate zygote did not start")
        self._uid_base = _uid_base(self._candidate_zygote.pid)
        self._judges = [self._start_judge() for _ in range(self.workers)]
        self._idle: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in range(self.workers):
            self._idle.put(index)
        self._ids = itertools.count()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="rpt-sandbox")

    def submit(self, code: str, tests: FunctionTests | StdioTests | CommandTests, limits: Limits = Limits()) -> Future:
        """Run one candidate against its tests; the future resolves to a SandboxResult.
        (CommandTests carry the candidate in their files; `code` is then unused.)"""
        mode = {FunctionTests: "function", StdioTests: "stdio", CommandTests: "command"}[type(tests)]
        request = {"id": next(self._ids), "mode": mode, "code": code, "tests": asdict(tests),
                   "limits": asdict(limits), "uid_base": self._uid_base}
        return self._pool.submit(self._run, json.dumps(request).encode() + b"\n")

    def _run(self, request: bytes) -> SandboxResult:
        index = self._idle.get()
        judge = self._judges[index]
        try:
            judge.stdin.write(request)
            judge.stdin.flush()
            reply = judge.stdout.readline()
            return SandboxResult(**json.loads(reply))
        except (OSError, ValueError, TypeError) as e:
            # The judge died (it runs dataset test code, which might crash it): replace it.
            judge.kill()
            judge.wait()
            self._judges[index] = self._start_judge()
            return SandboxResult(False, "error", f"judge process failed: {type(e).__name__}")
        finally:
            self._idle.put(index)

    def _start_judge(self) -> subprocess.Popen:
        return _start_python(f"judge_main({self._socket_path!r})")

    def close(self) -> None:
        if self.owner != os.getpid():
            return
        if hasattr(self, "_pool"):
            self._pool.shutdown(wait=False, cancel_futures=True)
        for proc in [*self._judges, getattr(self, "_candidate_zygote", None)]:
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        shutil.rmtree(self._private, ignore_errors=True)


_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """One sandbox per process (a fork gets its own), sized to the machine."""
    global _default
    with _default_lock:
        if _default is None or _default.owner != os.getpid() or _default._candidate_zygote.poll() is not None:
            _default = Sandbox()
        return _default


def run_in_sandbox(code: str, tests: FunctionTests | StdioTests | CommandTests,
                   limits: Limits = Limits()) -> SandboxResult:
    return default_sandbox().submit(code, tests, limits).result()


@atexit.register
def _close_default() -> None:
    if _default is not None:
        _default.close()


def _start_python(call: str) -> subprocess.Popen:
    """A fresh interpreter with a scrubbed environment, running one function of this module:
    nothing of the evaluator's memory or environment (tokens, keys) ever reaches a candidate."""
    # -I: no user site, no PYTHON* variables, no script folder on the path; the child side is the
    # same code as this evaluator's, whether installed or in a checkout.
    # The project's root goes after the standard library (nothing there can stand in for a
    # standard module) and before site-packages (this very copy of rpt_tasks is the one imported);
    # the processes run in /, so no working folder is on their path either.
    root = str(Path(__file__).resolve().parent.parent.parent)
    bootstrap = ("import sys; sys.path.insert(next((i for i, p in enumerate(sys.path) if 'packages' in p), "
                 f"len(sys.path)), {root!r}); from rpt_tasks.sandbox import child; child.{call}")
    return subprocess.Popen(
        [sys.executable, "-I", "-c", bootstrap], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True, cwd="/",
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"})


UID_SPACE = 1 << 22


def _uid_base(zygote_pid: int) -> int:
    # A fresh uid for every candidate process (4M per sandbox before reuse), so leftovers of one
    # can never signal, trace or crowd out another, and concurrent sandboxes never overlap.
    return 1_000_000 + (zygote_pid % 1000) * UID_SPACE
