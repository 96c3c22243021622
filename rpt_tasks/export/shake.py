"""Tree-shaking the project's source: the top-level definitions some glue code reaches, and the
imports they need, written out as one self-contained module. `rpt export-upstream` builds each
exported task folder's utils.py with it, so a folder carries the verifier functions its hooks call
and nothing else (no copy of the library, no import of it).

Rules: a name the glue defines is the glue's everywhere (it may override a project function, e.g.
to check math in-process); other names are resolved in the module that uses it (its own
definitions, then its `from rpt_tasks.X import name` imports, recursively); standard-library and
third-party imports are kept as import lines (only those of names reached); annotations are not
followed (`from __future__ import annotations`). A shaken definition that still imports rpt_tasks
inside a function or reads files next to its module (`__file__`: package data), or two different
definitions with one name, is an error: the folder would not be self-contained, or would mean
something else.

Layout: one block per project module (dependencies first), under a comment naming the module's
file, its assignments first when they read none of its other definitions. The definitions the glue
names keep their docstring's first sentence; their helpers drop theirs (the project has both).
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = "rpt_tasks"


class ShakeError(ValueError):
    pass


@dataclass
class _Module:
    name: str
    path: Path
    source: str
    defs: dict[str, ast.stmt] = field(default_factory=dict)  # top-level name -> its statement
    project_imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # alias -> (module, name)
    other_imports: dict[str, str] = field(default_factory=dict)  # alias -> import line
    depends: list[str] = field(default_factory=list)  # project modules it imports


def _load(name: str) -> _Module:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ShakeError(f"cannot find module {name}")
    path = Path(spec.origin)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    return _parse(name, path, path.read_text(encoding="utf-8"), package)


def _parse(name: str, path: Path, source: str, package: str) -> _Module:
    module = _Module(name, path, source)
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base == "__future__":
                continue
            for alias in node.names:
                as_name = alias.asname or alias.name
                if base.split(".")[0] == PROJECT:
                    target = f"{base}.{alias.name}"
                    if importlib.util.find_spec(base) and _is_module(target):  # `from pkg import submodule`
                        module.project_imports[as_name] = (target, "")
                    else:
                        module.project_imports[as_name] = (base, alias.name)
                    module.depends.append(base)
                else:
                    line = f"from {base} import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                    module.other_imports[as_name] = line
        elif isinstance(node, ast.Import):
            for alias in node.names:
                as_name = alias.asname or alias.name.split(".")[0]
                if alias.name.split(".")[0] == PROJECT:
                    raise ShakeError(f"{name}: `import {alias.name}` cannot be shaken; use `from ... import`")
                module.other_imports[as_name] = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            module.defs[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        module.defs[leaf.id] = node
    return module


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def referenced_names(node: ast.AST) -> set[str]:
    """The global names a statement reads: loads that are not local to a function or a
    comprehension (parameters, assignments, imports inside it); annotations are not followed."""
    names: set[str] = set()

    def bound_in(scope: ast.AST) -> set[str]:
        bound = set()
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = scope.args
            bound |= {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
        for n in ast.walk(scope):
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
                bound.add(n.id)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                bound |= {(a.asname or a.name).split(".")[0] for a in n.names}
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not scope:
                bound.add(n.name)
            elif isinstance(n, ast.ExceptHandler) and n.name:
                bound.add(n.name)
        return bound

    def visit(n: ast.AST, local: frozenset) -> None:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for child in [*getattr(n, "decorator_list", []), *n.args.defaults, *n.args.kw_defaults]:
                if child is not None:
                    visit(child, local)
            inner = local | bound_in(n)
            for child in (n.body if isinstance(n.body, list) else [n.body]):
                visit(child, inner)
            return
        if isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            inner = local | {t.id for g in n.generators for t in ast.walk(g.target) if isinstance(t, ast.Name)}
            for child in ast.iter_child_nodes(n):
                visit(child, inner)
            return
        if isinstance(n, ast.arg):
            return
        if isinstance(n, ast.AnnAssign):
            for child in (n.target, n.value):
                if child is not None:
                    visit(child, local)
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local:
            names.add(n.id)
        for child in ast.iter_child_nodes(n):
            visit(child, local)

    visit(node, frozenset())
    return names


class Shaker:
    def __init__(self) -> None:
        self._modules: dict[str, _Module] = {}

    def module(self, name: str) -> _Module:
        if name not in self._modules:
            self._modules[name] = _load(name)
        return self._modules[name]

    def shake(self, glue: str, home: str, prelude: str = "") -> str:
        """`glue` (source: its `from rpt_tasks... import` lines say where names come from; other
        names are resolved in module `home`) with every definition it reaches; returns the whole
        module's source, the glue's project imports replaced by the definitions. `prelude`
        (standard-library imports and statements) runs before the definitions."""
        tree = ast.parse(glue)
        virtual = _parse("<glue>", Path("<glue>"), glue, home)
        self._modules["<glue>"] = virtual
        kept: dict[tuple[str, str], ast.stmt] = {}  # (module, name) -> statement
        imports: set[str] = set()  # the import lines of names reached (the glue's too)
        aliases: dict[str, tuple[str, str]] = {}  # glue-visible name -> definition it stands for
        glue_defines = {n for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))
                        for n in _names_defined(node)}
        pending = [("<glue>", name, True) for name in sorted(referenced_names(tree))]  # (module, name, glue calls it)
        seen: set[tuple[str, str]] = set()
        called: set[tuple[str, str]] = set()  # definitions the glue names (they keep a short docstring)
        while pending:
            module_name, name, direct = pending.pop()
            if (module_name, name) in seen and not (direct and (module_name, name) not in called):
                continue
            seen.add((module_name, name))
            if name in glue_defines:
                continue  # the glue's own definition (it overrides a project one of that name)
            if module_name == "<glue>" and name not in virtual.project_imports and name not in virtual.other_imports:
                module_name = home
            module = self.module(module_name)
            if name in module.defs:
                statement = module.defs[name]
                for other in kept:
                    if other[1] == name and other[0] != module_name:
                        raise ShakeError(f"two definitions of {name!r}: {other[0]} and {module_name}")
                kept[(module_name, name)] = statement
                if direct:
                    called.add((module_name, name))
                pending += [(module_name, n, False) for n in referenced_names(statement)]
            elif name in module.project_imports:
                target_module, target_name = module.project_imports[name]
                if not target_name:
                    raise ShakeError(f"{module_name}: {name!r} is a module; import its names instead")
                if target_name != name:
                    aliases[name] = (target_module, target_name)
                pending.append((target_module, target_name, direct))
            elif name in module.other_imports:
                imports.add(module.other_imports[name])
            elif name == "__file__":
                raise ShakeError(f"{module_name} reads package data next to its source (`__file__`), which a "
                                 "task folder does not carry")
            elif not hasattr(builtins, name) and name != "__name__":
                raise ShakeError(f"{module_name}: cannot resolve {name!r}")
        nodes = [node for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))]
        body = "".join(("" if i == 0 else "\n" if _simple(node) and _simple(nodes[i - 1]) else "\n\n\n")
                       + ast.get_source_segment(glue, node) for i, node in enumerate(nodes))
        prelude_tree = ast.parse(prelude)
        imports |= {ast.get_source_segment(prelude, n) for n in prelude_tree.body
                    if isinstance(n, (ast.Import, ast.ImportFrom))}
        code = [n for n in prelude_tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
        first = min((n.lineno for n in code), default=0)  # from the comment lines above the first statement
        prelude_code = "\n".join(prelude.splitlines()[_comments_above(prelude, first) - 1:]) if code else ""
        return self._render(kept, called, imports, aliases, body, prelude_code)

    def _render(self, kept, called, imports, aliases, glue: str, prelude: str = "") -> str:
        order = self._module_order({m for m, _ in kept})
        statements: dict[int, tuple[str, ast.stmt, str]] = {}  # id -> (module, statement, source)
        for (module_name, _), statement in kept.items():
            if id(statement) in statements:  # one assignment defining several names
                continue
            source = ast.get_source_segment(self.module(module_name).source, statement, padded=False)
            if any(isinstance(n, (ast.Import, ast.ImportFrom)) and PROJECT in {(getattr(n, "module", None) or "").split(".")[0],
                                                                             *(a.name.split(".")[0] for a in n.names)}
                   for n in ast.walk(statement)):
                raise ShakeError(f"{module_name}: {getattr(statement, 'name', '')} imports {PROJECT} inside; "
                                 "it cannot be exported self-contained")
            if any(key in called for key in kept if kept[key] is statement):
                source = _first_sentence_docstring(statement, source)
            else:  # a helper: its docstring stays in the project (the block's comment says where)
                source = _without_docstring(statement, source)
            start = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
            if start < statement.lineno:  # decorators belong to the definition
                lines = self.module(module_name).source.splitlines()
                source = "\n".join(lines[start - 1:statement.lineno - 1]) + "\n" + source
            statements[id(statement)] = (module_name, statement, source)
        constants = _constants_first({key: (m, st) for key, (m, st, _) in statements.items()})
        parts: list[str] = []
        previous = None  # (module, simple) of the statement before
        for key in sorted(statements, key=lambda k: (order.index(statements[k][0]), k not in constants,
                                                     _start(statements[k][1]))):
            module_name, statement, source = statements[key]
            simple = isinstance(statement, (ast.Assign, ast.AnnAssign))
            if previous is None or previous[0] != module_name:  # a module's block says where it comes from
                source = f"# {self.module(module_name).path.relative_to(_root()).as_posix()}\n" + source
            elif simple and previous[1]:
                parts.append("\n" + source)
                previous = (module_name, simple)
                continue
            parts.append(source if not parts else "\n\n\n" + source)
            previous = (module_name, simple)
        body = "".join(parts)
        alias_lines = "\n".join(f"{alias} = {target}" for alias, (_, target) in sorted(aliases.items()))
        sections = [sorted((line for line in imports if _is_stdlib(line) == stdlib),
                           key=lambda line: (line.startswith("from"), line)) for stdlib in (True, False)]
        head = "\n\n".join("\n".join(section) for section in sections if section)  # as isort: stdlib, then the others
        return "\n\n\n".join(part for part in (head, prelude.strip(), body, alias_lines, glue.strip()) if part) + "\n"

    def _module_order(self, names: set[str]) -> list[str]:
        """Modules with their project dependencies first (definitions at module level use them)."""
        order: list[str] = []

        def visit(name: str, stack: tuple[str, ...] = ()) -> None:
            if name in order or name in stack:
                return
            for dependency in self.module(name).depends:
                visit(dependency, (*stack, name))
            order.append(name)

        for name in sorted(names):
            visit(name)
        return order


def _names_defined(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {leaf.id for t in targets for leaf in ast.walk(t) if isinstance(leaf, ast.Name)}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return set()


def _root() -> Path:
    """The folder that holds the project package (module paths are written relative to it)."""
    spec = importlib.util.find_spec(PROJECT)
    return Path(spec.origin).parent.parent


def _start(statement: ast.stmt) -> int:
    return min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])


def _constants_first(statements: dict[int, tuple[str, ast.stmt]]) -> set[int]:
    """The module-level assignments that can go before their module's functions and classes (one
    block, in their order): those that read none of the module's other kept definitions."""
    later: dict[str, set[str]] = {}  # module -> names that stay where they are
    for module_name, statement in statements.values():
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)):
            later.setdefault(module_name, set()).update(_names_defined(statement))
    moved = {key for key, (_, statement) in statements.items() if isinstance(statement, (ast.Assign, ast.AnnAssign))}
    changed = True
    while changed:  # an assignment that reads one that stays, stays too
        changed = False
        for key in sorted(moved):
            module_name, statement = statements[key]
            if referenced_names(statement) & later.get(module_name, set()):
                moved.discard(key)
                later.setdefault(module_name, set()).update(_names_defined(statement))
                changed = True
    return moved


_SENTENCE_END = re.compile(r"(?<![.])[.!?](?=\s|$)")
_ABBREVIATION = re.compile(r"(?:\be\.g|\bi\.e|\betc|\bvs|\bcf)$")


def _first_sentence_docstring(statement: ast.stmt, source: str) -> str:
    """A multi-line docstring of a top-level definition cut after its first sentence (the project's
    source has the whole text; the block's comment says where). Sentence ends inside brackets or
    double quotes do not count; with none found before the last line the docstring stays whole."""
    span = _docstring_lines(statement)
    if span is None or span[0] == span[1]:
        return source
    lines = source.splitlines()
    first, last = span
    opening = re.match(r"\s*[rRuU]?(\"\"\"|\'\'\')", lines[first])
    if not opening or not lines[last].rstrip().endswith(opening.group(1)):
        return source
    quote, depth, in_quote = opening.group(1), 0, False
    for row in range(first, last):  # a sentence that ends on the last line: nothing to cut
        line = lines[row]
        column = opening.end() if row == first else 0
        while column < len(line):
            ch = line[column]
            if ch == "\\":
                column += 2
                continue
            if ch in "([{" and not in_quote:
                depth += 1
            elif ch in ")]}" and not in_quote:
                depth = max(depth - 1, 0)
            elif ch == '"':
                in_quote = not in_quote
            elif (not depth and not in_quote and _SENTENCE_END.match(line, column)
                  and not _ABBREVIATION.search(line[:column])):
                cut = lines[first:row] + [line[:column + 1].rstrip() + quote]
                return "\n".join(lines[:first] + cut + lines[last + 1:])
            column += 1
    return source


def _simple(node: ast.stmt) -> bool:
    return isinstance(node, (ast.Assign, ast.AnnAssign))


def _comments_above(source: str, lineno: int) -> int:
    """The first line of the comment lines directly above line `lineno` (1-based)."""
    lines = source.splitlines()
    while lineno > 1 and lines[lineno - 2].lstrip().startswith("#"):
        lineno -= 1
    return lineno


def _docstring_lines(statement: ast.stmt) -> tuple[int, int] | None:
    """(first, last) line of a definition's docstring, relative to its `def`/`class` line; None without one
    or when it is the whole body."""
    body = getattr(statement, "body", None)
    if (isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and len(body) > 1
            and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        return body[0].lineno - statement.lineno, body[0].end_lineno - statement.lineno
    return None


def _without_docstring(statement: ast.stmt, source: str) -> str:
    """The definition without its docstring (and a blank line after it)."""
    span = _docstring_lines(statement)
    if span is None:
        return source
    lines = source.splitlines()
    rest = lines[span[1] + 1:]
    if rest and not rest[0].strip():
        rest = rest[1:]
    return "\n".join(lines[:span[0]] + rest)


def _is_stdlib(import_line: str) -> bool:
    return import_line.split()[1].split(".")[0] in sys.stdlib_module_names
