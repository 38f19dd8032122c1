"""Tricky import statements: the fast scanner and the ast oracle must both find exactly what is expected.

Every case runs through three extractors: the oracle, the scanner alone (which must decide the case
itself, without falling back), and `extractor.extract` (scanner + fallback).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from depgraph.base.imports import FileImports, ImportKind
from depgraph.extract import extractor, oracle, scanner

T = ImportKind.TOP_LEVEL
D = ImportKind.DEFERRED
TC = ImportKind.TYPE_CHECKING
G = ImportKind.GUARDED
DY = ImportKind.DYNAMIC
M = ImportKind.MAIN


def _scanner_only(data: bytes, module: str, is_package: bool) -> FileImports:
    found = scanner.extract(data, module, is_package)
    assert found is not None, "the scanner fell back to the oracle on a case it must decide itself"
    return found


EXTRACTORS: dict[str, Callable[[bytes, str, bool], FileImports]] = {
    "oracle": oracle.extract,
    "scanner": _scanner_only,
    "extract": extractor.extract,
}

# (source, module, is_package, expected (line, module, kind) triples)
CASES: dict[str, tuple[str, str, bool, list[tuple[int, str, ImportKind]]]] = {
    "strings and comments mention import": (
        "\n".join(
            [
                '"""Docstring.',
                "",
                "import not_a",
                "from not_b import c",
                '"""',
                'x = "import not_c"  # import not_d',
                "y = 'from not_e import f'",
                'z = b"import not_f" + rb' + "'import not_g'" + ' + f"import {x} not_h"',
                "w = " + '"' * 3 + "'" * 3 + "import not_i" + "'" * 3 + '"' * 3,
                "v = " + "'" * 3 + '"' * 3 + "import not_j" + '"' * 3 + "'" * 3,
                'u = "a \\" import not_k"',
                "import real",
            ]
        ),
        "m",
        False,
        [(12, "real", T)],
    ),
    "hash inside a string is not a comment": (
        """
        x = "# not a comment"; import a
        y = '#'
        import b
        """,
        "m",
        False,
        [(1, "a", T), (3, "b", T)],
    ),
    "continuations and parentheses": (
        """
        from a.b import (c,  # comment with ) paren
            d as e,
        )
        import f, \\
            g.h
        from \\
            i import j
        import k; import l
        """,
        "m",
        False,
        [(1, "a.b", T), (4, "f", T), (4, "g.h", T), (6, "i", T), (8, "k", T), (8, "l", T)],
    ),
    "one-line compound statements": (
        """
        if x: import a
        try: import b
        except ImportError: import c
        def f(): import d
        class C: import e
        for i in y: import g
        while z: import h; import i
        """,
        "m",
        False,
        [
            (1, "a", T),
            (2, "b", G),
            (3, "c", T),
            (4, "d", D),
            (5, "e", T),
            (6, "g", T),
            (7, "h", T),
            (7, "i", T),
        ],
    ),
    "guarded try bodies": (
        """
        try:
            import a
        except (KeyError, ModuleNotFoundError) as exc:
            import b
        else:
            import c
        finally:
            import d
        try:
            import e
        except Exception:
            pass
        try:
            import f
        except KeyError:
            pass
        except ImportError:
            pass
        """,
        "m",
        False,
        [(2, "a", G), (4, "b", T), (6, "c", T), (8, "d", T), (10, "e", T), (14, "f", G)],
    ),
    "type checking and its aliases": (
        """
        import typing as t
        from typing import TYPE_CHECKING as TC
        if TYPE_CHECKING:
            import a
        if t.TYPE_CHECKING:
            import b
        if TC:
            import c
        if typing.TYPE_CHECKING:
            import d
        if not TYPE_CHECKING:
            import e
        else:
            import f
        if x:
            import g
        elif TYPE_CHECKING:
            import h
        else:
            import i
        if other.TYPE_CHECKING:
            import j
        """,
        "m",
        False,
        [
            (1, "typing", T),
            (2, "typing", T),
            (4, "a", TC),
            (6, "b", TC),
            (8, "c", TC),
            (10, "d", TC),
            (12, "e", T),
            (14, "f", TC),
            (16, "g", T),
            (18, "h", TC),
            (20, "i", T),
            (22, "j", T),
        ],
    ),
    "nested functions, classes, precedence": (
        """
        class A:
            import a
            def f(self):
                import b
                class B:
                    import c
                try:
                    import d
                except ImportError:
                    pass
            async def g(self):
                if TYPE_CHECKING:
                    import e

            import h
        if TYPE_CHECKING:
            try:
                import i
            except ImportError:
                pass
        try:
            def k():
                import j
        except ImportError:
            pass
        """,
        "m",
        False,
        [
            (2, "a", T),
            (4, "b", D),
            (6, "c", D),
            (8, "d", D | G),
            (13, "e", D | TC),
            (15, "h", T),
            (18, "i", TC | G),
            (23, "j", D),  # the def's body runs when called, outside the try
        ],
    ),
    "__main__ blocks and every kind at once": (
        """
        import a
        def load():
            try:
                import b
            except ImportError:
                return None
            if TYPE_CHECKING:
                import c
        if __name__ == "__main__":
            import d
            def run():
                import e
            x = importlib.import_module("f")
        elif __name__ == 'other':
            import g
        else:
            import h
        if '__main__' == __name__: import i
        if __name__ == "__main__" \\
                and x:
            import j
        if __name__ != "__main__":
            import k
        if __name__ == "__mane__":  # a comment with "__main__"
            import l
        try:
            import m
        except (ImportError, KeyError):
            def n():
                import o
        """,
        "m",
        False,
        [
            (1, "a", T),
            (4, "b", D | G),
            (8, "c", D | TC),
            (10, "d", M),
            (12, "e", M | D),
            (13, "f", M | DY),
            (15, "g", T),
            (17, "h", T),
            (18, "i", M),
            (21, "j", T),  # `__name__ == "__main__" and x` is not the plain test
            (23, "k", T),
            (25, "l", T),
            (27, "m", G),
            (30, "o", D),
        ],
    ),
    "dedented continuation and docstring lines do not end a block": (
        '''
        def f():
            x = call(1,
        2)
            """doc
        at column 0
        """
            import a
        import b
        ''',
        "m",
        False,
        [(7, "a", D), (8, "b", T)],
    ),
    "tab indentation": (
        "try:\n\timport a\nexcept ImportError:\n\tpass\nclass C:\n\tdef f(self):\n\t\timport b\n"
        "\tif TYPE_CHECKING:\n\t        import c\n",
        "m",
        False,
        [(2, "a", G), (7, "b", D), (9, "c", TC)],
    ),
    "relative imports in a module": (
        """
        from . import x
        from .y import z
        from .. import w
        from ...v import u
        """,
        "p.q.mod",
        False,
        [(1, "p.q", T), (2, "p.q.y", T), (3, "p", T), (4, "...v", T)],
    ),
    "relative imports in a package": (
        """
        from . import x
        from .y import z
        from .. import w
        """,
        "p.q",
        True,
        [(1, "p.q", T), (2, "p.q.y", T), (3, "p", T)],
    ),
    "future, star, non-ascii names": (
        """
        from __future__ import annotations
        from a import *
        import héllo
        """,
        "m",
        False,
        [(1, "__future__", T), (2, "a", T), (3, "héllo", T)],
    ),
    "dynamic imports with literal names": (
        """
        import importlib
        import importlib as il
        from importlib import import_module as im
        a = importlib.import_module("a")
        b = il.import_module("b.c")
        c = im("c")
        d = __import__("d")
        e = importlib.import_module(".e", package="p")
        f = importlib.import_module(".f", __package__)
        g = importlib.import_module(name)
        h = self.import_module("h")
        i = __import__("i", globals(), locals(), [], 1)
        def later():
            return importlib.import_module(
                "j",  # a comment
            )
        x = "importlib.import_module('k')"
        """,
        "p.mod",
        False,
        [
            (1, "importlib", T),
            (2, "importlib", T),
            (3, "importlib", T),
            (4, "a", DY),
            (5, "b.c", DY),
            (6, "c", DY),
            (7, "d", DY),
            (8, "p.e", DY),
            (9, "p.f", DY),
            (12, "p.i", DY),
            (14, "j", DY | D),
        ],
    ),
    "match statements": (
        """
        match command:
            case "go":
                import a
            case _:
                def f():
                    import b
        match = 1
        import c
        """,
        "m",
        False,
        [(3, "a", T), (6, "b", D), (8, "c", T)],
    ),
}


@pytest.mark.parametrize("extractor", sorted(EXTRACTORS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_tricky_cases(case: str, extractor: str) -> None:
    source, module, is_package, expected = CASES[case]
    data = textwrap.dedent(source).lstrip("\n").encode()
    found = EXTRACTORS[extractor](data, module, is_package)
    assert found.error is None
    assert [(r.line, r.module, r.kind) for r in found.records] == sorted(expected)


def test_scanner_and_oracle_give_identical_records_and_text() -> None:
    for source, module, is_package, _ in CASES.values():
        data = textwrap.dedent(source).lstrip("\n").encode()
        assert scanner.extract(data, module, is_package) == oracle.extract(data, module, is_package)


def test_record_fields() -> None:
    data = b"from .pkg import (a as b,\n    c)  # trailing\nimport x.y as z\n"
    found = extractor.extract(data, "top.mod", False)
    first, second = found.records
    assert (first.module, first.names, first.level, first.text) == (
        "top.pkg",
        ("a", "c"),
        1,
        "from .pkg import (a as b, c)",
    )
    assert (second.module, second.names, second.level, second.text) == ("x.y", (), 0, "import x.y as z")


def test_suppressions_are_read_from_comments_only() -> None:
    data = (
        textwrap.dedent(
            """
        import a  # depgraph: ignore[restriction] the core may, just here
        import b  # depgraph: ignore[import-cycle, restriction]
        x = "# depgraph: ignore[restriction] not a comment"
        import c  # noqa  # depgraph: ignore[staging-imports-core] reason two
        """
        )
        .lstrip("\n")
        .encode()
    )
    for extract in (oracle.extract, _scanner_only):
        sups = extract(data, "m", False).suppressions
        assert [(s.line, s.checks, s.reason) for s in sups] == [
            (1, ("restriction",), "the core may, just here"),
            (2, ("import-cycle", "restriction"), ""),
            (4, ("staging-imports-core",), "reason two"),
        ]


def test_coding_cookie_is_honoured() -> None:
    data = "# -*- coding: latin-1 -*-\nx = 'é'\nimport a\n".encode("latin-1")
    found = extractor.extract(data, "m", False)
    assert found.error is None
    assert [(r.line, r.module) for r in found.records] == [(3, "a")]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"import a\nif (:\n    import b\n", 2),
        (b"import a\nx = '\xff'\n", 2),  # not UTF-8
        (b"# coding: no-such-codec\nimport a\n", 1),
        (b"x = 'unterminated\nimport a\n", 1),
        (b'import a\nx = """never closed\nimport b\n', 2),
        (b"import a\nimport (b)\n", 2),
    ],
)
def test_errors_carry_the_line(data: bytes, line: int) -> None:
    found = extractor.extract(data, "m", False)
    assert found.records == ()
    assert found.error is not None
    assert found.error[0] == line
    assert found.error == oracle.extract(data, "m", False).error


def test_syntax_error_away_from_imports_is_not_seen_by_the_scanner() -> None:
    """A documented limit: finding every syntax error takes CPython's parser, several times the cost of
    the whole scan; the scanner only sees errors in what it reads (strings, brackets, import statements)."""
    data = b"import a\nprint 'python 2'\n"
    assert oracle.extract(data, "m", False).error == (
        2,
        "Missing parentheses in call to 'print'. Did you mean print(...)?",
    )
    found = extractor.extract(data, "m", False)
    assert found.error is None
    assert [r.module for r in found.records] == ["a"]
