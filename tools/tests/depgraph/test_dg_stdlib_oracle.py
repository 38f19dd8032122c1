"""The fast extractor against the `ast` oracle over the whole standard library of this interpreter.

Every .py file under ``sysconfig.get_paths()["stdlib"]`` (test suites and lib2to3 data included, the
``site-packages`` folder of installed distributions excluded: it is not the standard library). For files
the oracle parses, the fast extractor must give the same records (module, line, kind, names, text) and
suppressions; for files it rejects, the fast extractor must report an error too, where it can see one
(see ``test_dg_imports.test_syntax_error_away_from_imports_is_not_seen_by_the_scanner``).
Split over 2 processes; in its own xdist group so it does not share a worker with other slow tests.
"""

from __future__ import annotations

import os
import sysconfig
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from depgraph.extract import oracle, scanner


def _stdlib_files() -> list[str]:
    root = sysconfig.get_paths()["stdlib"]
    found: list[str] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "dist-packages", "__pycache__"))
        found.extend(str(Path(folder) / name) for name in sorted(names) if name.endswith(".py"))
    return found


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


@pytest.mark.xdist_group("stdlib-oracle")
def test_scanner_matches_ast_oracle_on_the_whole_stdlib() -> None:
    files = _stdlib_files()
    assert len(files) > 1000, "the standard library should have well over a thousand modules"
    halves = [files[0::2], files[1::2]]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_compare, halves))
    mismatches = [m for r in results for m in r[0]]
    fallbacks = sum(r[1] for r in results)
    missed = [m for r in results for m in r[3]]
    assert mismatches == []
    # The scanner decides almost every file itself; the oracle is the exception, not the rule.
    assert fallbacks < len(files) // 100, f"{fallbacks} fallbacks out of {len(files)} files"
    # Files the oracle rejects and the scanner could not see as broken: only errors away from every
    # import statement, string and bracket (Python 2 print statements, 0777 literals, stray characters).
    for path in missed:
        data = Path(path).read_bytes()
        error = oracle.parse_error(data)
        assert error is not None
        assert "decode" not in error[1] and "encoding" not in error[1], path
