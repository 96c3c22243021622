"""The child side of the sandbox: the judge processes, the candidate zygote and the shepherd
that forks each locked-down candidate (see rpt_tasks.sandbox for the design). Standard library
only, and nothing of the evaluator's memory: these processes start from a fresh interpreter."""

from __future__ import annotations

import ctypes
import itertools
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from rpt_tasks.sandbox.isolation import kill_uid, lock_down, remove_ipc, system_view
from rpt_tasks.sandbox.jobs import CommandTests, FunctionTests, Limits, SandboxResult, StdioTests
from rpt_tasks.sandbox.modes import (_Channel, _ChildGone, candidate_exec, candidate_serve, judge_command,
                                     judge_function, judge_stdio)
from rpt_tasks.sandbox.pool import UID_SPACE
from rpt_tasks.verify.pipes import Timeout


#
# No candidate is ever a fork of a process that has seen test data (a forked child inherits its
# parent's heap, expected outputs included):
#   judges (one per worker) -> run the trusted tests, ask the candidate zygote for processes
#   candidate zygote        -> forks one shepherd per candidate process (holds only candidate code)
#   shepherd (root)         -> forks the locked-down candidate, reports its exit, cleans up


def judge_main(candidate_socket: str) -> None:
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


def candidate_zygote_main(socket_path: str) -> None:
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


def _exec_stdio_server() -> None:
    """Become the stdio server: a fresh, small interpreter (forking it per case costs a fraction of
    forking this one, which holds the preloaded standard library) that sees the system view only."""
    package = str(Path(__file__).resolve().parent.parent)
    # The packages as bare namespaces: their __init__ (the pool, threads) is never run in the server.
    bootstrap = ("import sys, types\n"
                 f"for name, path in (('rpt_tasks', {package!r}), ('rpt_tasks.sandbox', {package + '/sandbox'!r}), "
                 f"('rpt_tasks.verify', {package + '/verify'!r})):\n"
                 "    sys.modules[name] = module = types.ModuleType(name); module.__path__ = [path]\n"
                 "from rpt_tasks.sandbox.stdio_server import main; main()")
    try:
        os.execve(sys.executable, [sys.executable, "-I", "-S", "-B", "-c", bootstrap], dict(os.environ))
    except BaseException:  # noqa: BLE001
        pass
    os._exit(112)


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
        if payload["mode"] == "command":  # stdout and stderr both go to the output pipe; 3, 4: the report channel
            keep = {1: io_fds[0], 2: io_fds[0], **dict(zip((3, 4), io_fds[1:]))}
        else:  # function: the call channel; stdio: the case channel of the stdio server
            keep = dict(zip((3, 4), io_fds))
        command = payload.get("command")
        try:
            lock_down(limits, payload["uid"], Path(payload["workdir"]), keep, status_w,
                      view=command["binds"] if command else payload.get("view"), keep_root=payload["mode"] == "stdio")
        except BaseException:  # noqa: BLE001 - a child that cannot lock down must not run anything
            os._exit(111)
        if payload["mode"] == "function":
            candidate_serve(payload["code"])
        if payload["mode"] == "command":
            candidate_exec(command["argv"], command["env"])
        _exec_stdio_server()
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
            kill_uid(payload["uid"])
    except ChildProcessError:
        pass
    while True:  # reap them all
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    shutil.rmtree(payload["workdir"], ignore_errors=True)
    if payload.get("command") or payload.get("view"):
        shutil.rmtree(payload["workdir"] + "-root", ignore_errors=True)
    os._exit(0)


class _Candidate:
    """The judge's handle on one candidate process (started by the candidate zygote)."""

    def __init__(self, socket_path: str, mode: str, code: str, limits: Limits, uid: int, workdir: Path,
                 io_fds: list[int], deadline: float, command: dict | None = None, view: list[str] | None = None):
        status_r, status_w = os.pipe()
        try:
            _send_with_fds(socket_path, {"mode": mode, "code": code, "limits": asdict(limits), "uid": uid,
                                         "workdir": str(workdir), "command": command, "view": view},
                           [status_w, *io_fds])
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
        except (Timeout, _ChildGone, ValueError):
            pass

    def exit_status(self) -> int | None:
        """Raw wait status once the candidate has ended (None if it did not end in time)."""
        try:
            line = self._early_exit or self.status.receive_line()
        except (Timeout, _ChildGone):
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
        tests = request["tests"]
        result = judge_function(FunctionTests(**{**tests, "calls": tuple(tests.get("calls", ()))}), limits, new_process)
    elif request["mode"] == "command":
        tests = request["tests"]
        result = judge_command(CommandTests(**{**tests, "argv": tuple(tests["argv"]), "binds": tuple(tests["binds"]),
                                                "writable": tuple(tests["writable"])}), limits, new_process)
    else:
        tests = request["tests"]
        result = judge_stdio(StdioTests(tuple(map(tuple, tests["cases"])), tests["float_tolerance"]), limits,
                             request["code"], _STDIO.get(candidate_socket, request["uid_base"]), next(new_process.uids),
                             _STDIO.reset)
    return SandboxResult(result.passed, result.status, result.detail[:300], result.isolation, result.tests_passed,
                         result.tests_total, round(time.monotonic() - start, 4), result.output)


class _StdioServerHolder:
    """This judge's stdin/stdout server (rpt_tasks.sandbox.stdio_server): started on first use,
    kept for the next programs (its start, a fresh interpreter in a system view, costs more than
    a thousand cases), replaced when it misbehaves."""

    def __init__(self) -> None:
        self.server: tuple[_Candidate, _Channel] | None = None

    def get(self, socket_path: str, uid_base: int) -> tuple[_Candidate, _Channel]:
        if self.server is None:
            to_child_r, to_child_w = os.pipe()
            to_judge_r, to_judge_w = os.pipe()
            workdir = Path(tempfile.mkdtemp(prefix="rpt-sandbox-"))
            os.chmod(workdir, 0o711)  # root-owned: the server makes a folder per case in it
            os.mkdir(str(workdir) + "-root", 0o755)
            # Without root there is no mount namespace: the server then sees what the judge sees,
            # as with the rest of the sandbox's unprivileged fallback.
            view = system_view((str(Path(__file__).resolve().parent.parent),)) if os.geteuid() == 0 else None
            candidate = _Candidate(socket_path, "stdio", "", Limits(), uid_base + UID_SPACE - 1, workdir,
                                   [to_child_r, to_judge_w], time.monotonic() + 60, view=view)
            self.server = candidate, _Channel(to_judge_r, to_child_w, time.monotonic() + 60)
        return self.server

    def reset(self) -> None:
        if self.server is not None:
            candidate, channel = self.server
            channel.close()
            candidate.close()
            self.server = None


_STDIO = _StdioServerHolder()


class _CandidateFactory:
    """Starts candidate processes for one job, each with a fresh uid and working directory."""

    UIDS_PER_JOB = 1024

    def __init__(self, socket_path: str, code: str, limits: Limits, uid_base: int, job_id: int):
        self.socket_path, self.code, self.limits = socket_path, code, limits
        self.uids = (uid_base + (job_id * self.UIDS_PER_JOB + i) % UID_SPACE for i in itertools.count())

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
