"""How a job is judged, by mode. Runs in the sandbox's child processes (see rpt_tasks.sandbox):

- function: the trusted judge runs the tests and calls the candidate's functions over a pipe;
  values cross as plain data rebuilt as exact builtins;
- stdio: the judge feeds each input and compares the output it reads;
- command: the language's own test runner runs as the candidate; the verdict needs its summary.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import select
import shutil
import signal
import sys
import tempfile
import time

from rpt_tasks.sandbox.jobs import CommandTests, FunctionTests, Limits, SandboxResult, StdioTests
from rpt_tasks.verify.pipes import Closed, PipeReader, Timeout, TooLong, read_rest


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


class _Channel:
    """JSON lines over a pipe pair, every read and write bounded by the job's deadline."""

    MAX_MESSAGE = 64 << 20

    def __init__(self, read_fd: int, write_fd: int, deadline: float):
        self.read_fd, self.write_fd, self.deadline = read_fd, write_fd, deadline
        self.reader = PipeReader(read_fd, deadline)

    def send(self, message) -> None:
        data = json.dumps(message).encode() + b"\n"
        try:
            while data:
                left = None if self.deadline == math.inf else max(0.0, self.deadline - time.monotonic())
                if not select.select([], [self.write_fd], [], left)[1]:
                    raise Timeout()
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
        try:
            return self.reader.line(self.MAX_MESSAGE).decode("utf-8", "replace")
        except Closed:
            raise _ChildGone("candidate process ended before answering") from None
        except TooLong:
            raise _ChildGone("candidate sent an oversized message") from None

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


def judge_stdio(tests: StdioTests, limits: Limits, new_process) -> SandboxResult:
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
            output, problem = _read_all(out_r, deadline, limits.output_mb << 20)
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


def candidate_run_program(code: str) -> None:
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


def _read_all(fd: int, deadline: float, cap: int) -> tuple[bytes, str | None]:
    """All of a pipe until EOF, or the problem (timeout, too much output)."""
    try:
        return read_rest(PipeReader(fd, deadline), cap), None
    except Timeout:
        return b"", "timeout"
    except TooLong:
        return b"", "output limit exceeded"


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


def judge_command(tests: CommandTests, limits: Limits, new_process) -> SandboxResult:
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
    """A pipe until EOF, keeping its first and last cap/2 bytes (a runner's summary comes last),
    or what came before the timeout."""
    reader = PipeReader(fd, deadline)
    try:
        return read_rest(reader, cap, keep_ends=True), None
    except Timeout:
        return reader.buffer, "timeout"


def _command_verdict(report: str, expected: int, status: int, output: str) -> tuple[int, str]:
    """(tests seen passing, "" if the run passed else why not), from the runner's own summary.
    A pass needs exit status 0 *and* a summary that counts `expected` passing tests: an early
    exit(0) leaves no summary, and a faked summary must also get the count right."""
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
