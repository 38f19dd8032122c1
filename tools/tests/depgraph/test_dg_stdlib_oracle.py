"""The fast extractor against the `ast` oracle over the standard library of this interpreter.

Every .py file under ``sysconfig.get_paths()["stdlib"]`` (test suites and lib2to3 data included, the
``site-packages`` folder of installed distributions excluded: it is not the standard library). For files
the oracle parses, the fast extractor must give the same records (module, line, kind, names, text) and
suppressions; for files it rejects, the fast extractor must report an error too, where it can see one
(see ``test_dg_imports.test_syntax_error_away_from_imports_is_not_seen_by_the_scanner``).

`make test` compares a fixed sample (one file in SAMPLE, chosen by a hash of its path under the stdlib
folder: the same files on every run with this Python) and the hard files named in HARD; the whole library
(about 1,800 files and 15 s of CPU on Python 3.11) is the `slow` test, which `make test-all` runs (and so
CI: `.ci/run`).
"""

from __future__ import annotations

import os
import sysconfig
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from depgraph.extract import oracle, scanner

SAMPLE = 6
# Files with the syntax hardest for a scanner that does not parse (string prefixes and nesting, continuation
# lines, encodings, f-strings, soft keywords), the files the oracle rejects (Python 2 code, bad encodings) and
# the files whose imports make the scanner hand over to the oracle (`__import__` and importlib tricks).
HARD = (
    "tokenize.py",
    "modulefinder.py",
    "importlib/__init__.py",
    "importlib/_bootstrap.py",
    "importlib/_bootstrap_external.py",
    "test/test_grammar.py",
    "test/test_tokenize.py",
    "test/test_fstring.py",
    "test/test_patma.py",
    "test/test_string_literals.py",
    "test/test_unicode_identifiers.py",
    "test/test_source_encoding.py",
    "test/test_import/__init__.py",
    "test/support/import_helper.py",
    "test/tokenizedata/bad_coding.py",
    "test/tokenizedata/bad_coding2.py",
    "test/tokenizedata/badsyntax_3131.py",
    "test/tokenizedata/badsyntax_pep3120.py",
    "lib2to3/tests/data/py2_test_grammar.py",
    "lib2to3/tests/data/py3_test_grammar.py",
    "lib2to3/tests/data/crlf.py",
    "lib2to3/tests/data/bom.py",
    "lib2to3/tests/data/different_encoding.py",
    "lib2to3/tests/data/false_encoding.py",
)


def _stdlib_files() -> tuple[str, list[str]]:
    root = sysconfig.get_paths()["stdlib"]
    found: list[str] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "dist-packages", "__pycache__"))
        found.extend(str(Path(folder) / name) for name in sorted(names) if name.endswith(".py"))
    return root, found


def _sample(root: str, files: list[str]) -> list[str]:
    return [path for path in files if zlib.crc32(os.path.relpath(path, root).encode()) % SAMPLE == 0]


def _compare(paths: list[str]) -> tuple[list[str], int, list[str], list[str]]:
    """(mismatches, fallbacks, files the oracle rejects that the scanner reported, ... that it did not)."""
    mismatches: list[str] = []
    fallbacks = 0
    seen: list[str] = []
    missed: list[str] = []
    for path in paths:
        data = Path(path).read_bytes()
        module = "stdlib.probe"
        expected = oracle.extract(data, module, False)
        fast = scanner.extract(data, module, False)
        if fast is None:
            fallbacks += 1
            continue
        if expected.error is not None:
            (seen if fast.error is not None else missed).append(path)
            continue
        if fast != expected:
            extra = sorted(set(fast.records) - set(expected.records))[:2]
            lost = sorted(set(expected.records) - set(fast.records))[:2]
            mismatches.append(f"{path}: scanner only {extra}, oracle only {lost}")
    return mismatches, fallbacks, seen, missed


def _check(files: list[str], results: list[tuple[list[str], int, list[str], list[str]]]) -> None:
    mismatches = [m for r in results for m in r[0]]
    fallbacks = sum(r[1] for r in results)
    assert mismatches == []
    # The scanner decides almost every file itself; the oracle is the exception, not the rule.
    assert fallbacks < len(files) // 100, f"{fallbacks} fallbacks out of {len(files)} files"
    _check_missed(results)


def _check_missed(results: list[tuple[list[str], int, list[str], list[str]]]) -> None:
    missed = [m for r in results for m in r[3]]
    # Files the oracle rejects and the scanner could not see as broken: only errors away from every
    # import statement, string and bracket (Python 2 print statements, 0777 literals, stray characters).
    for path in missed:
        data = Path(path).read_bytes()
        error = oracle.parse_error(data)
        assert error is not None
        assert "decode" not in error[1] and "encoding" not in error[1], path


@pytest.mark.heavy
def test_scanner_matches_ast_oracle_on_a_fixed_sample_of_the_stdlib() -> None:
    root, files = _stdlib_files()
    assert len(files) > 1000, "the standard library should have well over a thousand modules"
    sample = _sample(root, files)
    # The sample is a fixed, sizeable share of the library (a hash spreads it over every folder).
    assert len(files) // (2 * SAMPLE) < len(sample) < 2 * len(files) // SAMPLE
    assert len({Path(path).parent for path in sample}) > 20
    _check(sample, [_compare(sample)])
    # The hard files this Python has (names move between versions: most must be found).
    hard = [str(Path(root) / rel) for rel in HARD if (Path(root) / rel).is_file()]
    assert len(hard) >= len(HARD) // 2, "most of the hard files should exist in this Python's stdlib"
    mismatches, _, seen, missed = result = _compare(hard)
    assert mismatches == []
    assert seen or missed, "some hard files should be ones the oracle rejects"
    _check_missed([result])


@pytest.mark.slow
@pytest.mark.xdist_group("stdlib-oracle")
def test_scanner_matches_ast_oracle_on_the_whole_stdlib() -> None:
    _, files = _stdlib_files()
    assert len(files) > 1000, "the standard library should have well over a thousand modules"
    halves = [files[0::2], files[1::2]]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_compare, halves))
    _check(files, results)
