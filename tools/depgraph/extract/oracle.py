"""The exact, `ast`-based import extractor.

It is the reference the fast scanner (``depgraph.extract.scanner``) is tested against, and its fallback for
the files the scanner cannot decide with certainty. Slow (it builds every node of the file), but it is
CPython's own parser, so it is right by construction.

The rules that both extractors share (what counts as TYPE_CHECKING, as guarded, as a dynamic import, how
relative names resolve, what ``text`` looks like) live in ``depgraph.extract.importrules`` so the two agree.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from depgraph.base.imports import FileImports, ImportRecord, Suppression
from depgraph.extract import importrules as rules

_Context = rules.Context
_TOP = rules.TOP
_LINES_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def decode(data: bytes) -> str:
    """The text of a source file as CPython reads it (BOM, PEP 263 cookie); raises SyntaxError."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SyntaxError(f"cannot decode: {exc}") from None


def parse_error(data: bytes) -> tuple[int, str] | None:
    """(line, message) when CPython's parser rejects the file, else None."""
    try:
        rules.parse(data)
    except SyntaxError as exc:
        return (exc.lineno or 1, exc.msg or "invalid syntax")
    except (ValueError, RecursionError, MemoryError) as exc:
        return (1, str(exc) or type(exc).__name__)
    return None


def extract(data: bytes, module: str, is_package: bool) -> FileImports:
    """Every import of one file, exactly, by walking its syntax tree."""
    try:
        tree = rules.parse(data)
    except SyntaxError as exc:
        return FileImports((), (exc.lineno or 1, exc.msg or "invalid syntax"))
    except (ValueError, RecursionError, MemoryError) as exc:
        return FileImports((), (1, str(exc) or type(exc).__name__))
    try:
        text = decode(data)
    except SyntaxError as exc:  # pragma: no cover - ast.parse decoded it already
        return FileImports((), (1, str(exc)))
    lines = _LINES_RE.findall(text)  # like the parser: only \r\n, \r and \n end lines (not \f, \v, ...)
    aliases = rules.Aliases()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            aliases.add(node)
    walker = _Walker(module, is_package, aliases, text, lines)
    walker.body(tree.body, _TOP)
    records = tuple(sorted(walker.records))
    return FileImports(records, None, suppressions(text))


def suppressions(text: str) -> tuple[Suppression, ...]:
    """`# depgraph: ignore[...] reason` comments, only where they really are comments."""
    if rules.SUPPRESSION_MARK not in text:
        return ()
    found: list[Suppression] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                sup = rules.parse_suppression(tok.string, tok.start[0])
                if sup is not None:
                    found.append(sup)
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - the file parsed
        pass
    return tuple(sorted(found))


class _Walker:
    def __init__(
        self, module: str, is_package: bool, aliases: rules.Aliases, text: str, lines: list[str]
    ) -> None:
        self.module = module
        self.is_package = is_package
        self.aliases = aliases
        self.text = text
        self.lines = lines
        self.records: list[ImportRecord] = []

    def segment(self, node: ast.stmt) -> str:
        """The source of a statement (ast offsets count UTF-8 bytes); ast.get_source_segment re-splits
        the whole file on every call, which makes big files quadratic."""
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        end_col = node.end_col_offset if node.end_col_offset is not None else None
        if first == last:
            return self.lines[first].encode()[node.col_offset : end_col].decode()
        head = self.lines[first].encode()[node.col_offset :].decode()
        tail = self.lines[last].encode()[:end_col].decode()
        return head + "".join(self.lines[first + 1 : last]) + tail

    def body(self, stmts: list[ast.stmt], ctx: _Context) -> None:
        for stmt in stmts:
            self.stmt(stmt, ctx)

    def stmt(self, node: ast.stmt, ctx: _Context) -> None:
        fn, tc, guarded, main = ctx
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            segment = self.segment(node)
            self.records.extend(
                rules.records_for(
                    node, self.module, self.is_package, rules.kind_of(ctx), rules.statement_text(segment)
                )
            )
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.exprs([*node.decorator_list, node.args, *([node.returns] if node.returns else [])], ctx)
            self.body(node.body, (True, tc, False, main))  # runs when called: outside any try around it
            return
        if isinstance(node, ast.If):
            self.exprs([node.test], ctx)
            test = rules.type_checking_test(node.test, self.aliases)
            self.body(node.body, (fn, tc or test is True, guarded, main or rules.main_test(node.test)))
            self.body(node.orelse, (fn, tc or test is False, guarded, main))
            return
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            try_node: ast.Try = node  # type: ignore[assignment]
            catches = any(rules.catches_import_error(h.type) for h in try_node.handlers)
            self.body(try_node.body, (fn, tc, guarded or catches, main))
            for handler in try_node.handlers:
                if handler.type is not None:
                    self.exprs([handler.type], ctx)
                self.body(handler.body, ctx)
            self.body(try_node.orelse, ctx)
            self.body(try_node.finalbody, ctx)
            return
        # Every other statement: its expressions, then its nested bodies in the same context.
        self.children(node, ctx)

    def children(self, node: ast.AST, ctx: _Context) -> None:
        for _field, value in ast.iter_fields(node):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, ast.stmt):
                    self.stmt(item, ctx)
                elif isinstance(item, ast.match_case):
                    self.children(item, ctx)
                elif isinstance(item, ast.AST):
                    self.exprs([item], ctx)

    def exprs(self, nodes: list[ast.AST], ctx: _Context) -> None:
        """Dynamic imports inside expressions (expressions hold no statements)."""
        for root in nodes:
            for node in ast.walk(root):
                if isinstance(node, ast.Call):
                    record = rules.dynamic_record(node, self.module, self.is_package, self.aliases, ctx)
                    if record is not None:
                        self.records.append(record)
