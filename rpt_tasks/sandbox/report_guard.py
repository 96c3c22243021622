"""The evidence a Python test run gives the judge (command mode: pytest for Aider Polyglot's
Python exercises, BigCodeBench's unittest runner). Copied into the project as `_rpt_guard.py`
and loaded by the runner before any candidate code; standard library only, for any Python the
tests run under.

The runner reports on fd 4, a pipe the judge opened before the runner started, each message a
JSON line that starts with a per-run nonce the judge sent on fd 3 (read and closed here, before
the candidate loads): what the candidate prints, writes past the capture or fakes at exit is
never evidence. Each report carries a fingerprint of the framework internals that decide an
outcome (unittest's case, _Outcome, result, suite, loader and runner classes; pytest's items,
runner, reports, hooks and registered plugins) taken at that moment; the judge compares them
with the first one, so an internal patched for the run shows (status tamper_suspected). An
audit hook reports tracing (sys.settrace can skip a failing line) and swapped function code.

What this cannot rule out (the candidate runs in the same interpreter): code that walks frames
or the garbage collector to find the reporting closure, writes memory through ctypes, patches
an internal and restores it within one test, or returns objects whose __eq__ lies. Hence these
suites are for evaluation, never for rewards (see rpt_tasks/sandbox/README.md).
"""

import builtins
import hashlib
import json
import os
import sys
import types

NONCE_FD, REPORT_FD = 3, 4


def open_channel():
    """(emit, private input): the nonce and what follows it on fd 3 (a runner's source, kept off
    the disk), then fd 3 closed. `emit(*event)` writes one report; the nonce lives only in its
    closure. The report fd is not inherited by processes the tests start."""
    chunks = []
    while True:
        chunk = os.read(NONCE_FD, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(NONCE_FD)
    nonce, _, private = b"".join(chunks).partition(b"\n")
    os.set_inheritable(REPORT_FD, False)
    prefix = json.dumps(nonce.decode("ascii"))
    write, dumps = os.write, json.dumps

    def emit(*event):
        line = ("[" + prefix + ", " + dumps(list(event))[1:] + "\n").encode()
        while line:
            line = line[write(REPORT_FD, line):]

    return emit, private.decode("utf-8")


def _entries(obj):
    """What of `obj` decides behaviour: its callables and descriptors, by identity (data such as
    counters and caches may change during a run)."""
    namespace = vars(obj) if hasattr(obj, "__dict__") else {}
    entries = []
    for name in sorted(namespace, key=str):
        value = namespace[name]
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type, property, classmethod,
                              staticmethod, types.MethodType)) or callable(value):
            inner = getattr(value, "__func__", None) or getattr(value, "fget", None) or value
            entries.append((str(name), id(value), id(getattr(inner, "__code__", None)),
                            id(getattr(inner, "__defaults__", None)), id(getattr(inner, "__kwdefaults__", None))))
    if isinstance(obj, type):
        entries.append(("__bases__", tuple(map(id, obj.__bases__))))
    return entries


def fingerprinter(watched, extra=None):
    """A function giving the current fingerprint of `watched` (classes and modules) plus
    `extra()` (plugin registrations), and whether a tracer or profiler is active."""
    sha256, dump = hashlib.sha256, repr
    gettrace, getprofile = sys.gettrace, sys.getprofile
    modules = sys.modules

    def fingerprint():
        state = [(getattr(obj, "__name__", "?"), _entries(obj)) for obj in watched]
        state.append(tuple(id(modules.get(getattr(obj, "__name__", ""))) for obj in watched
                           if isinstance(obj, types.ModuleType)))
        state.append((gettrace() is None, getprofile() is None))
        if extra is not None:
            state.append(extra())
        return sha256(dump(state).encode()).hexdigest()[:32]

    return fingerprint


def builtins_fingerprinter():
    """The builtins, compared at start and end only: tests may patch them (mock) while they run."""
    return fingerprinter([builtins])


def unittest_watched():
    import unittest
    import unittest.case
    import unittest.loader
    import unittest.result
    import unittest.runner
    import unittest.suite

    parts = [unittest.case, unittest.case.TestCase, unittest.case._Outcome, unittest.case.FunctionTestCase,
             unittest.case._SubTest, unittest.result, unittest.result.TestResult, unittest.suite,
             unittest.suite.BaseTestSuite, unittest.suite.TestSuite, unittest.loader, unittest.loader.TestLoader,
             unittest.runner.TextTestResult, unittest.runner.TextTestRunner]
    # not the `unittest` package itself: its namespace grows as tests import unittest.mock or use
    # IsolatedAsyncioTestCase (a lazy attribute); the runner uses the submodules' classes
    return parts + [getattr(unittest.case, name) for name in ("_AssertRaisesContext", "_AssertWarnsContext")
                    if hasattr(unittest.case, name)]


def pytest_watched():
    import _pytest.main
    import _pytest.nodes
    import _pytest.outcomes
    import _pytest.python
    import _pytest.reports
    import _pytest.runner
    import _pytest.unittest
    import pluggy

    parts = [_pytest.python, _pytest.python.Function, _pytest.python.Class, _pytest.python.Module,
             _pytest.python.PyobjMixin, _pytest.runner, _pytest.runner.CallInfo, _pytest.reports,
             _pytest.reports.BaseReport, _pytest.reports.TestReport, _pytest.reports.CollectReport, _pytest.main,
             _pytest.main.Session, _pytest.nodes.Node, _pytest.nodes.Item, _pytest.unittest,
             _pytest.unittest.TestCaseFunction, _pytest.unittest.UnitTestCase, _pytest.outcomes, pluggy,
             pluggy.PluginManager, pluggy.HookimplMarker]
    for module_name in ("pluggy._hooks", "pluggy._callers", "pluggy._manager", "pluggy._result"):
        module = sys.modules.get(module_name)
        if module is not None:
            parts.append(module)
            parts += [value for value in vars(module).values()
                      if isinstance(value, type) and value.__module__ == module_name]
    return parts + unittest_watched()


# The hooks through which a test's outcome is decided and reported.
OUTCOME_HOOKS = ("pytest_runtestloop", "pytest_runtest_protocol", "pytest_runtest_setup", "pytest_runtest_call",
                 "pytest_runtest_teardown", "pytest_runtest_makereport", "pytest_runtest_logreport",
                 "pytest_pyfunc_call", "pytest_report_teststatus", "pytest_collection_modifyitems",
                 "pytest_collectreport", "pytest_sessionfinish", "pytest_deselected")


def pytest_registrations(plugin_manager):
    """The registered plugins and the implementations of the outcome hooks, by identity."""
    def registrations():
        plugins = sorted((str(name), id(plugin)) for name, plugin in plugin_manager.list_name_plugin())
        hooks = []
        for hook_name in OUTCOME_HOOKS:
            caller = getattr(plugin_manager.hook, hook_name, None)
            if caller is not None:
                hooks.append((hook_name, [(impl.plugin_name, id(impl.function), bool(impl.hookwrapper),
                                           bool(getattr(impl, "wrapper", False))) for impl in caller.get_hookimpls()]))
        return plugins, hooks

    return registrations


# Modules whose functions decide an outcome (__main__: the unittest runner): swapping their code
# is tampering. Elsewhere it is legitimate (types.coroutine rewrites __code__ in asyncio).
FRAMEWORK_MODULES = ("unittest", "_pytest", "pytest", "pluggy", "_rpt_guard", "conftest", "__main__")


def install_audit(emit):
    """Report, the moment it happens, a tracer or profiler being set (a trace function can jump
    over a failing line) and the code of a framework function being swapped (which a patch
    restored before the next report would otherwise hide)."""
    def audit(event, args):
        if event in ("sys.settrace", "sys.setprofile"):
            emit("tamper", event)
        elif event == "object.__setattr__" and len(args) >= 2 and args[1] == "__code__" \
                and isinstance(args[0], types.FunctionType) \
                and str(getattr(args[0], "__module__", "")).split(".")[0] in FRAMEWORK_MODULES:
            emit("tamper", f"{getattr(args[0], '__qualname__', '?')}.__code__ replaced")

    sys.addaudithook(audit)
