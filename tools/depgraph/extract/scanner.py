"""The fast import extractor: exact like the `ast` oracle, without building a syntax tree.

``import`` is a hard keyword, so every occurrence of the word outside strings and comments belongs to an
import statement. The scanner finds the word with a C-level search, finds the strings and comments with one
compiled regular expression, and parses only each import statement's own text. The kind of an import that
does not start a line at column 0 comes from the file's block structure (indentation of logical lines,
their headers), computed only for files that need it.

Whenever the scanner meets something it cannot decide with certainty (an encoding cookie it cannot
honour, an unterminated string, an f-string whose braces do not balance, a tab in indentation, a dynamic
import inside an f-string, an odd continuation), ``extract`` returns None and the caller falls back to
the oracle for that file. Syntax errors away from import statements are NOT detected here: finding them
all takes CPython's parser, several times slower than this whole scanner (``depgraph.extract.syntax`` does it,
for ``check``, cached by content).
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
from bisect import bisect_right
from typing import NamedTuple

from depgraph.base.imports import FileImports, ImportKind, ImportRecord, Suppression
from depgraph.extract import importrules as rules
from depgraph.extract.structure import Structure

_BOM = b"\xef\xbb\xbf"
_KEYWORDS = frozenset(keyword.kwlist)

# Comments and complete string literals (prefixes are looked at separately), or a quote that opens a
# string which never closes (a syntax error, or a 3.12 f-string spanning lines: either way, not ours).
# No capturing groups, and every alternative starts with a plain character (the lone quote is `"|'`, not
# `["']`): only then does `re` skip ahead to the first possible character in C (2x faster on sympy).
_COMMENT = r"\#[^\n]*"
_TRIPLE = (
    r'''"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'''
    r"""|'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"""
)
_SINGLE = (
    r'''"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"'''
    r"""|'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"""
    r"""|"|'"""
)
_TOKEN_RE = re.compile(f"(?:{_COMMENT}|{_TRIPLE}|{_SINGLE})")
# The same without triple-quoted strings, for big files, where `str.find` gives their ends: inside a
# 4.7 MB string of JSON (moto's IAM policies) the expression above crawls from quote to quote for 0.3 s.
_SHORT_TOKEN_RE = re.compile(f"(?:{_COMMENT}|{_SINGLE})")
_BIG = 200_000  # characters: from here on, triple-quoted strings are delimited with `str.find`
_WORD_TAIL_RE = re.compile(r"[^\W\d]\w*\Z|\w+\Z")
_FROM_BACK_RE = re.compile(r"(?<![\w.])from(?!\w)(?:[ \t\f.]|\\\n|\w)*\Z")
_PLAIN_END_RE = re.compile(r"(?:[^\n;#\\(]|\\\n)*")
_PAREN_RE = re.compile(r"[ \t\f]*(?:\\\n[ \t\f]*)*\((?:[^)#]|#[^\n]*)*\)")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
_IMPORT_RE = re.compile(rf"import ({_DOTTED}(?: as {_NAME})?(?:, {_DOTTED}(?: as {_NAME})?)*)")
_NAMES = rf"{_NAME}(?: as {_NAME})?(?:, {_NAME}(?: as {_NAME})?)*"
_FROM_RE = re.compile(rf"from (\.*)({_DOTTED})? import (\*|{_NAMES}|\({_NAMES},?\))")
_NAME_RE = re.compile(_NAME)
_WORD_RE = re.compile(r"[A-Za-z_]\w*")
_ASYNC_DEF_RE = re.compile(r"[ \t\f]+def\b")
_INDENT_RE = re.compile(r"[ \t\f]*")
_STRING_PREFIX_RE = re.compile(r"(?i)(?:[rub]|br|rb|f|fr|rf|t|tr|rt)\Z")


# Statement as written -> what it says, worked out once (its node is never modified: the line is passed
# separately). The same statements recur across a code base (`from __future__ import annotations`, ...).
class _Known(NamedTuple):
    text: str  # on one line
    node: ast.Import | ast.ImportFrom
    binds_aliases: bool  # binds a name the rules track (typing, TYPE_CHECKING, importlib, import_module)
    names: tuple[str, ...]  # of `import a, b`: the modules; of `from m import a, b`: a, b
    module: str | None  # of `from m import ...` (None for `import` and for `from . import x`)
    level: int  # -1 for `import`, else the dots of `from`


_PARSED: dict[str, _Known] = {}


def decode(data: bytes) -> str | None:
    """The source text, or None when only the oracle can say (cookie, BOM, bad bytes, NUL)."""
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    head = data if second < 0 else data[:second]
    encoding = "utf-8"
    if data.startswith(_BOM) or b"coding" in head:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:
            return None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if "\0" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class _Tokens:
    """Where the strings and comments of a file are, scanned from the start only as far as asked: past
    the last import statement there is usually nothing to ask about."""

    __slots__ = ("_double", "_single", "comment", "ends", "fstring", "scanned", "starts", "sure", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.comment: list[bool] = []
        self.fstring: list[bool] = []
        self.scanned = -1  # every token starting at or before this position is known
        self.sure = True  # False once a string could not be delimited with certainty
        self._double = self._single = -1  # the next triple quotes of each kind found so far

    def scan(self, upto: int) -> bool:
        """Know every token starting at or before `upto` (a line break, or the end of the text); False
        when one of them cannot be delimited with certainty (then only the oracle can say)."""
        if upto <= self.scanned or not self.sure:
            return self.sure
        pos = self.ends[-1] if self.ends else 0
        if pos <= upto:
            spans = self._by_regex(pos, upto) if len(self.text) < _BIG else self._by_stretch(pos, upto)
            self.sure = spans is not None and self._add(spans)
        self.scanned = upto
        return self.sure

    def _by_regex(self, pos: int, upto: int) -> list[tuple[int, int]]:
        """One pass of the regular expression, with the text cut after `upto`: the one token that may
        cross the cut (a triple-quoted string, or a string continued by a backslash) then shows as an
        empty string glued to a quote, or as a lone quote, and is matched again on the whole text."""
        text = self.text
        if upto + 1 >= len(text):
            return [m.span() for m in _TOKEN_RE.finditer(text, pos)]
        spans = [m.span() for m in _TOKEN_RE.finditer(text, pos, upto + 1)]
        for index in [i for i, (s, e) in enumerate(spans) if e - s < 3]:
            start, end = spans[index]
            if text[start] != "#" and (end - start == 1 or text[end : end + 1] == text[start]):
                whole = _TOKEN_RE.match(text, start)
                assert whole is not None  # at a quote, the lone-quote alternative always matches
                del spans[index:]
                spans.append(whole.span())
                break
        return spans

    def _by_stretch(self, pos: int, upto: int) -> list[tuple[int, int]] | None:
        """Stretch by stretch: up to the next triple quote, the regular expression without triple-quoted
        strings (with the text cut there); then either the token the cut fell into (matched again on
        the whole text), or a triple-quoted string, whose end `str.find` gives. None: one never closes."""
        text = self.text
        spans: list[tuple[int, int]] = []
        while pos <= upto:
            triple = self._next_triple(pos)
            stop = min(triple, upto + 1)
            batch = [m.span() for m in _SHORT_TOKEN_RE.finditer(text, pos, stop)]
            cut = next((i for i, (s, e) in enumerate(batch) if e - s == 1 and text[s] != "#"), -1)
            if cut < 0 and batch and batch[-1][1] == stop and stop < len(text):
                cut = len(batch) - 1  # a comment or string that may go on past the cut
            if cut >= 0:
                whole = _SHORT_TOKEN_RE.match(text, batch[cut][0])
                assert whole is not None  # at a quote or `#`, some alternative always matches
                del batch[cut:]
                batch.append(whole.span())
            spans += batch
            if batch and batch[-1][1] > stop:
                pos = batch[-1][1]  # a token runs past the cut (over the triple quote, if that was it)
                continue
            if stop > upto or triple >= len(text):
                break
            close = _triple_end(text, triple)
            if close < 0:
                return None  # never closed: only the parser can say what it is
            spans.append((triple, close))
            pos = close
        return spans

    def _next_triple(self, pos: int) -> int:
        """Where the next triple quote (of either kind) starts at or after pos (the text's end if none);
        each kind is searched for again only once pos has passed the one found before."""
        if self._double < pos:
            found = self.text.find('"""', pos)
            self._double = found if found >= 0 else len(self.text)
        if self._single < pos:
            found = self.text.find("'''", pos)
            self._single = found if found >= 0 else len(self.text)
        return min(self._double, self._single)

    def everything(self) -> tuple[list[int], list[int], list[bool]] | None:
        """Every token of the text (None when one cannot be delimited with certainty)."""
        if not self.scan(len(self.text)):
            return None
        return self.starts, self.ends, self.comment

    def _add(self, spans: list[tuple[int, int]]) -> bool:
        """Append newly scanned tokens; per-token work is kept to list comprehensions, and only
        prefixed strings get a closer look."""
        if not spans:
            return True
        text = self.text
        starts = [s for s, _ in spans]
        ends = [e for _, e in spans]
        comment = [text[s] == "#" for s in starts]
        fstring = [False] * len(starts)
        if any(text[s] != "#" for s, e in spans if e - s == 1):
            return False  # a quote that opens a string which never closes
        glued = [
            i
            for i, s in enumerate(starts)
            if s and (text[s - 1].isalnum() or text[s - 1] == "_") and not comment[i]
        ]
        for index in glued:
            start = starts[index]
            prefix = _WORD_TAIL_RE.search(text, max(0, start - 3), start)
            if prefix is None or not _STRING_PREFIX_RE.match(prefix.group()):
                return False  # a word glued to a quote that is not a prefix: not Python we know
            lowered = prefix.group().lower()
            if "f" in lowered or "t" in lowered:
                fstring[index] = True
                literal = text[start : ends[index]]
                if "{" in literal and not _balanced_fields(literal, lowered):
                    return False
        self.starts += starts
        self.ends += ends
        self.comment += comment
        self.fstring += fstring
        return True

    def find(self, pos: int) -> int:
        """Index of the string or comment holding pos (scanned up to pos at least), or -1."""
        index = bisect_right(self.starts, pos) - 1
        if index >= 0 and self.ends[index] > pos:
            return index
        return -1


def _triple_end(text: str, start: int) -> int:
    """The end of the triple-quoted string opening at start (past its closing quotes), or -1."""
    quotes = text[start : start + 3]
    at = start + 3
    while True:
        found = text.find(quotes, at)
        if found < 0:
            return -1
        back = found
        while back > at and text[back - 1] == "\\":
            back -= 1
        if (found - back) % 2 == 0:  # not escaped
            return found + 3
        at = found + 1


def _balanced_fields(literal: str, prefix: str) -> bool:
    """Whether an f-string's replacement fields close inside it (3.12 nested quotes make them not)."""
    quote = 3 if literal[:3] in ('"""', "'''") else 1
    body = literal[quote:-quote]
    if "r" not in prefix.lower():
        body = re.sub(r"\\[\s\S]", "", body)
    body = body.replace("{{", "").replace("}}", "")
    depth = 0
    for char in body:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


class _Parsed:
    """What `_find_candidates` gathers in one file."""

    __slots__ = ("aliases", "dynamic", "statements", "tokens")

    def __init__(self, tokens: _Tokens) -> None:
        self.tokens = tokens
        # start, line, what it says, end, whether it starts a line at column 0 (not continued: top level)
        self.statements: list[tuple[int, int, _Known, int, bool]] = []
        self.dynamic: list[int] = []  # positions of `__import__` / `import_module` / aliases
        self.aliases = rules.Aliases()


def extract(data: bytes, module: str, is_package: bool) -> FileImports | None:
    """The imports of one file, or None when the oracle must decide (see the module's docstring)."""
    text = decode(data)
    if text is None:
        return None
    marked = rules.SUPPRESSION_MARK in text
    if "import" not in text and not marked:
        return FileImports(())
    tokens = _Tokens(text)
    parsed = _Parsed(tokens)
    if not _find_candidates(text, parsed) or (marked and not tokens.scan(len(text))):
        return None
    records: list[ImportRecord] = []
    structure: Structure | None = None
    # Statements not at the start of a line, and dynamic imports, need the block structure, only up to the
    # last of them.
    indented = [(start, end) for start, _, _, end, at_top in parsed.statements if not at_top]
    calls: list[tuple[int, ast.Call]] = []
    for pos in parsed.dynamic:
        sure, call, close = _dynamic(text, pos, parsed)
        if not sure:
            return None
        if call is not None:
            calls.append((pos, call))
            indented.append((pos, close))
    # No type-checking, guarded or __main__ block can exist: a def above decides alone.
    quick = not any(word in text for word in _CONTEXT_WORDS)

    def build() -> Structure | None:
        last = max(end for _, end in indented)
        limit = text.find("\n", last)
        if not tokens.scan(len(text) if limit < 0 else limit):
            return None
        return Structure.build(
            text,
            (tokens.starts, tokens.ends, tokens.comment),
            parsed.aliases,
            limit=None if limit < 0 else limit,
            rest=tokens.everything,
            origin=_origin(text, min(start for start, _ in indented), tokens),
        )

    for start, line, known, _, at_top in parsed.statements:
        if at_top:
            kind = ImportKind.TOP_LEVEL
        elif quick and _in_a_def(text, start, tokens):
            kind = ImportKind.DEFERRED
        else:
            if structure is None and (structure := build()) is None:
                return None
            found = structure.kind_at(start)
            if found is None:
                return None
            kind = found
        records += rules.records(
            line, known.names, known.module, known.level, module, is_package, kind, known.text
        )
    for pos, call in calls:
        if structure is None and (structure := build()) is None:
            return None
        ctx = structure.context_at(pos)
        if ctx is None:
            return None
        record = rules.dynamic_record(call, module, is_package, parsed.aliases, ctx)
        if record is not None:
            records.append(record)
    return FileImports(tuple(sorted(records)), None, _suppressions(text, tokens))


_CONTEXT_WORDS = ("TYPE_CHECKING", "__main__", *sorted(rules.IMPORT_ERRORS))
_COMPOUND = frozenset(
    (
        "if",
        "elif",
        "else",
        "for",
        "while",
        "with",
        "try",
        "except",
        "finally",
        "match",
        "case",
        "async",
        "class",
    )
)


def _in_a_def(text: str, pos: int, tokens: _Tokens, most: int = 100) -> bool:
    """Whether a `def` surely encloses the statement at pos, seen from the lines above alone (False: the
    block structure must tell; also after `most` lines).

    From the statement's line up: skip blank and comment lines and the insides of strings; the first line
    indented less is where the enclosing block may start; from there on the same. A line starting with
    `def` is always a def statement (no bracket or backslash can hold one), and every line between it and
    pos is indented more, so its block holds pos. Any other line indented less that does not start with a
    compound-statement keyword may be the inside of brackets: then only the structure can say.
    """
    line_start = text.rfind("\n", 0, pos) + 1
    if line_start >= 2 and text[line_start - 2] == "\\":
        return False
    width = _INDENT_RE.match(text, line_start).end() - line_start  # type: ignore[union-attr]
    if "\t" in text[line_start : line_start + width] or "\f" in text[line_start : line_start + width]:
        return False
    at = line_start
    for _ in range(most):
        if width == 0 or at == 0:
            return False
        above = text.rfind("\n", 0, at - 1) + 1
        inside = tokens.find(above)
        if inside >= 0:  # within a string spanning lines: go to the line it starts on
            above = text.rfind("\n", 0, tokens.starts[inside]) + 1
        at = above
        first = _INDENT_RE.match(text, above).end()  # type: ignore[union-attr]
        if first >= len(text) or text[first] in "\n#":
            continue  # blank or comment
        if first - above >= width:
            continue
        white = text[above:first]
        if "\t" in white or "\f" in white:
            return False
        word = _WORD_RE.match(text, first)
        name = word.group() if word is not None else ""
        if name == "async" and word is not None:
            name = "def" if _ASYNC_DEF_RE.match(text, word.end()) else "async"
        if name == "def":
            return True
        if name not in _COMPOUND:
            return False
        width = first - above
    return False


def _origin(text: str, pos: int, tokens: _Tokens) -> int:
    """Where the block structure above pos may start: the last line above it that begins, at column 0 and
    outside every string, with `def`, `async def` or `class` (a statement no bracket or backslash can
    continue into in valid code: every block from there down is known from the text below), else 0."""
    found = max(
        text.rfind("\ndef ", 0, pos), text.rfind("\nclass ", 0, pos), text.rfind("\nasync def ", 0, pos)
    )
    while found >= 0 and tokens.find(found) >= 0:  # inside a string or comment: look further up
        found = max(
            text.rfind("\ndef ", 0, found),
            text.rfind("\nclass ", 0, found),
            text.rfind("\nasync def ", 0, found),
        )
    return found + 1 if found >= 0 else 0


def _suppressions(text: str, tokens: _Tokens) -> tuple[Suppression, ...]:
    if rules.SUPPRESSION_MARK not in text:
        return ()
    found: list[Suppression] = []
    line = 1
    last = 0
    for start, end, is_comment in zip(tokens.starts, tokens.ends, tokens.comment, strict=True):
        if not is_comment:
            continue
        comment = text[start:end]
        if rules.SUPPRESSION_MARK in comment:
            line += text.count("\n", last, start)
            last = start
            sup = rules.parse_suppression(comment, line)
            if sup is not None:
                found.append(sup)
    return tuple(sorted(found))


def _find_candidates(text: str, parsed: _Parsed) -> bool:
    """Collect import statements (parsed) and dynamic-import positions; False to fall back.

    First every `import` keyword that may be code (see `_may_be_code`) and every dynamic-import name,
    without the tokens; then the strings and comments only up to the last of them; then each one that is
    not inside a string or comment.
    """
    tokens = parsed.tokens
    found: list[tuple[int, int]] = []  # (position, statement start, _CONTINUED or _DYNAMIC)
    pos = text.find("import")
    last = -1
    while pos >= 0:
        after = pos + 6
        before_char = text[pos - 1] if pos else "\n"
        after_char = text[after] if after < len(text) else "\n"
        word_before = _is_word(before_char)
        if not word_before and not _is_word(after_char):
            start = _may_be_code(text, pos)
            if start != _NOT_CODE:
                found.append((pos, start))
                last = pos
        elif (before_char == "_" and text.startswith("__import__", pos - 2)) or (
            not word_before and text.startswith("import_module", pos)
        ):
            begin = pos - 2 if before_char == "_" else pos
            end = begin + (10 if before_char == "_" else 13)
            if (begin == 0 or not _is_word(text[begin - 1])) and (
                end >= len(text) or not _is_word(text[end])
            ):
                found.append((begin, _DYNAMIC))
                last = pos
        pos = text.find("import", after)
    if last >= 0:
        line_end = text.find("\n", last)
        if not tokens.scan(len(text) if line_end < 0 else line_end):
            return False
    line = 1
    counted = 0
    for pos, found_start in found:
        index = tokens.find(pos)
        if found_start == _DYNAMIC:
            if index < 0:
                parsed.dynamic.append(pos)
            elif tokens.fstring[index] and not tokens.comment[index]:
                return False  # maybe inside a replacement field: only the parser can tell
            continue
        if index >= 0:
            continue
        at_top = False
        start = found_start
        if start == _CONTINUED:
            start = _statement_start(text, pos, tokens)
        elif start != pos and tokens.find(start) >= 0:
            start = pos  # the `from` before it is in a string: `import` alone starts the statement
        else:
            at_top = text[start - 1] == "\n" if start else True
        line += text.count("\n", counted, start)
        counted = start
        statement = _statement(text, start, pos, line, at_top)
        if statement is None:
            return False
        parsed.statements.append(statement)
        if statement[2].binds_aliases:
            parsed.aliases.add(statement[2].node)
    extra = parsed.aliases.import_module_names - {"import_module"}
    if (extra or parsed.dynamic) and not tokens.scan(len(text)):
        return False  # a call's arguments, or an alias anywhere: every token is needed
    for name in sorted(extra):
        for match in re.finditer(rf"(?<![\w.]){re.escape(name)}(?!\w)", text):
            index = tokens.find(match.start())
            if index < 0:
                parsed.dynamic.append(match.start())
            elif tokens.fstring[index]:
                return False
    return True


_NOT_CODE = -1
_CONTINUED = -2  # on a line continued from above: where the statement starts is worked out later
_DYNAMIC = -3  # (in `_find_candidates`) a dynamic-import name, not an `import` keyword


def _may_be_code(text: str, pos: int) -> int:
    """Where the statement of the `import` keyword at pos starts (at pos, or at its `from` on the same
    line), _CONTINUED, or _NOT_CODE when that keyword cannot begin an import statement's `import` part.

    In valid Python only blanks, a `from` clause, or a statement ending in `;` or a block header's `:`
    can precede it on its line; anything else (`>>> from x import y` in a doctest, prose) means it lies in
    a string or comment, which then need not be scanned for. A line continued from above is always a
    maybe. A file that is not valid Python is a `parse-error` finding of `depgraph.extract.syntax` anyway.
    """
    line_start = text.rfind("\n", 0, pos) + 1
    if line_start >= 2 and text[line_start - 2] == "\\":
        return _CONTINUED
    if line_start == pos or not text[line_start:pos].strip(" \t\f"):
        return pos
    match = _FROM_BACK_RE.search(text, line_start, pos)
    head = text[line_start : match.start() if match is not None else pos].rstrip(" \t\f")
    if head and head[-1] not in ";:":
        return _NOT_CODE
    return match.start() if match is not None else pos


def _statement_start(text: str, pos: int, tokens: _Tokens) -> int:
    """Where the statement whose `import` keyword is at pos starts (at `from`, or at pos)."""
    low = text.rfind("\n", 0, pos) + 1
    while low >= 2 and text[low - 2] == "\\":  # backslash-continued: the statement may start above
        low = text.rfind("\n", 0, low - 2) + 1
    match = _FROM_BACK_RE.search(text, low, pos)
    if match is not None and tokens.find(match.start()) < 0:
        return match.start()
    return pos


def _statement(
    text: str, start: int, keyword_pos: int, line: int, at_top: bool
) -> tuple[int, int, _Known, int, bool] | None:
    after = keyword_pos + 6
    paren = _PAREN_RE.match(text, after)
    end = paren.end() if paren is not None else _PLAIN_END_RE.match(text, after).end()  # type: ignore[union-attr]
    raw = text[start:end]
    known = _PARSED.get(raw)
    if known is None:
        stmt_text = rules.statement_text(raw)
        node = _parse_statement(stmt_text)
        if node is None:
            return None
        if len(_PARSED) > 100_000:
            _PARSED.clear()
        known = _PARSED[raw] = _known(stmt_text, node)
    return start, line, known, end, at_top


def _known(stmt_text: str, node: ast.Import | ast.ImportFrom) -> _Known:
    probe = rules.Aliases()
    before = (len(probe.typing_modules), len(probe.tc_names), len(probe.importlib_names))
    probe.add(node)
    after = (len(probe.typing_modules), len(probe.tc_names), len(probe.importlib_names))
    binds = before != after or bool(probe.import_module_names)
    names = tuple(alias.name for alias in node.names)
    if isinstance(node, ast.Import):
        return _Known(stmt_text, node, binds, names, None, -1)
    return _Known(stmt_text, node, binds, names, node.module, node.level)


def _parse_statement(stmt_text: str) -> ast.Import | ast.ImportFrom | None:
    match = _IMPORT_RE.fullmatch(stmt_text)
    if match is not None and not _has_keyword(match.group(1)):
        names = [ast.alias(*part.split(" as ")) for part in match.group(1).split(", ")]
        return ast.Import(names=names)
    match = _FROM_RE.fullmatch(stmt_text)
    if match is not None and not _has_keyword(stmt_text[5:]):
        dots, module, what = match.groups()
        if dots or module:
            what = what.strip("()").rstrip(",")
            names = [ast.alias(*part.split(" as ")) for part in what.split(", ")]
            return ast.ImportFrom(module=module, names=names, level=len(dots))
    try:
        tree = rules.parse(stmt_text)
    except (SyntaxError, ValueError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.Import, ast.ImportFrom)):
        return None
    return tree.body[0]


def _has_keyword(names: str) -> bool:
    return any(word in _KEYWORDS for word in _NAME_RE.findall(names) if word not in ("as", "import"))


def _dynamic(text: str, pos: int, parsed: _Parsed) -> tuple[bool, ast.Call | None, int]:
    """(sure, call, position of its closing parenthesis) for a dynamic-import name at pos; call None: not a
    call; not sure: fall back."""
    tokens = parsed.tokens
    start = pos
    while start > 0 and (text[start - 1] == "." or _is_word(text[start - 1])):
        start -= 1
    if text[start] == ".":
        # `<something>.import_module`: an attribute of a non-name, never a dynamic import by the rules,
        # unless the something is a name separated by blanks (`importlib .import_module`).
        previous = _previous_significant(text, start, tokens)
        return (not (previous and _is_word(previous)), None, pos)
    if _previous_significant(text, start, tokens) == ".":
        return False, None, pos  # `importlib. import_module` across blanks or lines: leave it to the parser
    name_end = pos
    while name_end < len(text) and _is_word(text[name_end]):
        name_end += 1
    open_at = name_end
    while open_at < len(text) and text[open_at] in " \t\f":
        open_at += 1
    if open_at >= len(text) or text[open_at] != "(":
        return not (open_at < len(text) and text[open_at] == "\\"), None, pos
    close = _matching_paren(text, open_at, tokens)
    if close < 0:
        return False, None, pos
    snippet = text[start : close + 1]
    try:
        tree = rules.parse_expression("(" + snippet + "\n)")
    except (SyntaxError, ValueError):
        return False, None, pos
    call = tree.body
    if not isinstance(call, ast.Call):
        return False, None, pos
    call.lineno = text.count("\n", 0, start) + 1
    return True, call, close


def _previous_significant(text: str, pos: int, tokens: _Tokens) -> str:
    """The last character before pos that is not blank, a line break or inside a comment ("" if none)."""
    while pos > 0:
        char = text[pos - 1]
        if char in " \t\f\\\n":
            pos -= 1
            continue
        index = tokens.find(pos - 1)
        if index >= 0 and tokens.comment[index]:
            pos = tokens.starts[index]
            continue
        return char
    return ""


_BRACKETS_RE = re.compile(r"[()\[\]{}]")


def _matching_paren(text: str, open_at: int, tokens: _Tokens) -> int:
    depth = 0
    for match in _BRACKETS_RE.finditer(text, open_at):
        at = match.start()
        index = tokens.find(at)
        if index >= 0:
            continue
        if match.group() in "([{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return at
    return -1
