"""The block structure of a file for the scanner: which blocks enclose a line, and what that means.

Built from a *skeleton* of the source: comments removed, every string literal replaced by ``""`` (a string
spanning lines too: the lines it spans belong to one logical line, which is all the structure asks).
Only *header* lines are looked at (a line starting with a compound-statement keyword, found by one
regular expression over the skeleton), never every line: in valid code, the block enclosing
a logical line of indentation k is the nearest logical line above it with indentation below k, and that
is always a header. A header candidate is a logical line when the bracket depth at its start is zero
(counted with ``str.count`` between consecutive points) and the line before it is not continued.
A header (``def``, ``if``, ``elif``, ``else``, ``try``) gives its body the context the rules in
``depgraph.extract.importrules`` define. Only `if`/`elif` conditions and `except` clauses that mention a
relevant name are parsed (each alone, with `ast`).

Everything is a position in the skeleton (text positions map to it through the lengths strings and
comments lose), never a line number: no table of line offsets. The skeleton stops at the line of the last
statement asked about; a ``try`` above it whose ``except`` clauses lie below extends it to the whole file.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate, chain

from depgraph.base.imports import ImportKind
from depgraph.extract import importrules as rules

_Context = rules.Context
Tokens = tuple[list[int], list[int], list[bool]]  # starts, ends, is-comment of strings and comments
_TOP = rules.TOP
# A line break, then a header's indentation and keyword (the first line is matched apart). No groups, a
# literal first character and `async` as one more alternative: `re` then jumps from line break to line
# break in C (3x faster than `^` + groups + an optional `async` prefix).
_HEADER_WORDS = r"(?:async|def|class|if|elif|else|try|except|finally|for|while|with|match|case)\b"
_HEADER_RE = re.compile(r"\n[ \t\f]*" + _HEADER_WORDS)
_FIRST_HEADER_RE = re.compile(r"[ \t\f]*" + _HEADER_WORDS)
_AFTER_ASYNC_RE = re.compile(r"[ \t\f]+(?:def|for|with)\b")
_INDENT_RE = re.compile(r"[ \t\f]*")
_SEMANTIC = frozenset({"def", "if", "elif", "else", "try"})
_COMPOUND_WORDS = frozenset(
    {
        "def",
        "class",
        "if",
        "elif",
        "else",
        "try",
        "except",
        "finally",
        "for",
        "while",
        "with",
        "match",
        "case",
    }
)
_TRY_NODES = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))


class _Unsure(Exception):
    """The layout is one only the tokenizer can judge."""


def _widths(white: str) -> tuple[int, int]:
    """Indentation width with tabs to multiples of 8, and with tabs as 1 (a form feed restarts both)."""
    white = white[white.rfind("\f") + 1 :]
    return len(white.expandtabs(8)), len(white)


_FLATTEN = str.maketrans("[{]}", "(())")


def _depth_change(flat: str, start: int, end: int) -> int:
    """Bracket depth change over flat[start:end], flat being a text whose brackets are all `(` and `)`."""
    return flat.count("(", start, end) - flat.count(")", start, end)


def _brackets(text: str, start: int, end: int) -> int:
    return (
        text.count("(", start, end)
        + text.count("[", start, end)
        + text.count("{", start, end)
        - text.count(")", start, end)
        - text.count("]", start, end)
        - text.count("}", start, end)
    )


def skeleton(text: str, tokens: Tokens, origin: int, stop: int) -> tuple[str, list[int]]:
    """The skeleton of text[origin:stop] and, per token, how many characters are gone before the gap that
    follows it (`removed`, starting with 0): each comment removed, each string replaced by ``""``.

    `tokens` are the strings and comments inside that stretch. Code between tokens, each followed by its
    token's stand-in; comprehensions, not a loop of appends. A string spanning lines becomes `""` on one
    line: the lines it spans are one logical line anyway.
    """
    starts, ends, comment = tokens
    code = [text[a:b] for a, b in zip([origin, *ends], [*starts, stop], strict=True)]
    stand_ins = ["" if is_comment else '""' for is_comment in comment]
    stand_ins.append("")
    sk = "".join(chain.from_iterable(zip(code, stand_ins, strict=True)))
    removed = list(
        accumulate([b - a - len(st) for a, b, st in zip(starts, ends, stand_ins, strict=False)], initial=0)
    )
    return sk, removed


def headers(sk: str, flat: str) -> tuple[list[int], list[str], list[str]] | None:
    """The compound-statement headers of a skeleton that are logical lines (bracket depth 0 at their start,
    the line above not continued): where each line starts, its keyword (`async def` counts as `def`) and
    its indentation; None when brackets close before they open. `flat` is the skeleton with every bracket
    written `(`/`)`."""
    first = _FIRST_HEADER_RE.match(sk)
    matches = [first] if first is not None else []
    matches += _HEADER_RE.finditer(sk)
    found = [m.group() for m in matches]
    ends = [m.end() for m in matches]
    # Where each header's line starts (after the line break the regex began with).
    places = [e - len(h) + (h[0] == "\n") for e, h in zip(ends, found, strict=True)]
    steps = [
        flat.count("(", a, b) - flat.count(")", a, b) for a, b in zip([0, *places], places, strict=False)
    ]
    depths = list(accumulate(steps))
    if depths and min(depths) < 0:
        return None
    keep = [k for k, p in enumerate(places) if not depths[k] and not (p >= 2 and sk[p - 2] == "\\")]
    rests = [found[k].lstrip("\n") for k in keep]
    words = [rest.lstrip(" \t\f") for rest in rests]
    if "async" in words:  # `async def|for|with`: the keyword is the next word; anything else is no header
        for at in [i for i, word in enumerate(words) if word == "async"]:
            after = _AFTER_ASYNC_RE.match(sk, ends[keep[at]])
            words[at] = after.group().lstrip(" \t\f") if after is not None else ""
        keep, rests, words = (
            [k for k, w in zip(keep, words, strict=True) if w],
            [r for r, w in zip(rests, words, strict=True) if w],
            [w for w in words if w],
        )
    whites = [rest[: len(rest) - len(rest.lstrip(" \t\f"))] for rest in rests]
    return [places[k] for k in keep], words, whites


def indents(whites: list[str]) -> tuple[list[int], list[int]]:
    """Indentation widths as the tokenizer counts them (tabs to the next multiple of 8) and with tabs as 1
    (its consistency check); one list serves both when there is no tab or form feed."""
    if any("\t" in white or "\f" in white for white in whites):
        pairs = [_widths(white) for white in whites]
        return [width for width, _ in pairs], [alt for _, alt in pairs]
    widths = [len(white) for white in whites]
    return widths, widths


class Structure:
    __slots__ = (
        "_body",
        "_rest",
        "_sibling_tc",
        "_sk_starts",
        "_src",
        "_text",
        "aliases",
        "flat",
        "h_alt",
        "h_indent",
        "h_pos",
        "h_word",
        "origin",
        "removed",
        "sk",
        "tok_ends",
        "tok_starts",
    )

    def __init__(self, skeleton: str, aliases: rules.Aliases) -> None:
        self.sk = skeleton
        self.flat = skeleton.translate(_FLATTEN)  # 2 counts per stretch instead of 6
        self.aliases = aliases
        # Text positions map to the skeleton's: removed[i] characters are gone before the gap after token i-1.
        self.origin = 0  # the text position the skeleton starts at
        self.tok_starts: list[int] = []
        self.tok_ends: list[int] = []
        self.removed: list[int] = [0]
        self._src = ""  # the text the skeleton comes from (string literals are only there)
        self._sk_starts: list[int] | None = None  # skeleton position of each token, when asked
        # Headers that are logical lines (bracket depth 0 at their start): position, indentation, keyword.
        self.h_pos: list[int] = []
        self.h_indent: list[int] = []  # tabs to the next multiple of 8, as the tokenizer counts
        self.h_alt: list[int] = []  # tabs as 1: the tokenizer's consistency check (TabError)
        self.h_word: list[str] = []
        self._body: dict[int, _Context] = {}
        self._sibling_tc: dict[int, bool] = {}
        self._rest: Callable[[], Tokens | None] | None = None  # every token of the text, for _complete
        self._text = ""

    @classmethod
    def build(
        cls,
        text: str,
        tokens: Tokens,
        aliases: rules.Aliases,
        *,
        limit: int | None = None,
        rest: Callable[[], Tokens | None] | None = None,
        origin: int = 0,
    ) -> Structure | None:
        """The structure, or None when the layout is beyond the scanner (tabs, unbalanced brackets).

        `tokens` are (starts, ends, is-comment) of the strings and comments, every one starting before
        the limit (or all of them without a limit). With a limit (a line break of the text), only the text
        before it: enough for every statement above it; the rest is added only when a `try` above needs
        its `except` clauses below, from the tokens `rest()` gives (None: the scanner cannot tell them).
        An `origin` (the start of a line at column 0, outside every string, that no bracket or backslash
        can continue: a `def` or `class` statement's) starts the skeleton there: every block below it is
        known from the text below it.
        """
        starts, ends, comment = tokens
        stop = len(text) if limit is None else limit
        begin = bisect_left(starts, origin) if origin else 0
        count = len(starts) if limit is None else bisect_left(starts, limit)
        # copies: callers extend theirs
        starts, ends, comment = starts[begin:count], ends[begin:count], comment[begin:count]
        sk, removed = skeleton(text, (starts, ends, comment), origin, stop)
        self = cls(sk, aliases)
        if limit is not None and limit < len(text):
            assert rest is not None, "a structure with a limit needs the rest of the tokens"
            self._rest, self._text = rest, text
        self.origin = origin
        self.tok_starts = starts
        self.tok_ends = ends
        self._src = text
        self.removed = removed
        if _depth_change(self.flat, 0, len(self.flat)) != 0:
            return None
        found = headers(sk, self.flat)
        if found is None:
            return None
        self.h_pos, self.h_word, whites = found
        self.h_indent, self.h_alt = indents(whites)
        return self

    def to_skeleton(self, pos: int) -> int:
        """The skeleton position of a text position outside every string and comment."""
        return pos - self.origin - self.removed[bisect_right(self.tok_starts, pos)]

    def _depth_at(self, pos: int) -> int:
        index = bisect_right(self.h_pos, pos) - 1  # headers kept are at depth 0
        return _depth_change(self.flat, self.h_pos[index] if index >= 0 else 0, pos)

    def _logical_start(self, pos: int) -> tuple[int, int, int, str] | None:
        """(start, indentation, tabs-as-1 indentation, first word) of the logical line holding the line
        that starts at pos."""
        sk = self.sk
        while True:
            continued = pos >= 2 and sk[pos - 2] == "\\"
            if not continued and self._depth_at(pos) == 0:
                white = _INDENT_RE.match(sk, pos)
                assert white is not None
                word = re.match(r"(?:async[ \t\f]+)?([A-Za-z_]\w*)", sk[white.end() : white.end() + 40])
                indent, alt = _widths(white.group())
                return pos, indent, alt, word.group(1) if word else ""
            if pos == 0:
                return None
            pos = sk.rfind("\n", 0, pos - 1) + 1

    def _logical_at(self, text_pos: int) -> tuple[int, int, tuple[int, int, int, str] | None]:
        """(skeleton position, start of its line, `_logical_start` of that line) of a text position."""
        pos = self.to_skeleton(text_pos)
        line_start = self.sk.rfind("\n", 0, pos) + 1
        return pos, line_start, self._logical_start(line_start)

    def _enclosing(self, pos: int, indent: int, alt: int) -> int:
        """Index of the header whose block holds a logical line at (pos, indent); -1 at module level."""
        index = bisect_left(self.h_pos, pos) - 1  # headers on lines above
        while index >= 0 and indent > 0:
            less = self.h_indent[index] < indent
            if less != (self.h_alt[index] < alt):
                raise _Unsure  # tabs and spaces mixed so that the tokenizer would raise TabError
            if less:
                return index
            index -= 1
        return -1

    def _context(self, pos: int, indent: int, alt: int) -> _Context:
        enclosing = self._enclosing(pos, indent, alt)
        return _TOP if enclosing < 0 else self._body_of(enclosing)

    def _body_of(self, index: int) -> _Context:
        """The context of the statements in header `index`'s block."""
        found = self._body.get(index)
        if found is None:
            parent = self._context(self.h_pos[index], self.h_indent[index], self.h_alt[index])
            found = self._apply(index, parent)
            self._body[index] = found
        return found

    def _apply(self, index: int, parent: _Context) -> _Context:
        fn, tc, guarded, main = parent
        word = self.h_word[index]
        if word == "def":
            return (True, tc, False, main)  # its body runs when called: no longer inside the try
        if word in ("if", "elif"):
            inherited = word == "elif" and self._chain_tc(index)
            here = word == "if" and self._is_main(index)
            return (fn, tc or inherited or self._condition(index) is True, guarded, main or here)
        if word == "else":
            return (fn, tc or self._chain_tc(index), guarded, main)
        if word == "try":
            return (fn, tc, guarded or self._try_catches(index), main)
        return parent

    def _to_text(self, pos: int) -> int:
        """The text position of a skeleton position outside every stand-in."""
        if self._sk_starts is None:
            origin, removed = self.origin, self.removed
            self._sk_starts = [start - origin - removed[i] for i, start in enumerate(self.tok_starts)]
        return pos + self.origin + self.removed[bisect_left(self._sk_starts, pos)]

    def _is_main(self, index: int) -> bool:
        """Whether the `if` header at `index` tests `__name__ == "__main__"` (its strings read from the
        text: the skeleton has only stand-ins)."""
        skeleton = self._header_text(index)
        if "__name__" not in skeleton or '""' not in skeleton:
            return False
        start, end = self.h_pos[index], self._header_end(index)
        text = self._src[self._to_text(start) : self._to_text(end)].replace("\\\n", " ").strip(" \t\f")
        tree = self._parse_header(text, "%s:\n pass")
        if tree is None or not isinstance(tree.body[0], ast.If):
            return False
        return rules.main_test(tree.body[0].test)

    def context_at(self, text_pos: int) -> _Context | None:
        """The context of an expression at a text position (a dynamic import's call): that of the block
        holding its logical line; None when that line is a compound statement's header (its expressions
        may be in the enclosing block or in a one-line body: the oracle decides)."""
        logical = self._logical_at(text_pos)[2]
        if logical is None:
            return None
        first, indent, alt, word = logical
        if word in _COMPOUND_WORDS:
            return None
        try:
            return self._context(first, indent, alt)
        except _Unsure:
            return None

    def _previous_sibling(self, index: int) -> int:
        indent = self.h_indent[index]
        prev = index - 1
        while prev >= 0 and self.h_indent[prev] > indent:
            prev -= 1
        return prev if prev >= 0 and self.h_indent[prev] == indent else -1

    def _chain_tc(self, index: int) -> bool:
        """Whether reaching the `elif`/`else` at `index` means TYPE_CHECKING holds (after `if not TC`)."""
        prev = self._previous_sibling(index)
        if prev < 0 or self.h_word[prev] not in ("if", "elif"):
            return False
        found = self._sibling_tc.get(prev)
        if found is None:
            found = self._condition(prev) is False or (self.h_word[prev] == "elif" and self._chain_tc(prev))
            self._sibling_tc[prev] = found
        return found

    def _header_text(self, index: int) -> str:
        """The skeleton of a header's logical line, continuations joined."""
        start = self.h_pos[index]
        return self.sk[start : self._header_end(index)].replace("\\\n", " ").strip(" \t\f")

    def _header_end(self, index: int) -> int:
        """Where a header's logical line ends in the skeleton (its last line break, or the end)."""
        end = self.h_pos[index]
        depth = 0
        sk = self.sk
        while True:
            newline = sk.find("\n", end)
            if newline < 0:
                newline = len(sk)
            depth += _depth_change(self.flat, end, newline)
            end = newline
            if newline >= len(sk) or (depth <= 0 and sk[newline - 1] != "\\"):
                break
            end += 1
        return end

    @staticmethod
    def _parse_header(text: str, wrap: str) -> ast.Module | None:
        """Parse a header (its text up to the block colon) wrapped as `wrap % header`."""
        for match in re.finditer(r":(?!=)", text):
            head = text[: match.start()]
            if _brackets(head, 0, len(head)) != 0:
                continue
            try:
                return rules.parse(wrap % head)
            except (SyntaxError, ValueError):
                continue
        return None

    def _condition(self, index: int) -> bool | None:
        text = self._header_text(index)
        markers = self.aliases.tc_names | {"TYPE_CHECKING"}
        if not any(marker in text for marker in markers):
            return None
        word = self.h_word[index]
        tree = self._parse_header("if" + text[len(word) :], "%s:\n pass")
        if tree is None or not isinstance(tree.body[0], ast.If):
            return None
        return rules.type_checking_test(tree.body[0].test, self.aliases)

    def _complete(self) -> None:
        """Extend a structure built up to a limit to the whole text (headers keep their indexes)."""
        assert self._rest is not None
        tokens = self._rest()
        whole = (
            Structure.build(self._text, tokens, self.aliases, origin=self.origin)
            if tokens is not None
            else None
        )
        if whole is None:
            raise _Unsure
        self._rest = None
        self.sk, self.flat, self.tok_starts, self.tok_ends, self.removed = (
            whole.sk,
            whole.flat,
            whole.tok_starts,
            whole.tok_ends,
            whole.removed,
        )
        self._sk_starts = None
        self.h_pos, self.h_indent, self.h_alt, self.h_word = (
            whole.h_pos,
            whole.h_indent,
            whole.h_alt,
            whole.h_word,
        )

    def _try_catches(self, index: int) -> bool:
        indent = self.h_indent[index]
        following = index + 1
        while True:
            if following >= len(self.h_pos):
                if self._rest is None:
                    return False
                self._complete()  # the except clauses may lie past the limit
                continue
            if self.h_indent[following] > indent:
                following += 1
                continue
            if self.h_indent[following] < indent or self.h_word[following] != "except":
                return False
            text = self._header_text(following)
            if any(name in text for name in rules.IMPORT_ERRORS):
                tree = self._parse_header(text, "try:\n pass\n%s:\n pass")
                handler = tree.body[0] if tree is not None else None
                if isinstance(handler, _TRY_NODES) and rules.catches_import_error(handler.handlers[0].type):
                    return True
            following += 1

    def kind_at(self, text_pos: int) -> ImportKind | None:
        """The kind of an import statement starting at a text position."""
        pos, line_start, logical = self._logical_at(text_pos)
        if logical is None:
            return None
        first, indent, alt, word = logical
        own = first == line_start and _INDENT_RE.match(self.sk, first).end() == pos  # type: ignore[union-attr]
        try:
            if own or word not in _SEMANTIC:
                return rules.kind_of(self._context(first, indent, alt))
            return self._one_liner(first)
        except _Unsure:
            return None

    def _one_liner(self, first: int) -> ImportKind | None:
        # A one-line compound statement (`if TYPE_CHECKING: import x`): the header is this logical line.
        index = bisect_right(self.h_pos, first) - 1
        if index < 0 or self.h_pos[index] != first:
            return None
        return rules.kind_of(self._body_of(index))
