"""The sandbox: correct programs pass, wrong ones fail, and no attack fakes a pass or escapes."""

import ast
import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from rpt_tasks.data import load_docs
from rpt_tasks.sandbox import FunctionTests, Limits, Sandbox, StdioTests, decode, encode, outputs_match
from rpt_tasks.testing.sandbox_attacks import attack_suite, command_attack_job, command_attacks
from rpt_tasks.verify import code_program, verify_code, verify_code_many

SECRET = "rpt-secret-" + os.urandom(8).hex()


@pytest.fixture(scope="module")
def sandbox():
    os.environ["RPT_TEST_SECRET"] = SECRET  # the evaluator's environment holds a secret
    box = Sandbox(workers=2)
    yield box
    box.close()


def test_function_tests_pass_and_fail(sandbox):
    ok = sandbox.submit("def add(a, b):\n    return a + b\n", FunctionTests("assert add(1, 2) == 3\nassert candidate(2, 2) == 4", "add"))
    bad = sandbox.submit("def add(a, b):\n    return a - b\n", FunctionTests("assert add(1, 2) == 3", "add"))
    missing = sandbox.submit("def plus(a, b):\n    return a + b\n", FunctionTests("assert candidate(1, 2) == 3", "add"))
    assert ok.result().passed and ok.result().isolation in ("netns+chroot", "userns+netns", "netns")
    assert bad.result().status == "failed"
    assert missing.result().status == "failed" and "no function 'add'" in missing.result().detail


def test_objects_mutation_and_exceptions_cross_the_boundary(sandbox):
    code = ("class Node:\n    def __init__(self, v):\n        self.v = v\n        self.next = None\n"
            "def total(node):\n    return 0 if node is None else node.v + total(node.next)\n"
            "def push(xs):\n    xs.append(1)\n"
            "def boom():\n    raise ValueError('no')\n"
            "def counts(s):\n    import collections\n    return collections.Counter(s)\n"
            "_pending = iter([5])\n"
            "def take():\n    return next(_pending)\n")
    tests = ("a = Node(1)\na.next = Node(2)\nassert total(a) == 3\nassert a.next.v == 2\n"
             "xs = []\npush(xs)\nassert xs == [1]\n"
             "try:\n    boom()\nexcept ValueError:\n    pass\nelse:\n    raise AssertionError('no exception')\n"
             "assert counts('aab') == {'a': 2, 'b': 1}\n"
             "assert take() == 5\n")  # module-level iterators are not consumed by the judge's look at them
    result = sandbox.submit(code, FunctionTests(tests)).result()
    assert result.passed, result


def test_stdio_programs_and_token_comparison(sandbox):
    double = "n = int(input())\nprint(n * 2)\n"
    assert sandbox.submit(double, StdioTests((("3\n", "6\n"), ("5", " 10 ")))).result().passed
    wrong = sandbox.submit(double, StdioTests((("3\n", "6\n"), ("5", "11")))).result()
    assert wrong.status == "failed" and wrong.tests_passed == 1 and wrong.tests_total == 2
    crash = sandbox.submit("import sys\nprint(6)\nsys.exit(3)\n", StdioTests((("", "6"),))).result()
    assert crash.status == "failed" and "exit status 3" in crash.detail
    assert outputs_match("1.0000001\n", "1", 1e-6) and not outputs_match("1.01", "1", 1e-6)
    assert not outputs_match("1.0000001", "1") and not outputs_match("1 2", "1")


def test_plain_data_codec_rebuilds_exact_builtins():
    value = [1, 2.5, float("inf"), "s", b"b", (1, 2), {1: "a"}, {3}, frozenset({4}), None, True, 1 + 2j, range(3)]
    assert decode(json.loads(json.dumps(encode(value)))) == value

    class Sly(int):
        def __eq__(self, other):
            return True
    assert type(decode(encode(Sly(3)))) is int
    with pytest.raises(ValueError):
        encode(object())


@pytest.fixture(scope="module")
def answers_file():
    """Expected outputs in a world-readable file outside the candidate's folder."""
    import tempfile

    fd, path = tempfile.mkstemp(dir="/tmp", prefix="rpt-answers-", suffix=".json")
    os.write(fd, b"[3, 7]")
    os.close(fd)
    os.chmod(path, 0o644)
    yield path
    os.unlink(path)


@pytest.mark.parametrize("index", range(len(attack_suite(1, ""))))
def test_attack_is_judged_fail(index, sandbox, answers_file):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    name, code, tests, limits = attack_suite(listener.getsockname()[1], SECRET, answers_file)[index]
    start = time.monotonic()
    result = sandbox.submit(code, tests, limits).result()
    assert not result.passed, (name, result)
    assert time.monotonic() - start < limits.timeout_s + 5, name
    with pytest.raises(socket.timeout):
        listener.accept()  # nothing ever reached the host's loopback
    listener.close()
    # the evaluator keeps going: a correct program still passes right after
    after = sandbox.submit("def add(a, b):\n    return a + b\n", FunctionTests("assert add(1, 2) == 3", "add"))
    assert after.result().passed, name
    # every process of the candidate's uid is gone shortly after (its shepherd cleans up)
    for _ in range(100):
        uids = subprocess.run(["ps", "-eo", "uid="], capture_output=True, text=True).stdout.split()
        leftovers = [u for u in uids if int(u) >= 1_000_000 and int(u) != os.getuid()]
        if not leftovers:
            break
        time.sleep(0.05)
    assert not leftovers, f"{name}: processes left behind"
    assert not _sandbox_ipc_objects(), f"{name}: IPC objects left behind"


def _sandbox_ipc_objects() -> list[str]:
    """SysV IPC objects (shared memory, message queues, semaphores) a sandbox uid owns or made."""
    found = []
    for kind in ("shm", "msg", "sem"):
        lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        header = lines[0].split()
        for line in lines[1:]:
            row = dict(zip(header, line.split()))
            if int(row["uid"]) >= 1_000_000 or int(row["cuid"]) >= 1_000_000:
                found.append(f"{kind} {row['key']}")
    return found


IPC_PROBE = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
def probe():
    found = [name for name, get in (("shm", lambda: libc.shmget(0x52505400, 0, 0)),
                                    ("msg", lambda: libc.msgget(0x52505401, 0)),
                                    ("sem", lambda: libc.semget(0x52505402, 0, 0))) if get() >= 0]
    for name, make in (("shm", lambda: libc.shmget(0x52505400, 1 << 20, 0o1000 | 0o666)),
                       ("msg", lambda: libc.msgget(0x52505401, 0o1000 | 0o666)),
                       ("sem", lambda: libc.semget(0x52505402, 1, 0o1000 | 0o666))):
        make()
    return "fresh" if not found else "seen " + " ".join(found)
"""


def test_ipc_objects_never_reach_a_later_candidate(sandbox):
    """Each candidate has its own IPC namespace: what one creates, the next (another uid) never sees."""
    first = sandbox.submit(IPC_PROBE, FunctionTests("assert probe() == 'fresh'\n", "probe")).result()
    second = sandbox.submit(IPC_PROBE, FunctionTests("assert probe() == 'fresh'\n", "probe")).result()
    assert first.passed and second.passed, (first, second)
    assert not _sandbox_ipc_objects()


STATE_PROBE = """
import ctypes, os
seen = []
for path in ("state.txt", "/tmp/state.txt", "/dev/shm/state.txt", "/var/tmp/state.txt"):
    if os.path.exists(path):
        seen.append(path)
    try:
        open(path, "a").write("x")
    except OSError:
        pass
libc = ctypes.CDLL(None, use_errno=True)
if libc.shmget(0x52505403, 0, 0) >= 0:
    seen.append("shm")
libc.shmget(0x52505403, 4096, 0o1000 | 0o666)
if os.fork() == 0:  # a process left running to change the next case's world
    import time
    time.sleep(0.2)
    open("/tmp/late.txt", "w").write("x")
    os._exit(0)
seen += [p for p in ("/tmp/late.txt",) if os.path.exists(p)]
print("fresh" if not seen else "seen " + " ".join(seen))
"""


def test_stdio_cases_of_one_program_share_no_state(sandbox):
    """The cases of one program run in turn in one server, each in a fresh world: files, IPC and
    processes of one case are gone before the next."""
    result = sandbox.submit(STATE_PROBE, StdioTests(tuple(("", "fresh") for _ in range(4))), Limits(timeout_s=5)).result()
    assert result.passed, result
    assert not _sandbox_ipc_objects()


@pytest.mark.parametrize("index", range(len(command_attacks())))
def test_command_attack_is_judged_fail(index, sandbox):
    """Python runners (pytest for Aider, unittest for BigCodeBench): printing a summary, exiting
    early, forging or flooding the report channel and patching the framework all FAIL."""
    name, runner, code, files = command_attacks()[index]
    result = sandbox.submit("", *command_attack_job(runner, code, files)).result()
    assert not result.passed, (name, result)
    assert result.status in ("failed", "tamper_suspected"), (name, result)
    right = "def add(a, b):\n    return a + b\n" if runner == "pytest" else "def task_func(a, b):\n    return a + b\n"
    assert sandbox.submit("", *command_attack_job(runner, right, {})).result().passed, name
    assert not _sandbox_ipc_objects(), name


def _body_replaced_by_return_none(code: str) -> str:
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.body = [ast.Return(ast.Constant(None))]
    return ast.unparse(tree)


def test_humaneval_reference_solutions_pass_and_gutted_ones_fail(mirror):
    docs = load_docs("humaneval")
    specs = [json.loads(d["tests"]) for d in docs]
    good = verify_code_many(["```python\n" + d["question"] + d["gold"] + "\n```" for d in docs], specs, progress=False)
    assert sum(map(bool, good)) == 164, [(d["rpt_id"], v.detail) for d, v in zip(docs, good) if not v][:5]
    gutted = verify_code_many([d["question"] + "    return None\n" for d in docs], specs, progress=False)
    assert not any(gutted), [d["rpt_id"] for d, v in zip(docs, gutted) if v]


@pytest.mark.parametrize("name, size", [("mbpp", 257), ("mbpp_full", 500)])
def test_mbpp_reference_solutions_pass_and_gutted_ones_fail(name, size, mirror):
    docs = load_docs(name)
    specs = [json.loads(d["tests"]) for d in docs]
    good = verify_code_many(["```python\n" + d["gold"] + "\n```" for d in docs], specs, progress=False)
    assert sum(map(bool, good)) == size, [(d["rpt_id"], v.detail) for d, v in zip(docs, good) if not v][:5]
    gutted = verify_code_many(["```python\n" + _body_replaced_by_return_none(d["gold"]) + "\n```" for d in docs],
                              specs, progress=False)
    assert not any(gutted), [d["rpt_id"] for d, v in zip(docs, gutted) if v]


def test_unfenced_mbpp_references_pass(mirror):
    """An answer that is a program without a fence (MBPP's references as they are) is code."""
    docs = load_docs("mbpp")
    good = verify_code_many([d["gold"] for d in docs], [json.loads(d["tests"]) for d in docs], progress=False)
    assert sum(map(bool, good)) >= 256, [(d["rpt_id"], v.detail) for d, v in zip(docs, good) if not v][:5]


def test_code_extraction_rules():
    spec = {"kind": "function", "program": "", "entry_point": "f", "prompt": "def f(x):\n", "prefix": ""}
    assert code_program("```python\ndef f(x):\n    return x\n```", spec) == "def f(x):\n    return x\n"
    assert code_program("```python\n    return x\n```", spec) == "def f(x):\n    return x\n"  # a body only
    assert code_program("    return x\n", spec) == "def f(x):\n    return x\n"  # base-model continuation
    assert code_program("<think>```python\nbad\n```", spec) is None  # unclosed reasoning
    plain = {"kind": "function", "program": "", "entry_point": None, "prompt": "", "prefix": "import re\n"}
    assert code_program("```js\nx\n```\n```python\ny = 1\n```\n```\nz\n```", plain) == "import re\nz\n"
    assert code_program("no code here", plain) is None
    assert code_program("```python\nunterminated", plain) is None


def test_verify_code_is_a_reward(mirror):
    doc = load_docs("humaneval")[0]
    spec = json.loads(doc["tests"])
    right = verify_code("```python\n" + doc["question"] + doc["gold"] + "```", spec)
    assert right and float(right) == 1.0
    wrong = verify_code("I cannot do this.", {**spec, "prompt": ""})
    assert not wrong and wrong.answer is None and float(wrong) == 0.0


def test_command_mode_sees_only_the_system_and_its_project(mirror):
    """The runner of command mode: no checkout, no mirror, no other working folder, no network
    beyond its own loopback, test files it cannot change, writes only to /project and /tmp."""
    import sys

    from rpt_tasks.sandbox import CommandTests, Limits, run_in_sandbox

    probe = f'''
import os, socket
def check(name, action):
    try:
        action()
        print(name, "ALLOWED")
    except Exception as e:
        print(name, "denied", type(e).__name__)
check("checkout", lambda: open({str(Path(__file__).resolve().parents[2] / "README.md")!r}).read())
check("mirror", lambda: os.listdir({str(mirror)!r}))
check("edit-tests", lambda: open("test_probe.py", "a").write("#"))
check("remove-tests", lambda: os.remove("test_probe.py"))
check("write-usr", lambda: open("/usr/probe", "w"))
check("internet", lambda: socket.create_connection(("1.1.1.1", 80), timeout=2))
check("project-write", lambda: open("scratch.txt", "w").write("x"))
check("tmp-write", lambda: open("/tmp/scratch.txt", "w").write("x"))
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
check("loopback", lambda: socket.create_connection(server.getsockname(), timeout=2))
def test_probe():
    pass
'''
    from rpt_tasks.sandbox.runners import GUARD_MODULE, PYTEST_CONFTEST, guard_source

    files = {"test_probe.py": probe, "conftest.py": PYTEST_CONFTEST, GUARD_MODULE: guard_source()}
    tests = CommandTests(files, (sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                                                     "test_probe.py"), "pytest", 1)
    result = run_in_sandbox("", tests, Limits(timeout_s=60, memory_mb=4096))
    verdicts = dict(line.split()[:2] for line in result.output.splitlines() if line.split()[:1] and
                    line.split()[0] in {"checkout", "mirror", "edit-tests", "remove-tests", "write-usr", "internet",
                                        "project-write", "tmp-write", "loopback"})
    assert verdicts == {"checkout": "denied", "mirror": "denied", "edit-tests": "denied", "remove-tests": "denied",
                        "write-usr": "denied", "internet": "denied", "project-write": "ALLOWED",
                        "tmp-write": "ALLOWED", "loopback": "ALLOWED"}, result.output
    assert result.passed and "mntns" in result.isolation
