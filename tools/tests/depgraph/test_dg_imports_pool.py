"""pool._parallel: this process and real forked children share the chunks; results equal one process's."""

from __future__ import annotations

from pathlib import Path

import pytest

from depgraph import pool
from depgraph.imports import FileImports, extract


def _items(root: Path, count: int) -> list[tuple[str, str, bool]]:
    items: list[tuple[str, str, bool]] = []
    for i in range(count):
        path = root / f"mod{i}.py"
        body = f"import os\nfrom . import mod{(i + 1) % count}\ndef f():\n    import json{i}\n" * (1 + i % 7)
        data = body.encode()
        if i % 5 == 0:
            data += b"x = '\xff'\n"  # not UTF-8: the scanner leaves it to the oracle, which reports it
        path.write_bytes(data)
        items.append((str(path), f"pkg.mod{i}", False))
    items.append((str(root / "missing.py"), "pkg.missing", False))
    return items


def _expected(items: list[tuple[str, str, bool]]) -> list[FileImports]:
    found: list[FileImports] = []
    for path, module, is_package in items:
        data = pool.read(path)
        found.append(data if isinstance(data, FileImports) else extract(data, module, is_package))
    return found


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_equals_one_process(tmp_path: Path, workers: int) -> None:
    items = _items(tmp_path, 60)
    sizes = [Path(p).stat().st_size if Path(p).exists() else 0 for p, _, _ in items]
    found = pool._parallel(items, sizes, workers)
    expected = _expected(items)
    assert found == expected
    assert expected[-1].error is not None and expected[-1].error[0] == 0  # the missing file, in order
    assert any(one.error is not None and one.error[0] > 0 for one in expected)  # from the oracle


def test_parallel_with_fewer_items_than_chunks(tmp_path: Path) -> None:
    items = _items(tmp_path, 2)
    assert pool._parallel(items, [1, 1, 1], 2) == _expected(items)
