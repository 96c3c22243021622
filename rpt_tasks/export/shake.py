"""Tree-shaking the project's source: the top-level definitions some glue code reaches, and the
imports they need, written out as one self-contained module. `rpt export-upstream` builds each
exported task folder's utils.py with it, so a folder carries the verifier functions its hooks call
and nothing else (no copy of the library, no import of it).

Rules: a name the glue defines is the glue's everywhere (it may override a project function, e.g.
to check math in-process); other names are resolved in the module that uses it (its own definitions, then its
`from rpt_tasks.X import name` imports, recursively); standard-library and third-party imports are
kept as import lines; annotations are not followed (`from __future__ import annotations`). A
shaken definition that still imports rpt_tasks inside a function, or two different definitions
with one name, is an error: the folder would not be self-contained, or would mean something else.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
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

    def shake(self, glue: str, home: str) -> str:
        """`glue` (source: its `from rpt_tasks... import` lines say where names come from; other
        names are resolved in module `home`) with every definition it reaches; returns the whole
        module's source, the glue's project imports replaced by the definitions."""
        tree = ast.parse(glue)
        virtual = _parse("<glue>", Path("<glue>"), glue, home)
        self._modules["<glue>"] = virtual
        kept: dict[tuple[str, str], ast.stmt] = {}  # (module, name) -> statement
        imports: set[str] = set(virtual.other_imports.values())
        aliases: dict[str, tuple[str, str]] = {}  # glue-visible name -> definition it stands for
        glue_defines = {n for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))
                        for n in _names_defined(node)}
        pending = [("<glue>", name) for name in sorted(referenced_names(tree))]
        seen: set[tuple[str, str]] = set()
        while pending:
            module_name, name = pending.pop()
            if (module_name, name) in seen:
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
                pending += [(module_name, n) for n in referenced_names(statement)]
            elif name in module.project_imports:
                target_module, target_name = module.project_imports[name]
                if not target_name:
                    raise ShakeError(f"{module_name}: {name!r} is a module; import its names instead")
                if target_name != name:
                    aliases[name] = (target_module, target_name)
                pending.append((target_module, target_name))
            elif name in module.other_imports:
                imports.add(module.other_imports[name])
            elif not hasattr(builtins, name) and name not in ("__name__", "__file__"):
                raise ShakeError(f"{module_name}: cannot resolve {name!r}")
        body = "\n\n\n".join(ast.get_source_segment(glue, node) for node in tree.body
                              if not isinstance(node, (ast.Import, ast.ImportFrom)))
        return self._render(kept, imports, aliases, body)

    def _render(self, kept, imports, aliases, glue: str) -> str:
        order = self._module_order({m for m, _ in kept})
        statements: list[tuple[int, int, str]] = []
        written: set[int] = set()
        for (module_name, _), statement in kept.items():
            if id(statement) in written:  # one assignment defining several names
                continue
            written.add(id(statement))
            source = ast.get_source_segment(self.module(module_name).source, statement, padded=False)
            if any(isinstance(n, (ast.Import, ast.ImportFrom)) and PROJECT in {(getattr(n, "module", None) or "").split(".")[0],
                                                                             *(a.name.split(".")[0] for a in n.names)}
                   for n in ast.walk(statement)):
                raise ShakeError(f"{module_name}: {getattr(statement, 'name', '')} imports {PROJECT} inside; "
                                 "it cannot be exported self-contained")
            start = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
            if start < statement.lineno:  # decorators belong to the definition
                lines = self.module(module_name).source.splitlines()
                source = "\n".join(lines[start - 1:statement.lineno - 1]) + "\n" + source
            simple = isinstance(statement, (ast.Assign, ast.AnnAssign))
            statements.append((order.index(module_name), start, source, simple))
        parts: list[str] = []
        previous_simple = False
        for _, _, source, simple in sorted(statements):
            parts.append(("\n" if simple and previous_simple else "\n\n\n") + source if parts else source)
            previous_simple = simple
        body = "".join(parts)
        alias_lines = "\n".join(f"{alias} = {target}" for alias, (_, target) in sorted(aliases.items()))
        head = "\n".join(sorted(imports, key=lambda line: (line.startswith("from"), line)))
        return "\n\n\n".join(part for part in (head, body, alias_lines, glue.strip()) if part) + "\n"

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
