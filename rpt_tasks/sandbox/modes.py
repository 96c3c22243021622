"""How a job is judged, by mode. Runs in the sandbox's child processes (see rpt_tasks.sandbox):

- function: the trusted judge runs the tests and calls the candidate's functions over a pipe;
  values cross as plain data rebuilt as exact builtins;
- stdio: the judge feeds each input and compares the output it reads;
- command: the language's own test runner runs as the candidate; the verdict needs its summary.
"""

from __future__ import annotations

import ast
import itertools
import json
import math
import os
import re
import secrets
import select
import shutil
import signal
import sys
import tempfile
import time

from dataclasses import asdict

from rpt_tasks.sandbox.jobs import CommandTests, FunctionTests, Limits, SandboxResult, StdioTests
from rpt_tasks.verify.pipes import Closed, JsonChannel, Malformed, PipeReader, Timeout, TooLong, read_rest


# ---------------------------------------------------------------- function mode


def judge_function(tests: FunctionTests, limits: Limits, new_process) -> SandboxResult:
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
        signal.signal(signal.SIGALRM, _raise_timeout)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, deadline - time.monotonic()))
        try:
            namespace = trusted_namespace(tests, channel, hello[1])
            if tests.entry_point and tests.entry_point not in namespace:
                return SandboxResult(False, "failed", f"no function {tests.entry_point!r} defined", isolation)
            exec(compile(tests.program, "<tests>", "exec"), namespace)  # noqa: S102 - trusted dataset code
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return SandboxResult(True, "passed", "", isolation, 1, 1)
    except Timeout:
        return SandboxResult(False, "timeout", f"over {limits.timeout_s}s", isolation, 0, 1)
    except _ChildGone as e:
        return SandboxResult(False, "crashed", str(e), isolation, 0, 1)
    except BaseException as e:  # noqa: BLE001 - any exception in the tests is a failed test
        return SandboxResult(False, "failed", f"{type(e).__name__}: {e}"[:300], isolation, 0, 1)
    finally:
        channel.close()
        candidate.close()


class _ChildGone(Exception):
    pass


def _raise_timeout(signum, frame):
    raise Timeout()


class _Channel(JsonChannel):
    """The judge's channel to a candidate: every way the candidate can break the protocol (end,
    flood, malformed or oversized messages) is a _ChildGone, a failed job, never a crash."""

    def send_raw(self, data: bytes) -> None:
        try:
            super().send_raw(data)
        except (BrokenPipeError, OSError) as e:
            raise _ChildGone(f"candidate process ended ({e.__class__.__name__})") from None

    def receive(self) -> list:
        try:
            return super().receive()
        except Closed:
            raise _ChildGone("candidate process ended before answering") from None
        except TooLong:
            raise _ChildGone("candidate sent an oversized message") from None
        except Malformed:
            raise _ChildGone("candidate sent a malformed message") from None

    def receive_line(self) -> str:
        try:
            return self.reader.line(self.MAX_MESSAGE).decode("utf-8", "replace")
        except Closed:
            raise _ChildGone("candidate process ended before answering") from None
        except TooLong:
            raise _ChildGone("candidate sent an oversized message") from None


def trusted_namespace(tests: FunctionTests, channel: _Channel, offered: list) -> dict:
    """Where the tests resolve names: builtins, the trusted setup, the standard-library modules
    the tests name (imported here by that name, never by a name the candidate chose), and, for
    the names the tests call that nothing trusted defines, the candidate's: callables as remote
    stubs, data as plain copies. A candidate's `abs`, `sorted` or `poly` is never bound: the
    tests see the real builtins and the prompt's own helpers."""
    import builtins
    import importlib

    namespace: dict = {"__name__": "__tests__", "__builtins__": builtins}
    if tests.setup:
        exec(compile(tests.setup, "<setup>", "exec"), namespace)  # noqa: S102 - the prompt: trusted dataset code
    program = ast.parse(tests.program)
    wanted = (global_names(program) - defined_names(program) - set(namespace) - set(dir(builtins)))
    offered_names = {name: (kind, payload) for kind, name, payload in offered}
    for name in sorted(wanted | set(tests.calls) | ({tests.entry_point} if tests.entry_point else set())):
        if name in offered_names:
            namespace[name] = (_RemoteCallable(channel, ["name", name], name) if offered_names[name][0] == "call"
                               else _remote_global(channel, name))
        elif name in sys.stdlib_module_names:
            namespace[name] = importlib.import_module(name)
    if tests.entry_point in namespace:
        namespace["candidate"] = namespace[tests.entry_point]
    return namespace


def _remote_global(channel: _Channel, name: str):
    """A plain-data global of the candidate, rebuilt as exact builtins."""
    channel.send(["getglobal", name])
    reply = channel.receive()
    if reply[0] != "ok":
        raise _remote_exception(reply[1], reply[2])
    return decode(reply[1])


def global_names(tree: ast.AST) -> set[str]:
    """Names code reads from its global scope: loads that no enclosing function or comprehension
    binds (parameters, assignments, imports, nested definitions)."""
    names: set[str] = set()

    def bound(scope: ast.AST) -> set[str]:
        out = set()
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = scope.args
            out |= {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
        for node in ast.walk(scope):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                out.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                out |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not scope:
                out.add(node.name)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                out.add(node.name)
        return out

    def visit(node: ast.AST, local: frozenset) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for child in [*getattr(node, "decorator_list", []), *node.args.defaults, *node.args.kw_defaults]:
                if child is not None:
                    visit(child, local)
            inner = local | bound(node)
            for child in (node.body if isinstance(node.body, list) else [node.body]):
                visit(child, inner)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            inner = local | {t.id for g in node.generators for t in ast.walk(g.target) if isinstance(t, ast.Name)}
            for child in ast.iter_child_nodes(node):
                visit(child, inner)
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            names.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child, local)

    visit(tree, frozenset())
    return names


def defined_names(tree: ast.Module) -> set[str]:
    """Names a module defines at its top level (assignments anywhere at module scope, imports,
    definitions), which its own code then reads."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
    return out


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


def candidate_serve(code: str) -> None:
    """Inside the locked-down child: define the candidate, then answer the judge's calls."""
    import builtins
    import types

    status = 0
    try:
        channel = _Channel(3, 4, math.inf)
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
                continue  # the judge never imports what a candidate names
            if callable(value):
                names.append(["call", name, None])
            elif not isinstance(value, _ITERATOR_TYPES):  # describing an iterator would consume it
                names.append(["value", name, None])  # sent when the tests ask for it (getglobal)
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
            if request[0] == "getglobal":
                try:
                    channel.send(["ok", encode(namespace[request[1]])])
                except BaseException as e:  # noqa: BLE001 - not plain data: the tests cannot use it
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


def judge_stdio(tests: StdioTests, limits: Limits, code: str, server, uid: int, reset) -> SandboxResult:
    """All cases of one program in the judge's stdin/stdout server (rpt_tasks.sandbox.stdio_server:
    a locked-down process that compiles the program and forks each case, itself locked down
    further). The judge sends every input at once and compares each output as it comes back,
    while the server already runs the next case; the expected outputs never leave the judge.
    `limits.timeout_s` is per case (problems state their time limit per test); the first failure
    ends the job (pass = every case). `server` is (candidate, channel); `reset` replaces a server
    that broke the protocol or stopped answering."""
    candidate, channel = server
    isolation, total = candidate.isolation, len(tests.cases)
    slack = 5.0  # the server's own work per case (fork, clean-up) on a loaded machine

    def failed(status: str, detail: str, index: int) -> SandboxResult:
        return SandboxResult(False, status, detail[:300], isolation, index, total)

    try:
        channel.deadline = time.monotonic() + 30
        channel.send(["program", code, asdict(limits), uid])
        hello = channel.receive()
        if hello[0] != "ready":
            return failed("load_error", str(hello[1:]), 0)
        inputs = [stdin.encode("utf-8") for stdin, _ in tests.cases]
        channel.deadline = time.monotonic() + 30 + sum(map(len, inputs)) / 1e7
        channel.send(["cases", [len(data) for data in inputs]])
        channel.send_raw(b"".join(inputs))
        verdict = None
        for index, (_, expected) in enumerate(tests.cases):
            channel.deadline = time.monotonic() + limits.timeout_s + slack
            reply = channel.receive()
            if reply[0] != "result" or len(reply) != 4 or reply[1] != index or not isinstance(reply[3], int) \
                    or not 0 <= reply[3] <= limits.output_mb << 20:
                reset()
                return failed("crashed", "malformed reply from the stdio server", index)
            output = channel.reader.exactly(reply[3])
            if reply[2] == "timeout":
                verdict = failed("timeout", f"case {index}: over {limits.timeout_s}s", index)
            elif reply[2]:
                verdict = failed("failed", f"case {index}: {reply[2]}", index)
            elif not outputs_match(output.decode("utf-8", "replace"), expected, tests.float_tolerance):
                verdict = failed("failed", f"case {index}: wrong output", index)
                channel.send(["stop"])
            if verdict is not None:
                break
        _finish_cases(channel, limits.timeout_s + slack)
        return verdict or SandboxResult(True, "passed", "", isolation, total, total)
    except Timeout:
        reset()
        return failed("timeout", "the stdio server stopped answering", 0)
    except (_ChildGone, Closed, TooLong, Malformed) as e:
        reset()
        return failed("crashed", str(e) or "the stdio server ended", 0)


def _finish_cases(channel, wait_s: float) -> None:
    """Read what the server still sends for this program (at most the case it had started when
    the judge asked it to stop) up to its ["done"]."""
    while True:
        channel.deadline = time.monotonic() + wait_s
        reply = channel.receive()
        if reply[0] == "done":
            return
        if reply[0] != "result" or len(reply) != 4 or not isinstance(reply[3], int) or not 0 <= reply[3] <= 1 << 30:
            raise Malformed("malformed reply from the stdio server")
        channel.reader.exactly(reply[3])


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



# ---------------------------------------------------------------- command mode


def candidate_exec(argv: list[str], env: dict) -> None:
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


# The runners that report on a channel of their own (report_guard); the others are judged by
# their printed summary, which model code running inside them could fake (evaluation only).
CHANNEL_REPORTS = ("pytest", "unittest")
REPORT_CAP = 4 << 20  # a run's reports: a few hundred bytes a test


def judge_command(tests: CommandTests, limits: Limits, new_process) -> SandboxResult:
    out_r, out_w = os.pipe()
    io_fds, feed_w, report_r, nonce, feed = [out_w], -1, -1, "", b""
    if tests.report in CHANNEL_REPORTS:
        nonce = secrets.token_hex(16)
        feed_r, feed_w = os.pipe()
        report_r, report_w = os.pipe()
        io_fds += [feed_r, report_w]  # the runner's fds 3 (nonce, private input) and 4 (reports)
        feed = nonce.encode() + b"\n" + tests.private_input.encode("utf-8")
    deadline = time.monotonic() + limits.timeout_s
    try:
        candidate = new_process("command", io_fds, deadline, tests)
    except BaseException:
        for fd in (out_r, feed_w, report_r):
            if fd >= 0:
                os.close(fd)
        raise
    try:
        output, reports, problem = _read_run(out_r, report_r, feed_w, feed, deadline, limits.output_mb << 20)
        status = candidate.exit_status() if problem != "timeout" else None
    finally:
        candidate.close()
    text = output.decode("utf-8", "replace")
    tail = text[-4000:]

    def result(status_name: str, detail: str, passed: int = 0) -> SandboxResult:
        return SandboxResult(status_name == "passed", status_name, detail, candidate.isolation, passed,
                             tests.expected_tests, output=tail)

    if problem == "timeout" or status is None:
        return result("timeout", f"over {limits.timeout_s}s")
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 111:
        return result("error", "the sandbox could not lock the runner down (command mode needs root)")
    if problem == "flooded":
        return result("tamper_suspected", f"more than {REPORT_CAP} bytes on the report channel")
    if nonce:
        passed, verdict, detail = channel_verdict(reports, nonce, tests.expected_tests)
    else:
        passed, detail = _command_verdict(tests.report, tests.expected_tests, text, tests.expected_names)
        verdict = "failed" if detail else "passed"
    if verdict == "passed" and not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        verdict, detail = "failed", (f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
                                     if os.WIFSIGNALED(status) else f"exit status {os.WEXITSTATUS(status)}")
    return result(verdict, detail, passed)


def _read_run(out_r: int, report_r: int, feed_w: int, feed: bytes, deadline: float,
              out_cap: int) -> tuple[bytes, bytes, str | None]:
    """(output, reports, problem) of one run: the output pipe until EOF (its first and last
    out_cap/2 bytes: a summary comes last), the report pipe until EOF (problem "flooded" past
    REPORT_CAP), while `feed` goes to `feed_w`, which is then closed; problem "timeout" at the
    deadline. Every fd given is closed."""
    head, tail, size, reports = [], b"", 0, []
    report_size, problem = 0, None
    readers = [fd for fd in (out_r, report_r) if fd >= 0]
    if feed_w >= 0:
        os.set_blocking(feed_w, False)
    try:
        while readers and problem is None:
            left = deadline - time.monotonic()
            writers = [feed_w] if feed_w >= 0 else []
            ready_r, ready_w, _ = select.select(readers, writers, [], max(0.0, left)) if left > 0 else ([], [], [])
            if not ready_r and not ready_w:
                problem = "timeout"
                break
            if ready_w:
                try:
                    feed = feed[os.write(feed_w, feed[:65536]):]
                except BlockingIOError:
                    pass
                except OSError:  # the runner closed its end: it cannot have started
                    feed = b""
                if not feed:
                    os.close(feed_w)
                    feed_w = -1
            for fd in ready_r:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    readers.remove(fd)
                elif fd == report_r:
                    report_size += len(chunk)
                    reports.append(chunk)
                    if report_size > REPORT_CAP:
                        problem = "flooded"
                elif size + len(chunk) <= out_cap // 2:
                    head.append(chunk)
                    size += len(chunk)
                else:
                    tail = (tail + chunk)[-(out_cap // 2):]
    finally:
        for fd in (out_r, report_r, feed_w):
            if fd >= 0:
                os.close(fd)
    return b"".join(head) + tail, b"".join(reports), problem


def channel_verdict(reports: bytes, nonce: str, expected: int) -> tuple[int, str, str]:
    """(tests passed, status, detail) from a Python runner's reports (report_guard): JSON lines
    [nonce, event, ...]. A pass needs a start, one report per test with every phase passed, an end
    whose counts agree and no failure, every fingerprint equal to the start's, and `expected`
    passing tests. Anything the runner cannot have sent (a line without the run's nonce, a report
    after the end, a changed fingerprint, a tracer) is tamper_suspected."""
    lines = reports.split(b"\n")
    if lines[-1]:
        return 0, "failed", "the runner ended in the middle of a report"
    start, end, outcomes, failures = None, None, {}, []
    for number, line in enumerate(lines[:-1], 1):
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            message = None
        if not isinstance(message, list) or len(message) < 2 or message[0] != nonce:
            return 0, "tamper_suspected", f"report {number} does not carry the run's nonce"
        event, *fields = message[1:]
        if end is not None:
            return 0, "tamper_suspected", f"report {number} ({event!r}) after the end of the run"
        if event == "tamper":
            return 0, "tamper_suspected", f"the runner saw {fields[0] if fields else 'tampering'}"
        if event == "start" and start is None and len(fields) == 2:
            start = fields
        elif start is None:
            return 0, "tamper_suspected", f"report {number} ({event!r}) before the start"
        elif event == "test" and len(fields) == 4 and isinstance(fields[0], str):
            test_id, phase, outcome, fingerprint = fields
            if fingerprint != start[0]:
                return 0, "tamper_suspected", f"the test framework changed during {test_id}"
            outcomes.setdefault(test_id, {})[phase] = outcome
            if outcome != "passed":
                failures.append(f"{test_id} {phase}: {outcome}")
        elif event == "collect_failed" and len(fields) == 1:
            failures.append(f"{fields[0]}: collection failed")
        elif event == "end" and len(fields) == 5:
            end = fields
            if end[3] != start[0] or end[4] != start[1]:
                return 0, "tamper_suspected", "the test framework or the builtins changed during the run"
        else:
            return 0, "tamper_suspected", f"report {number}: unknown event {event!r}"
    passed = sum(1 for phases in outcomes.values() if phases.get("call") == "passed"
                 and all(outcome == "passed" for outcome in phases.values()))
    if start is None:
        return 0, "failed", "the runner never started (see the output)"
    if end is None:
        return passed, "failed", "the run ended before the runner's end report (an early exit?)"
    collected, failed_count, exit_status = end[:3]
    if failures or failed_count or exit_status != 0:
        return passed, "failed", "; ".join(failures[:5]) or f"{failed_count} failed, exit status {exit_status}"
    if collected != len(outcomes) or collected == 0:
        return passed, "failed", f"{len(outcomes)} tests reported of {collected} collected"
    if expected and passed != expected:
        return passed, "failed", f"{passed} of {expected} tests passed"
    return passed, "passed", ""


def _command_verdict(report: str, expected: int, output: str, names: tuple[str, ...] = ()) -> tuple[int, str]:
    """(tests seen passing, "" if the run passed else why not), from the printed summary of a
    runner without a report channel (the caller also needs exit status 0): an early exit(0)
    leaves no summary, and a faked one must also get the count right."""
    def count(pattern: str) -> int:
        return sum(int(m) for m in re.findall(pattern, output))

    if report == "cargo":  # every test binary that ran must end with an ok summary
        passed = count(r"test result: ok\. (\d+) passed")
        ran = len(re.findall(r"^\s+Running ", output, re.M))
        oks = len(re.findall(r"test result: ok\.", output))
        problem = "" if ran and oks == ran and "test result: FAILED" not in output else \
            "cargo test: failures (or a test binary ended without its summary)"
    elif report == "go":
        passed = len(re.findall(r"^--- PASS: ", output, re.M))
        problem = "" if re.search(r"^ok\s", output, re.M) and not re.search(r"^(FAIL|--- FAIL)", output, re.M) else \
            "go test: failures"
    elif report == "jest":  # "Tests: 1 skipped, 20 passed, 21 total" (skips: the suite's own test.skip)
        found = re.findall(r"^Tests:\s+(.*)$", output, re.M)
        passed = sum(int(n) for n in re.findall(r"(\d+) passed", found[-1])) if found else 0
        problem = "" if found and not re.search(r"failed|todo", found[-1]) else f"jest: {found[-1] if found else 'no summary'}"
    elif report in ("junit", "junit_disabled_skipped"):
        # JUnit's console launcher: "[ 12 tests successful ]" ...; every test found must pass, or (the paper
        # preset, whose tests keep Exercism's @Disabled) be skipped, the expected count and names passing
        tally = {kind: [int(n) for n in re.findall(rf"^\[\s*(\d+) {kind}\s*\]$", output, re.M)]
                 for kind in ("tests found", "tests successful", "tests failed", "tests aborted", "containers failed")}
        skips = [int(n) for n in re.findall(r"^\[\s*(\d+) tests skipped\s*\]$", output, re.M)]
        if not all(tally.values()):
            passed, problem = 0, "junit: no summary (the tests did not run: see the compiler's output)"
        else:
            last = {kind: counts[-1] for kind, counts in tally.items()}
            passed = last["tests successful"]
            skipped = skips[-1] if skips and report == "junit_disabled_skipped" else 0
            problem = "" if passed + skipped == last["tests found"] and not (
                last["tests failed"] or last["tests aborted"] or last["containers failed"]) else \
                f"junit: {passed} of {last['tests found']} tests successful, {last['tests failed']} failed"
    elif report == "catch2":
        found = re.findall(r"All tests passed \((\d+) assertions? in (\d+) test cases?\)", output)
        passed = int(found[-1][1]) if found else 0
        problem = "" if found else "catch2: failures (or no test run)"
    else:
        return 0, f"unknown report kind {report!r}"
    if not problem and expected and passed != expected:  # 0: the count cannot be known statically
        problem = f"{passed} of {expected} tests reported passing"
    # JUnit's tree shortens long names ("...") and adds the time of slow tests ("21009 ms")
    shown = {"go": lambda n: rf"^--- PASS: {re.escape(n)} \(",
             "junit": lambda n: rf"[─ ]{re.escape(n[:60])}\w*(?:\(\)|\.\.\.)(?: \d+ ms)? ✔"}
    shown = {**shown, "junit_disabled_skipped": shown["junit"]}.get(report)
    missing = [n for n in names if shown and not re.search(shown(n), output, re.M)]
    if not problem and missing:
        problem = f"not reported passing by name: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else "")
    return passed, problem
