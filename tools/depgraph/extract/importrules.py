"""The rules both import extractors share, so the fast scanner and the `ast` oracle agree by construction.

- TYPE_CHECKING: a test that is the name ``TYPE_CHECKING`` (or a name bound by ``from typing import
  TYPE_CHECKING as X``), or ``M.TYPE_CHECKING`` where M is ``typing``/``typing_extensions`` or a name bound
  by ``import typing as M``. ``if not <that>:`` makes its *else* branch type-checking only. Aliases are
  collected from every import statement of the file, wherever it is.
- guarded: the body of a ``try`` one of whose handlers names ``ImportError`` or ``ModuleNotFoundError``
  (alone or in a tuple). Handlers, ``else`` and ``finally`` are not guarded. ``except Exception`` is not.
  A def inside such a ``try`` is not guarded: its body runs when called, outside the try. (Under
  TYPE_CHECKING or a ``__main__`` block a def's body keeps those kinds: the def exists only there.)
- main: the body of ``if __name__ == "__main__":`` (either side of ``==``): it runs only when the file is
  run as a script, never when it is imported. Its ``elif``/``else`` branches are not.
- an import has every kind that applies (a set, ``ImportKind`` flags): inside a def and a guarded try it
  is deferred+guarded; top-level is none of them. Class bodies are top-level.
- dynamic: ``importlib.import_module("x"[, package])`` (also through ``import importlib as M`` and
  ``from importlib import import_module [as f]``) and ``__import__("x"[, g, l, fromlist, level])`` with a
  literal name; DYNAMIC plus the kinds of the statement holding the call (the block around it: a call in
  an ``if`` test or a def's default values is in the enclosing block).
- relative names resolve against the importer's package; one that climbs past the top-level package stays
  as written (leading dots) so the graph can call it unknown.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

from depgraph.base.imports import ImportKind, ImportRecord, Suppression

TYPING_MODULES = frozenset({"typing", "typing_extensions"})
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
SUPPRESSION_MARK = "depgraph:"
_SUPPRESSION_RE = re.compile(r"depgraph:[ \t]*ignore\[([^\]]*)\][ \t]*(.*)")


@dataclass(slots=True)
class Aliases:
    """Names a file binds to typing, TYPE_CHECKING, importlib and import_module."""

    typing_modules: set[str] = field(default_factory=lambda: set(TYPING_MODULES))
    tc_names: set[str] = field(default_factory=lambda: {"TYPE_CHECKING"})
    importlib_names: set[str] = field(default_factory=lambda: {"importlib"})
    import_module_names: set[str] = field(default_factory=set)

    def add(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is None:
                    continue
                if alias.name in TYPING_MODULES:
                    self.typing_modules.add(alias.asname)
                elif alias.name == "importlib":
                    self.importlib_names.add(alias.asname)
            return
        if node.level:
            return
        for alias in node.names:
            if node.module in TYPING_MODULES and alias.name == "TYPE_CHECKING":
                self.tc_names.add(alias.asname or alias.name)
            elif node.module == "importlib" and alias.name == "import_module":
                self.import_module_names.add(alias.asname or alias.name)


def parse(source: str | bytes) -> ast.Module:
    """`ast.parse` without its warnings: from Python 3.12 on it prints a SyntaxWarning for every invalid
    escape sequence in the code it parses, which is no concern of an import scan."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def parse_expression(source: str) -> ast.Expression:
    """`parse` for one expression."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, mode="eval")


def package_of(module: str, is_package: bool) -> str:
    """The package a module's relative imports are relative to."""
    return module if is_package else module.rpartition(".")[0]


def resolve(name: str | None, level: int, module: str, is_package: bool) -> str:
    """Absolute name of `from <dots><name> import ...` in `module`; as written when it climbs too far."""
    if level == 0:
        return name or ""
    base = package_of(module, is_package)
    parts = base.split(".") if base else []
    if level - 1 >= len(parts):
        return "." * level + (name or "")
    stem = ".".join(parts[: len(parts) - (level - 1)])
    return f"{stem}.{name}" if name else stem


def statement_text(segment: str) -> str:
    """An import statement on one line: comments, continuations and extra whitespace gone.

    Import statements hold no string literals, so every ``#`` starts a comment.
    """
    joined = " ".join(line.split("#", 1)[0] for line in segment.splitlines())
    text = " ".join(joined.replace("\\", " ").split())
    return text.replace("( ", "(").replace(" )", ")")


def records_for(
    node: ast.Import | ast.ImportFrom,
    module: str,
    is_package: bool,
    kind: ImportKind,
    text: str,
    *,
    line: int | None = None,
) -> list[ImportRecord]:
    """The records of one statement (`line` overrides the node's, for nodes parsed out of place)."""
    at = node.lineno if line is None else line
    names = tuple(alias.name for alias in node.names)
    if isinstance(node, ast.Import):
        return records(at, names, None, -1, module, is_package, kind, text)
    return records(at, names, node.module, node.level, module, is_package, kind, text)


_new = tuple.__new__


def records(  # noqa: PLR0917 - the parts of one statement, in the order they are written
    line: int,
    names: tuple[str, ...],
    source: str | None,
    level: int,
    module: str,
    is_package: bool,
    kind: ImportKind,
    text: str,
) -> list[ImportRecord]:
    """The records of `import <names>` (level -1) or `from <level dots><source> import <names>` in
    `module`: one per imported module, or one for the `from` target with its names."""
    if level < 0:
        return [_new(ImportRecord, (line, name, (), kind, text, 0)) for name in names]
    target = resolve(source, level, module, is_package) if level else source or ""
    return [_new(ImportRecord, (line, target, names, kind, text, level))]


def type_checking_test(test: ast.expr, aliases: Aliases) -> bool | None:
    """True for a TYPE_CHECKING test, False for `not TYPE_CHECKING`, None for anything else."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return False if _is_tc(test.operand, aliases) else None
    return True if _is_tc(test, aliases) else None


def _is_tc(node: ast.expr, aliases: Aliases) -> bool:
    if isinstance(node, ast.Name):
        return node.id in aliases.tc_names
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "TYPE_CHECKING"
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases.typing_modules
    )


def main_test(test: ast.expr) -> bool:
    """`__name__ == "__main__"` (or the other way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(n, ast.Name) and n.id == "__name__" for n in sides) and any(
        _literal_str(n) == "__main__" for n in sides
    )


def catches_import_error(handler_type: ast.expr | None) -> bool:
    if handler_type is None:
        return False
    items = handler_type.elts if isinstance(handler_type, ast.Tuple) else [handler_type]
    return any(isinstance(item, ast.Name) and item.id in IMPORT_ERRORS for item in items)


def _literal_str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _arg(call: ast.Call, index: int, name: str) -> tuple[bool, ast.expr | None]:
    """(given, node) for a positional-or-keyword argument."""
    if len(call.args) > index:
        return True, call.args[index]
    for kw in call.keywords:
        if kw.arg == name:
            return True, kw.value
    return False, None


def dynamic_target(call: ast.Call, module: str, is_package: bool, aliases: Aliases) -> tuple[str, int] | None:
    """(module, level) a call imports by a literal name, or None when it is not such a call."""
    func = call.func
    if any(isinstance(a, ast.Starred) for a in call.args) or any(kw.arg is None for kw in call.keywords):
        return None
    if isinstance(func, ast.Name) and func.id == "__import__":
        name = _literal_str(call.args[0] if call.args else _arg(call, 0, "name")[1])
        if not name:
            return None
        given, level_node = _arg(call, 4, "level")
        level = 0
        if given:
            if not (isinstance(level_node, ast.Constant) and type(level_node.value) is int):
                return None
            level = level_node.value
            if level < 0:
                return None
        return resolve(name, level, module, is_package), level
    is_import_module = (isinstance(func, ast.Name) and func.id in aliases.import_module_names) or (
        isinstance(func, ast.Attribute)
        and func.attr == "import_module"
        and isinstance(func.value, ast.Name)
        and func.value.id in aliases.importlib_names
    )
    if not is_import_module:
        return None
    name = _literal_str(_arg(call, 0, "name")[1])
    if not name:
        return None
    if not name.startswith("."):
        return name, 0
    level = len(name) - len(name.lstrip("."))
    given, pkg_node = _arg(call, 1, "package")
    if not given:
        return None
    package = _literal_str(pkg_node)
    if isinstance(pkg_node, ast.Name) and pkg_node.id == "__package__":
        package = package_of(module, is_package)
    elif isinstance(pkg_node, ast.Name) and pkg_node.id == "__name__":
        package = module
    if not package:
        return None
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        return name, level
    rest = name[level:]
    return (f"{bits[0]}.{rest}" if rest else bits[0]), level


def dynamic_record(
    call: ast.Call, module: str, is_package: bool, aliases: Aliases, ctx: Context
) -> ImportRecord | None:
    target = dynamic_target(call, module, is_package, aliases)
    if target is None:
        return None
    kind = ImportKind.DYNAMIC | kind_of(ctx)
    return ImportRecord(call.lineno, target[0], (), kind, ast.unparse(call), target[1])


def parse_suppression(comment: str, line: int) -> Suppression | None:
    """`# depgraph: ignore[check-a, check-b] reason` -> Suppression (reason "" when missing)."""
    match = _SUPPRESSION_RE.search(comment)
    if match is None:
        return None
    checks = tuple(sorted(c.strip() for c in match.group(1).split(",") if c.strip()))
    return Suppression(line, checks, match.group(2).strip())


Context = tuple[bool, bool, bool, bool]  # (in a function, under TYPE_CHECKING, guarded, in a __main__ block)
TOP: Context = (False, False, False, False)
_KIND_OF = {
    (fn, tc, guarded, main): ImportKind(
        (ImportKind.DEFERRED if fn else 0)
        | (ImportKind.TYPE_CHECKING if tc else 0)
        | (ImportKind.GUARDED if guarded else 0)
        | (ImportKind.MAIN if main else 0)
    )
    for fn in (False, True)
    for tc in (False, True)
    for guarded in (False, True)
    for main in (False, True)
}


def kind_of(ctx: Context) -> ImportKind:
    """The kind of an import in that context: every one that applies (top-level when none does)."""
    return _KIND_OF[ctx]
