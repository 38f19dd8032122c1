"""The fast scanner's own behaviour: where it defers to the oracle, and newer syntax on every Python here."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from depgraph.base.imports import ImportKind
from depgraph.extract import extractor, oracle, scanner

TOOLS = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("x = f\"{__import__('os').sep}\"\n", id="dynamic import inside an f-string"),
        pytest.param("x = 'never closed\nimport a\n", id="unterminated string"),
        pytest.param("if x:\n\tif y:\n        import a\n", id="tabs and spaces the tokenizer rejects"),
        pytest.param("import a\x00\n", id="NUL byte"),
        pytest.param("x = importlib .import_module('a')\n", id="blank before the attribute dot"),
        pytest.param("x = f'{y['a']}'\nimport b\n", id="3.12 nested quotes in an f-string"),
    ],
)
def test_scanner_defers_to_the_oracle_when_unsure(source: str) -> None:
    data = source.encode()
    assert scanner.extract(data, "m", False) is None
    assert extractor.extract(data, "m", False) == oracle.extract(data, "m", False)


@pytest.mark.parametrize("big", [False, True], ids=["one-regex", "by-stretch"])
def test_an_unclosed_triple_quote_before_an_import_goes_to_the_oracle(
    big: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if big:
        monkeypatch.setattr(scanner, "_BIG", 0)
    data = b'x = 1\ny = """never closed\nimport a\n'
    assert scanner.extract(data, "m", False) is None
    found = extractor.extract(data, "m", False)
    assert found.records == ()
    assert found.error is not None
    assert found.error[0] == 2


def test_strings_past_the_last_import_are_not_scanned() -> None:
    """The tokens are scanned only up to the line of the last `import` that may be code: an unterminated
    string below it is no concern of the import scan (`depgraph.extract.syntax` reports it in `check`)."""
    found = scanner.extract(b"import a\nx = 'never closed\n", "m", False)
    assert found is not None
    assert [(r.line, r.module) for r in found.records] == [(1, "a")]
    assert found.error is None


@pytest.mark.parametrize(
    "source",
    [
        '"""doc\n>>> from x import y\n"""\nimport a\n',  # a doctest line: not code, skipped unscanned
        'import a\ndef f():\n    """doc\n    import x\n    """\n    import b\n',  # prose, then a real one
        'x = """a\nb"""; import a\nif x: import b\n',  # after `;` and after a header's `:`
        'import a\ny = """crosses\nthe cut"""\n\n\ndef f():\n    import b\n',
        "s = 'continued \\\nstring'; import a\n",  # a string continued by a backslash, before the cut
        '"""open\n\nimport x  # in the docstring\n"""\n',
        # the structure starts at the last column-0 `def`/`class` above the first indented import
        "def f():\n    pass\nclass C:\n    def m(self):\n        import a\n",
        "def f():\n    pass\ntry:\n    import a\nexcept ImportError:\n    a = None\n",
        'x = """\ndef g():\n"""\ntry:\n    import a\nexcept ImportError:\n    pass\n',  # a `def` in a string
        "import typing\nif typing.TYPE_CHECKING:\n    import a\ndef f():\n    import b\n",
        "def f():\n    pass\nif x:  # def\n    import a\nelse:\n    import b\n",
        # a def above decides an indented import's kind without the block structure (no TYPE_CHECKING)
        "def f():\n    '''doc\n  import x\n'''\n    # note\n\n    import a\n",
        "def f():\n    x = (1,\n2)\n    import a\n",
        "def f():\n    x = [a\nfor a in b]\n    if x:\n        import a\n",
        "class C:\n    if x:\n        import a\n",
        "try:\n    import a\nexcept ImportError:\n    def f():\n        import b\n",
        "async def f():\n    with x:\n        import a\n",
        "def f():\n    pass\nx = 1\nif x:\n    import a\n",
        # what the stretch-by-stretch scan of big files must get right
        "# it'''s a comment\nimport a\n",
        'x = \'a"""b\'\nimport a\ny = """c\n"""\n',
        'x = """a\\"""\nimport b\n"""\nimport a\n',
        'x = """a\\\\"""\nimport a\n',
        "x = '''one\n''' + \"\"\"two\n\"\"\"\ndef f():\n    import a\n",
        'x = ""\nimport a\n"""tail"""',
    ],
)
@pytest.mark.parametrize("big", [False, True], ids=["one-regex", "by-stretch"])
def test_partial_token_scan_agrees_with_the_oracle(
    source: str, big: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if big:  # the path big files take: triple-quoted strings delimited with str.find
        monkeypatch.setattr(scanner, "_BIG", 0)
    data = source.encode()
    fast = scanner.extract(data, "m", False)
    assert fast is not None
    assert fast == oracle.extract(data, "m", False)


def test_dynamic_import_in_an_fstring_is_found_through_the_fallback() -> None:
    found = extractor.extract(b"x = f\"{__import__('os').sep}\"\n", "m", False)
    assert [(r.module, r.kind) for r in found.records] == [("os", ImportKind.DYNAMIC)]


def test_file_without_imports_is_cheap_and_empty() -> None:
    found = scanner.extract(b"x = 1\n" * 1000, "m", False)
    assert found is not None
    assert found.records == ()
    assert found.error is None


def test_crlf_and_cr_line_endings_keep_line_numbers() -> None:
    data = b"import a\r\n\r\ndef f():\r\n    import b\rimport c\n"
    found = scanner.extract(data, "m", False)
    assert found == oracle.extract(data, "m", False)
    assert found is not None
    assert [(r.line, r.module, r.kind) for r in found.records] == [
        (1, "a", ImportKind.TOP_LEVEL),
        (4, "b", ImportKind.DEFERRED),
        (5, "c", ImportKind.TOP_LEVEL),
    ]


def test_bom_and_utf8_cookie() -> None:
    data = b"\xef\xbb\xbf# -*- coding: utf-8 -*-\nimport a\n"
    found = scanner.extract(data, "m", False)
    assert found is not None
    assert [r.module for r in found.records] == ["a"]


SNIPPETS = {
    "match": (
        "match x:\n    case [a, *_]:\n        import m1\n"
        "    case {'k': v} if v:\n        def g():\n            import m2\n"
    ),
    "except-star": "try:\n    import m3\nexcept* ImportError:\n    import m4\n",
    "pep701": 'x = f"{"import m5"}"\ny = f"{\n    1\n}"\nimport m6\nz = f"{f"{"a"}"}"\n',
    "walrus-header": "if (n := 1):\n    import m7\nif TYPE_CHECKING and n:\n    import m8\n",
    "type-params": "def f[T](x: T) -> T:\n    import m9\n    return x\n",
}

_PROBE = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from depgraph.extract import oracle, scanner
    out = {}
    for name, source in json.loads(sys.argv[2]).items():
        data = source.encode()
        ref = oracle.extract(data, "m", False)
        fast = scanner.extract(data, "m", False)
        out[name] = {
            "error": ref.error is not None,
            "fallback": fast is None,
            # where this Python rejects the file, the scanner need not notice (test_dg_imports says why)
            "same": fast is None or ref.error is not None or fast == ref,
            "records": [[r.line, r.module, r.kind.label] for r in ref.records],
        }
    print(json.dumps(out))
    """
)


def _interpreters() -> list[str]:
    found = [sys.executable]
    for minor in (10, 11, 12, 13):
        found += [
            str(p) for p in sorted((Path.home() / ".pyenv/versions").glob(f"3.{minor}.*/bin/python3.{minor}"))
        ][:1]
    return found


@pytest.mark.parametrize("python", _interpreters())
def test_newer_syntax_on_each_interpreter(python: str) -> None:
    """On every Python here, the scanner agrees with that interpreter's own ast (or defers to it)."""
    result = subprocess.run(
        [python, "-c", _PROBE, str(TOOLS), json.dumps(SNIPPETS)], capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    for name, row in report.items():
        assert row["same"], f"{python}: {name}: scanner and oracle disagree"
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version_info[1])"], capture_output=True, text=True, check=True
    )
    minor = int(version.stdout)
    assert report["match"]["records"] == [[3, "m1", "top-level"], [6, "m2", "deferred"]]
    if minor >= 11:
        assert report["except-star"]["records"] == [[2, "m3", "guarded"], [4, "m4", "top-level"]]
    if minor >= 12:
        assert not report["pep701"]["error"]
        assert [r[1] for r in report["pep701"]["records"]] == ["m6"]
        assert report["type-params"]["records"] == [[2, "m9", "deferred"]]
    else:
        assert report["pep701"]["error"]


@pytest.mark.parametrize(
    "source",
    [
        "try:\n    import a\nexcept ImportError:\n    a = None\n",
        "def f():\n    try:\n        import a\n    except (OSError, ModuleNotFoundError):\n        pass\n"
        "x = (1,\n 2)\n",
        "try:\n    import a\nexcept OSError:\n    pass\nexcept ImportError:\n    pass\n",
        "try:\n    import a\nfinally:\n    pass\nx = [1,\n]\n",
    ],
)
def test_structure_built_up_to_the_last_indented_import_still_sees_except_clauses_below(source: str) -> None:
    """The block structure stops after the last indented import; a `try` above it completes it."""
    data = source.encode()
    found = scanner.extract(data, "m", False)
    assert found is not None
    assert found == oracle.extract(data, "m", False)


def test_parsing_never_warns() -> None:
    """An invalid escape sequence makes `ast.parse` warn (a SyntaxWarning printed on stderr from Python
    3.12 on); neither the oracle nor the scanner's own small parses may pass that on."""
    import warnings  # noqa: PLC0415

    sources = [
        b'x = f"{__import__(\'os\').sep}"\ny = "\\d"\n',  # dynamic import in an f-string: the oracle
        b'import importlib\nm = importlib.import_module("a\\d")\n',  # the scanner parses the call
        b'import typing\nif typing.TYPE_CHECKING and "\\d":\n    import a\n',  # ... and the header
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for data in sources:
            extractor.extract(data, "m", False)
            oracle.extract(data, "m", False)
    assert [str(w.message) for w in caught] == []
