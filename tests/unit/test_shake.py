"""The tree-shaker's layout of an exported utils.py (rpt_tasks.export.shake)."""

import ast

import pytest

from rpt_tasks.export.shake import Shaker, ShakeError, _first_sentence_docstring

GLUE = '''
from rpt_tasks.verify.math_answers import math_equal


def check(answer, gold):
    return math_equal(answer, gold)


def symbolic_equal(gold, pred):
    return gold == pred
'''


def _definitions(source: str) -> dict[str, ast.stmt]:
    return {node.name: node for node in ast.parse(source).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def test_shaken_module_layout():
    out = Shaker().shake(GLUE, "rpt_tasks.verify.math_answers", prelude="import sys as _sys\n\n_sys.modules\n")
    compile(out, "utils.py", "exec")
    assert "rpt_tasks" not in out.replace("# rpt_tasks/", "")  # self-contained; the comments name the modules
    assert "# rpt_tasks/verify/math_answers.py\n" in out
    definitions = _definitions(out)
    assert ast.get_docstring(definitions["math_equal"]) == "Equivalence of two final answers (not whole outputs)."
    assert ast.get_docstring(definitions["normalize_math_answer"]) is None  # a helper: its docstring stays home
    assert ast.get_source_segment(out, definitions["symbolic_equal"]).endswith("return gold == pred")  # the glue's
    lines = out.splitlines()
    assert lines.index("import sys as _sys") < lines.index("_sys.modules") < lines.index("def check(answer, gold):")
    block = lines.index("# rpt_tasks/verify/math_answers.py")
    first_def = next(i for i, line in enumerate(lines) if line.startswith("def ") and i > block)
    assert all("=" in line or line.startswith(" ") for line in lines[block + 1:first_def - 2])  # constants first


def _cut(doc: str) -> str:
    source = f'def f():\n    """{doc}"""\n    return 1\n'
    statement = ast.parse(source).body[0]
    return ast.get_docstring(ast.parse(_first_sentence_docstring(statement, source)).body[0])


def test_first_sentence_of_a_docstring():
    assert _cut("One line. Two\n    lines.") == "One line."
    assert _cut("Keep (a. b) and \"x. y\" whole, e.g. this. Then\n    more.") == \
        "Keep (a. b) and \"x. y\" whole, e.g. this."
    assert _cut("No end on the first\n    line. The rest\n    too.") == "No end on the first\nline."
    assert _cut("Only the last line\n    ends here.") == "Only the last line\nends here."


def test_package_data_is_not_exportable():
    with pytest.raises(ShakeError, match="__file__"):
        Shaker().shake("from rpt_tasks.benchmarks.knowledge import in_pubmedqa_test\n\n\ndef f(row):\n"
                       "    return in_pubmedqa_test(row)\n", "rpt_tasks.benchmarks.knowledge")
