"""Rewriting imports of a moved package, file by file: libcst for Python, tomlkit for pyproject.toml.

Python files are rewritten through libcst's concrete syntax tree, which keeps every byte it is not asked to
change (comments, blank lines, parentheses, quotes); pyproject.toml files through tomlkit, which does the
same for TOML. For a move of `OLD` (dotted) to `NEW`:

- `import OLD`, `import OLD.sub` become `import NEW`, `import NEW.sub`, and the names they bind are
  followed in the file (`OLD.sub.f()` becomes `NEW.sub.f()`); when the file still uses the old top-level
  name for something else, the parent of OLD is imported as before on a line of its own;
- `import OLD.sub as x` becomes `import NEW.sub as x`;
- `from OLD import X`, `from OLD.sub import Y` become `from NEW import X`, `from NEW.sub import Y`, and a
  relative import reaching OLD from outside it becomes that absolute import (relative imports inside OLD
  are left alone: they reach wherever the package is);
- `from PARENT import LAST` (the parent importing the moved package as a name) becomes `import NEW as
  LAST` (`import NEW` when the names agree), the other names staying in the `from` import;
- the string naming OLD (or a module under it) in `importlib.import_module("...")`, and in the target of
  `mock.patch("...")`, `mocker.patch(...)`, `patch.dict(...)`, `monkeypatch.setattr("...", ...)`: each
  names a module path exactly as an import does, and breaks once the shim is gone;
- entry points (`[project.scripts]`, `[project.gui-scripts]`, `[project.entry-points.*]`) naming OLD.

`__import__("OLD")` is left alone: it returns the top-level package, so another name changes what it
returns (`stage finish` lists it, as depgraph sees it as an import).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
import tomlkit
from libcst.helpers import get_full_name_for_node
from packaging.requirements import InvalidRequirement, Requirement
from tomlkit.items import String, StringType

from depgraph.discover.workspace import normalize

_IMPORTERS = frozenset({"import_module", "importlib.import_module"})
_ENTRY_TABLES = ("scripts", "gui-scripts")


@dataclass(frozen=True, slots=True)
class Change:
    """One file that changes: its text before and after, and how many places changed."""

    path: str  # repository-relative, POSIX
    before: str
    after: str
    count: int  # places rewritten
    declared: str = ""  # a pyproject.toml: the requirement added to its [project] dependencies

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                f"a/{self.path}",
                f"b/{self.path}",
            )
        )


def under(name: str, old: str) -> bool:
    return name == old or name.startswith(old + ".")


def renamed(name: str, old: str, new: str) -> str:
    """`name` (under `old`) as it reads under `new`."""
    return new + name[len(old) :]


def _dotted(name: str) -> cst.Attribute | cst.Name:
    expression = cst.parse_expression(name)
    assert isinstance(expression, cst.Attribute | cst.Name)
    return expression


def _alias(name: str, asname: str | None) -> cst.ImportAlias:
    return cst.ImportAlias(
        name=_dotted(name), asname=cst.AsName(name=cst.Name(asname)) if asname is not None else None
    )


def _last_comma(kept: cst.ImportAlias, removed: cst.ImportAlias) -> cst.Comma | cst.MaybeSentinel:
    """The comma of `kept` once it is last in place of `removed`: its own comment kept, the layout up to the
    closing parenthesis (or the end of the line) taken from `removed`."""
    own = kept.comma
    if not isinstance(own, cst.Comma) or not isinstance(own.whitespace_after, cst.ParenthesizedWhitespace):
        return removed.comma  # on one line: no comment to keep
    closing = removed.comma.whitespace_after if isinstance(removed.comma, cst.Comma) else None
    if isinstance(closing, cst.ParenthesizedWhitespace):
        layout = closing
    else:  # `removed` had no comma: the newline before `)` stays, without indentation
        layout = own.whitespace_after.with_changes(indent=False, last_line=cst.SimpleWhitespace(""))
    return own.with_changes(
        whitespace_after=own.whitespace_after.with_changes(indent=layout.indent, last_line=layout.last_line)
    )


class _Uses(cst.CSTVisitor):
    """What the file does with the old path's top-level name, read before anything is rewritten."""

    def __init__(self, old: str) -> None:
        self.old = old
        self.top = old.partition(".")[0]
        self.plain = False  # an unaliased `import OLD[.sub]`: the file reaches OLD through its top name
        self.other_binding = False  # something else binds the top name (`import top.other`, `import top`)
        self.other_use = False  # the top name used for something not under OLD
        self._in_import = 0
        self._attrs: set[int] = set()  # the `.attr` names of attribute chains: not uses of the top name

    def visit_Import(self, node: cst.Import) -> None:
        self._in_import += 1
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            if alias.asname is not None:
                bound = get_full_name_for_node(alias.asname.name)
                self.other_binding |= bound == self.top
            elif under(name, self.old):
                self.plain = True
            elif name.partition(".")[0] == self.top:
                self.other_binding = True

    def leave_Import(self, original_node: cst.Import) -> None:
        self._in_import -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                self.other_binding |= get_full_name_for_node(bound) == self.top
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if self._in_import:
            return False
        self._attrs.add(id(node.attr))
        name = get_full_name_for_node(node)
        if name is None:
            return True
        if under(name, self.old):
            return False  # a use of OLD: rewritten
        if name.partition(".")[0] == self.top and not self.old.startswith(name + "."):
            self.other_use = True
            return False
        return True

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) in self._attrs or self._in_import:
            return
        if node.value == self.top and self.old != self.top:
            self.other_use = True


class _Rewriter(cst.CSTTransformer):
    def __init__(self, old: str, new: str, module: str | None, is_package: bool, uses: _Uses) -> None:
        self.old, self.new = old, new
        self.parent, _, self.last = old.rpartition(".")
        self.module, self.is_package = module, is_package
        self.inside = module is not None and under(module, old)  # a file of the moved package itself
        self.follow = uses.plain and "." in old  # rewrite `OLD.x` expressions: an `import OLD` binds them
        self.keep_parent = uses.plain and uses.other_use and not uses.other_binding and bool(self.parent)
        self.count = 0
        self._in_import = 0
        self._added: set[int] = set()  # statements made up (a kept parent, a name split off): no comments

    def _add(self, statement: cst.Import) -> cst.Import:
        self._added.add(id(statement))
        return statement

    # -- import statements: one small statement may become several (split off or kept parent) --------
    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        body: list[list[cst.BaseSmallStatement]] = []
        for statement in updated_node.body:
            if isinstance(statement, cst.Import):
                body.append(self._import(statement))
            elif isinstance(statement, cst.ImportFrom):
                body.append(self._import_from(statement))
            else:
                body.append([statement])
        if all(len(parts) == 1 for parts in body):
            return updated_node.with_changes(body=[parts[0] for parts in body])
        if len(body) == 1:  # one statement became several, one line each; the comments stay with the
            parts = body[0]  # statement as written, blank lines and comments above go above all of them
            main = next((i for i, part in enumerate(parts) if id(part) not in self._added), 0)
            lines = [
                updated_node.with_changes(body=[part], leading_lines=[])
                if i == main
                else cst.SimpleStatementLine(body=[part])
                for i, part in enumerate(parts)
            ]
            lines[0] = lines[0].with_changes(leading_lines=updated_node.leading_lines)
            return cst.FlattenSentinel(lines)
        flat = [part for parts in body for part in parts]
        semicolon = cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" "))
        flat = [p.with_changes(semicolon=semicolon) for p in flat[:-1]] + [flat[-1]]
        return updated_node.with_changes(body=flat)

    def visit_Import(self, node: cst.Import) -> None:
        self._in_import += 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._in_import += 1

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        self._in_import -= 1
        return updated_node

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        self._in_import -= 1
        return updated_node

    def _import(self, node: cst.Import) -> list[cst.BaseSmallStatement]:
        names = []
        keep_parent = False
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            if not under(name, self.old):
                names.append(alias)
                continue
            self.count += 1
            keep_parent |= alias.asname is None and self.keep_parent
            names.append(alias.with_changes(name=_dotted(renamed(name, self.old, self.new))))
        if not keep_parent:
            return [node.with_changes(names=names)]
        self.keep_parent = False  # once per file: the parent on a line of its own, first
        return [self._add(cst.Import(names=[_alias(self.parent, None)])), node.with_changes(names=names)]

    def _absolute(self, node: cst.ImportFrom) -> str | None:
        """The module a `from` import names, relative ones resolved; None when it cannot be."""
        module = get_full_name_for_node(node.module) if node.module is not None else ""
        if not node.relative:
            return module
        if self.module is None or self.inside:
            return None  # not resolvable, or inside the moved package: left alone
        parts = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
        up = len(node.relative) - 1
        if up > len(parts) or (up == len(parts) and not module):
            return None
        base = parts[: len(parts) - up]
        return ".".join([*base, module] if module else base)

    def _import_from(self, node: cst.ImportFrom) -> list[cst.BaseSmallStatement]:
        module = self._absolute(node)
        if module is None:
            return [node]
        if under(module, self.old):
            self.count += 1
            return [node.with_changes(relative=[], module=_dotted(renamed(module, self.old, self.new)))]
        if module != self.parent or isinstance(node.names, cst.ImportStar):
            return [node]
        moved = [a for a in node.names if get_full_name_for_node(a.name) == self.last]
        if not moved:
            return [node]
        self.count += len(moved)
        imports: list[cst.BaseSmallStatement] = []
        for alias in moved:
            bound = get_full_name_for_node(alias.asname.name) if alias.asname is not None else self.last
            imports.append(
                self._add(cst.Import(names=[_alias(self.new, None if bound == self.new else bound)]))
            )
        rest = [a for a in node.names if a not in moved]
        if not rest:
            return imports
        if node.names[-1] in moved:  # the new last name ends as the old last one did
            rest[-1] = rest[-1].with_changes(comma=_last_comma(rest[-1], node.names[-1]))
        return [node.with_changes(names=rest), *imports]

    # -- the names an `import OLD` binds, and module paths in strings ---------------------------------
    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if self._in_import or not self.follow:
            return updated_node
        if get_full_name_for_node(original_node) == self.old:
            self.count += 1
            return _dotted(self.new).with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        callee = get_full_name_for_node(original_node.func) or ""
        parts = callee.split(".")
        names_a_module = (
            callee in _IMPORTERS
            or callee.endswith(".import_module")
            or "patch" in parts
            or (parts[0] == "monkeypatch" and parts[-1] in ("setattr", "delattr"))
        )
        if not names_a_module or not updated_node.args:
            return updated_node
        first = updated_node.args[0]
        if first.keyword is not None or not isinstance(first.value, cst.SimpleString):
            return updated_node
        string = first.value
        text = string.evaluated_value
        if not isinstance(text, str) or text != string.raw_value or not under(text, self.old):
            return updated_node
        self.count += 1
        value = f"{string.prefix}{string.quote}{renamed(text, self.old, self.new)}{string.quote}"
        args = [first.with_changes(value=string.with_changes(value=value)), *updated_node.args[1:]]
        return updated_node.with_changes(args=args)


def rewrite_python(
    text: str, old: str, new: str, module: str | None = None, is_package: bool = False
) -> tuple[str, int]:
    """`text` with its imports of `old` rewritten to `new`, and how many places changed.

    `module` (the file's dotted name, when known) resolves its relative imports; a file inside `old`
    keeps its relative imports. Raises libcst.ParserSyntaxError when the text is not Python.
    """
    if old.rpartition(".")[2] not in text:  # every spelling names OLD's last part: most files stop here
        return text, 0
    tree = cst.parse_module(text)
    uses = _Uses(old)
    tree.visit(uses)
    rewriter = _Rewriter(old, new, module, is_package, uses)
    result = tree.visit(rewriter)
    return (result.code, rewriter.count) if rewriter.count else (text, 0)


def _entry_point(value: str, old: str, new: str) -> str | None:
    target, colon, attr = value.partition(":")
    stripped = target.strip()
    if not under(stripped, old):
        return None
    return target.replace(stripped, renamed(stripped, old, new)) + colon + attr


def _retarget(table: object, old: str, new: str) -> int:
    if not isinstance(table, dict):
        return 0
    count = 0
    for key, item in list(table.items()):
        if not isinstance(item, str):
            continue
        value = _entry_point(str(item), old, new)
        if value is None:
            continue
        literal = isinstance(item, String) and item.type in (StringType.SLL, StringType.MLL)
        table[key] = tomlkit.string(value, literal=literal)
        count += 1
    return count


def entry_point_groups(doc: object) -> list[object]:
    """The tables of a pyproject.toml document whose values are entry points."""
    project = doc.get("project") if isinstance(doc, dict) else None
    if not isinstance(project, dict):
        return []
    tables: list[object] = [project.get(key) for key in _ENTRY_TABLES]
    groups = project.get("entry-points")
    if isinstance(groups, dict):
        tables += [groups[name] for name in groups]
    return [t for t in tables if isinstance(t, dict)]


def rewrite_pyproject(text: str, old: str, new: str) -> tuple[str, int]:
    """A pyproject.toml's entry points naming `old` retargeted to `new` (tomlkit: the rest kept as is)."""
    if old not in text:
        return text, 0
    doc = tomlkit.parse(text)
    count = sum(_retarget(table, old, new) for table in entry_point_groups(doc))
    return (tomlkit.dumps(doc), count) if count else (text, 0)


def declare(text: str, name: str) -> str | None:
    """A pyproject.toml's text with `name` added to its `[project] dependencies`; None when it is
    declared there already or there is no such list (dynamic dependencies, another backend's table)."""
    doc = tomlkit.parse(text)
    project = doc.get("project")
    deps = project.get("dependencies") if isinstance(project, dict) else None
    if not isinstance(deps, list):
        return None
    if any(normalize(_requirement_name(str(d))) == normalize(name) for d in deps):
        return None
    deps.append(name)
    return tomlkit.dumps(doc)


def _requirement_name(text: str) -> str:
    try:
        return Requirement(text).name
    except InvalidRequirement:
        return ""


def plan_changes(
    root: Path, files: Sequence[str], modules: dict[str, tuple[str, bool]], old: str, new: str
) -> list[Change]:
    """The changes to `files` (repository-relative): pyproject.toml files and Python files.

    `modules` maps a Python file to its (dotted name, is a package), to resolve its relative imports.
    Raises ValueError naming the file when one cannot be read or parsed.
    """
    changes = []
    for path in files:
        try:
            before = (root / path).read_bytes().decode("utf-8")  # line endings as they are
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"{path}: cannot read it ({error})") from None
        try:
            if path.rpartition("/")[2] == "pyproject.toml":
                after, count = rewrite_pyproject(before, old, new)
            else:
                module, is_package = modules.get(path, (None, False))
                after, count = rewrite_python(before, old, new, module, is_package)
        except cst.ParserSyntaxError as error:
            raise ValueError(
                f"{path}:{error.raw_line}: not Python libcst can read ({error.message})"
            ) from None
        except tomlkit.exceptions.ParseError as error:
            raise ValueError(f"{path}:{error.line}: not TOML ({error})") from None
        if count:
            changes.append(Change(path, before, after, count))
    return changes
