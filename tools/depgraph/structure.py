"""The block structure of a file for the scanner: which blocks enclose a line, and what that means.

Built from a *skeleton* of the source: comments removed, every string literal replaced by ``""`` with each
newline it held turned into a backslash-continuation (so lines inside or after a multi-line string are
continuation lines). On the skeleton, logical lines are physical lines outside brackets and continuations;
their indentation gives the nesting; a header (``def``, ``if``, ``elif``, ``else``, ``try``) gives its body
the context the rules in ``depgraph.importrules`` define. Only `if`/`elif` conditions and `except` clauses
that mention a relevant name are parsed (each alone, with `ast`).
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right

from depgraph import importrules as rules
from depgraph.imports import ImportKind

_Context = tuple[bool, bool, bool]  # (in a function, under TYPE_CHECKING, in a guarded try body)
_TOP: _Context = (False, False, False)
_HEAD_RE = re.compile(r"(async[ \t\f]+|async\\\n[ \t\f]*)?([A-Za-z_]\w*)")
_SEMANTIC = frozenset({"def", "if", "elif", "else", "try"})


def kind_of(ctx: _Context) -> ImportKind:
    fn, tc, guarded = ctx
    if tc:
        return ImportKind.TYPE_CHECKING
    if fn:
        return ImportKind.DEFERRED
    if guarded:
        return ImportKind.GUARDED
    return ImportKind.TOP_LEVEL


class Structure:
    __slots__ = ("aliases", "body", "ctx", "first_line", "first_off", "indent", "last_line", "lines", "word")

    def __init__(self, lines: list[str], aliases: rules.Aliases) -> None:
        self.lines = lines
        self.aliases = aliases
        self.first_line: list[int] = []  # 1-based
        self.last_line: list[int] = []
        self.first_off: list[int] = []  # characters before the first token on its physical line
        self.indent: list[int] = []
        self.word: list[str] = []  # first keyword/name ("def" for async def)
        self.ctx: list[_Context] = []
        self.body: list[_Context] = []

    @classmethod
    def build(
        cls, text: str, starts: list[int], ends: list[int], comment: list[bool], aliases: rules.Aliases
    ) -> Structure | None:
        """The structure, or None when the file's layout is beyond the scanner (tabs, unbalanced brackets)."""
        pieces: list[str] = []
        prev = 0
        for start, end, is_comment in zip(starts, ends, comment, strict=True):
            pieces.append(text[prev:start])
            if not is_comment:
                pieces.append('""' + "\\\n" * text.count("\n", start, end))
            prev = end
        pieces.append(text[prev:])
        self = cls("".join(pieces).split("\n"), aliases)
        if not self._logical_lines():
            return None
        self._contexts()
        return self

    def _logical_lines(self) -> bool:
        depth = 0
        cont = False
        open_index = -1
        for number, line in enumerate(self.lines, 1):
            continuing = depth > 0 or cont
            if not continuing:
                stripped = line.lstrip(" \t\f")
                if not stripped:
                    continue
                if stripped:
                    white = line[: len(line) - len(stripped)]
                    if "\t" in white or stripped[0] == "\\":
                        return False
                    match = _HEAD_RE.match(stripped)
                    word = ""
                    if match is not None:
                        word = "def" if match.group(1) and match.group(2) == "def" else match.group(2)
                    self.first_line.append(number)
                    self.last_line.append(number)
                    self.first_off.append(len(white))
                    self.indent.append(len(white) - (white.rfind("\f") + 1))
                    self.word.append(word)
                    open_index = len(self.first_line) - 1
            if "(" in line or ")" in line or "[" in line or "]" in line or "{" in line or "}" in line:
                depth += line.count("(") + line.count("[") + line.count("{")
                depth -= line.count(")") + line.count("]") + line.count("}")
                if depth < 0:
                    return False
            cont = line.endswith("\\")
            if open_index >= 0:
                self.last_line[open_index] = number
        return depth == 0 and not cont

    def _text(self, index: int) -> str:
        """The skeleton of one logical line, continuations joined."""
        first, last = self.first_line[index], self.last_line[index]
        return " ".join(line.rstrip("\\") for line in self.lines[first - 1 : last]).strip(" \t\f")

    def _contexts(self) -> None:
        stack: list[tuple[int, _Context]] = []
        siblings: list[tuple[int, int]] = []
        else_tc: dict[int, bool] = {}
        for index, indent in enumerate(self.indent):
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1] if stack else _TOP
            while siblings and siblings[-1][0] > indent:
                siblings.pop()
            prev = -1
            if siblings and siblings[-1][0] == indent:
                prev = siblings[-1][1]
                siblings[-1] = (indent, index)
            else:
                siblings.append((indent, index))
            fn, tc, guarded = parent
            word = self.word[index]
            body = parent
            if word == "def":
                body = (True, tc, guarded)
            elif word in ("if", "elif"):
                inherited = word == "elif" and else_tc.get(prev, False)
                test = self._condition(index, word)
                body = (fn, tc or inherited or test is True, guarded)
                else_tc[index] = inherited or test is False
            elif word == "else":
                body = (fn, tc or else_tc.get(prev, False), guarded)
            elif word == "try":
                body = (fn, tc, guarded or self._try_catches(index))
            self.ctx.append(parent)
            self.body.append(body)
            if self._text_end(index).endswith(":"):
                stack.append((indent, body))

    def _text_end(self, index: int) -> str:
        return self.lines[self.last_line[index] - 1].rstrip(" \t\f")

    @staticmethod
    def _header(text: str, wrap: str) -> ast.Module | None:
        """Parse a header (its text up to the block colon) wrapped as `wrap % header`."""
        for match in re.finditer(r":(?!=)", text):
            head = text[: match.start()]
            if head.count("(") != head.count(")") or head.count("[") != head.count("]"):
                continue
            if head.count("{") != head.count("}"):
                continue
            try:
                return ast.parse(wrap % head)
            except (SyntaxError, ValueError):
                continue
        return None

    def _condition(self, index: int, word: str) -> bool | None:
        text = self._text(index)
        markers = self.aliases.tc_names | {"TYPE_CHECKING"}
        if not any(marker in text for marker in markers):
            return None
        tree = self._header("if" + text[len(word) :], "%s:\n pass")
        if tree is None:
            return None
        node = tree.body[0]
        if not isinstance(node, ast.If):
            return None
        return rules.type_checking_test(node.test, self.aliases)

    def _try_catches(self, index: int) -> bool:
        indent = self.indent[index]
        following = index + 1
        count = len(self.indent)
        while following < count:
            if self.indent[following] > indent:
                following += 1
                continue
            if self.indent[following] < indent or self.word[following] != "except":
                return False
            text = self._text(following)
            if any(name in text for name in rules.IMPORT_ERRORS):
                tree = self._header(text, "try:\n pass\n%s:\n pass")
                if tree is not None:
                    handler = tree.body[0].handlers[0]  # type: ignore[attr-defined]
                    if rules.catches_import_error(handler.type):
                        return True
            following += 1
        return False

    def kind_at(self, line: int, column: int) -> ImportKind | None:
        """The kind of an import statement starting at (line, column)."""
        index = bisect_right(self.first_line, line) - 1
        if index < 0:
            return None
        if self.first_line[index] == line and self.first_off[index] == column:
            return kind_of(self.ctx[index])
        if self.word[index] in _SEMANTIC:
            return kind_of(self.body[index])
        return kind_of(self.ctx[index])
