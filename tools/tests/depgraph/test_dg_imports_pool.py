"""pool._parallel: this process and real forked children share the chunks; results equal one process's.

The fork tests run in the production process model: a process without other threads, as the command
line is (the pool refuses to fork beside threads). pytest-xdist's workers run threads of their own, so
there these tests skip, and `test_fork_tests_in_a_process_without_threads` runs them in a fresh pytest
process without xdist, which has none.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from depgraph.base.imports import FileImports
from depgraph.extract import pool
from depgraph.extract.extractor import extract


@pytest.fixture
def forking() -> None:
    """Skip where the pool would not fork (other threads run here); never override its refusal."""
    if pool._other_threads():
        pytest.skip("other threads run in this process; test_fork_tests_in_a_process_without_threads runs it")


def test_fork_tests_in_a_process_without_threads() -> None:
    if not pool._other_threads():
        pytest.skip("no other threads here: the fork tests ran in this process")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    cmd = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:xdist", "-p", "no:cacheprovider"]
    proc = subprocess.run(
        [*cmd, __file__, "-k", "not test_fork_tests_in_a_process_without_threads"],
        cwd=Path(__file__).parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert "passed" in summary and "skipped" not in summary and "failed" not in summary, summary


def _items(root: Path, count: int) -> list[tuple[str, str, bool, int]]:
    items: list[tuple[str, str, bool, int]] = []
    for i in range(count):
        path = root / f"mod{i}.py"
        body = f"import os\nfrom . import mod{(i + 1) % count}\ndef f():\n    import json{i}\n" * (1 + i % 7)
        data = body.encode()
        if i % 5 == 0:
            data += b"x = '\xff'\n"  # not UTF-8: the scanner leaves it to the oracle, which reports it
        path.write_bytes(data)
        items.append((str(path), f"pkg.mod{i}", False, i))
    items.append((str(root / "missing.py"), "pkg.missing", False, count))
    return items


def _expected(items: list[tuple[str, str, bool, int]]) -> list[FileImports]:
    found: list[FileImports] = []
    for path, module, is_package, _ in items:
        data = pool.read(path)
        found.append(data if isinstance(data, FileImports) else extract(data, module, is_package))
    return found


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_equals_one_process(tmp_path: Path, workers: int, forking: None) -> None:
    items = _items(tmp_path, 60)
    sizes = [Path(p).stat().st_size if Path(p).exists() else 0 for p, _, _, _ in items]
    found = pool._parallel(items, sizes, workers)
    expected = _expected(items)
    assert [one for one, _, _ in found] == expected
    # each file's content digest, computed by the process that read it (None: it could not be read)
    assert [digest for _, _, digest in found] == [
        hashlib.blake2b(Path(p).read_bytes(), digest_size=16).digest() if Path(p).exists() else None
        for p, _, _, _ in items
    ]
    unhashed = pool._parallel(items, sizes, workers, hashed=False)  # a build without any cache
    assert [one for one, _, _ in unhashed] == expected and {d for _, _, d in unhashed} == {None}
    assert expected[-1].error is not None and expected[-1].error[0] == 0  # the missing file, in order
    assert any(one.error is not None and one.error[0] > 0 for one in expected)  # from the oracle


def test_parallel_with_fewer_items_than_chunks(tmp_path: Path, forking: None) -> None:
    items = _items(tmp_path, 2)
    assert [one for one, _, _ in pool._parallel(items, [1, 1, 1], 2)] == _expected(items)


def test_resolution_runs_where_the_file_was_extracted(tmp_path: Path, forking: None) -> None:
    """`resolve(index, found)` comes back paired with each result, computed in the child that took it."""
    import os  # noqa: PLC0415

    items = _items(tmp_path, 60)
    sizes = [3_000] * len(items)

    def resolve(index: int, found: FileImports) -> tuple[int, int, int]:
        return index, len(found.records), os.getpid()

    pairs = pool._parallel(items, sizes, 2, resolve)
    expected = _expected(items)
    assert [(index, count) for _, (index, count, _), _ in pairs] == [
        (i, len(one.records)) for i, one in enumerate(expected)
    ]
    assert [one for one, _, _ in pairs] == expected


def _doubles(chunk: list[int]) -> list[int]:
    return [2 * x for x in chunk]


def _dies_on_13(chunk: list[int]) -> list[int]:
    if 13 in chunk:
        raise RuntimeError("a worker that dies half-way")
    return [2 * x for x in chunk]


def _pids(chunk: list[int]) -> list[int]:
    import os  # noqa: PLC0415
    import time  # noqa: PLC0415

    time.sleep(0.02)  # each chunk takes a while, so that both processes get some
    return [os.getpid() for _ in chunk]


@pytest.mark.parametrize("workers", [2, 3])
def test_every_item_once_in_order(workers: int, forking: None) -> None:
    items = list(range(200))
    sizes = [(i * 37) % 101 for i in items]
    found = pool.parallel(items, sizes, workers, remote=_doubles, local=lambda x: 2 * x, convert=int)
    assert found == [2 * x for x in items]


def test_children_really_take_chunks(forking: None) -> None:
    import os  # noqa: PLC0415
    import time  # noqa: PLC0415

    items = list(range(400))

    def mine(_: int) -> int:
        time.sleep(0.001)
        return os.getpid()

    found = pool.parallel(items, [1000] * 400, 2, remote=_pids, local=mine, convert=int)
    assert os.getpid() in found
    assert len(set(found)) == 2  # a forked child did part of the work


def test_a_dying_child_costs_time_not_results(forking: None) -> None:
    items = list(range(100))
    found = pool.parallel(items, [1] * 100, 2, remote=_dies_on_13, local=lambda x: 2 * x, convert=int)
    assert found == [2 * x for x in items]


def test_chunks_cover_every_item_once_largest_load_first() -> None:
    sizes = [(i * 7919) % 1000 for i in range(500)]
    chunks = pool._chunks(sizes, 2)
    assert sorted(i for chunk in chunks for i in chunk) == list(range(500))
    loads = [sum(sizes[i] + 1 for i in chunk) for chunk in chunks]
    assert loads[0] == max(loads)
    assert loads[-1] < loads[0] / 4  # the tail is small
    assert len(chunks) < 256


def test_no_fork_while_other_threads_run() -> None:
    """A program embedding depgraph may run threads: then everything runs in this process."""
    import os  # noqa: PLC0415
    import threading  # noqa: PLC0415
    import time  # noqa: PLC0415

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:

        def mine(_: int) -> int:
            time.sleep(0.001)
            return os.getpid()

        found = pool.parallel(list(range(200)), [1000] * 200, 2, remote=_pids, local=mine, convert=int)
    finally:
        stop.set()
        thread.join()
    assert set(found) == {os.getpid()}


def test_an_error_here_stops_the_children(tmp_path: Path, forking: None) -> None:
    """An exception (or Ctrl-C) in this process: the children are killed, not left to do the rest of the
    work, and reaped; the error propagates."""
    import os  # noqa: PLC0415
    import time  # noqa: PLC0415

    log = tmp_path / "done"

    def slow(chunk: list[int]) -> list[int]:  # in the child: one line per chunk done
        time.sleep(0.05)
        with log.open("a") as handle:
            handle.write("chunk\n")
        return chunk

    def fails(_: int) -> int:
        time.sleep(0.01)  # the child has started
        raise RuntimeError("boom in this process")

    sizes = [1000] * 400
    with pytest.raises(RuntimeError, match="boom"):
        pool.parallel(list(range(400)), sizes, 2, remote=slow, local=fails, convert=int)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left, not even a zombie
    done = len(log.read_text().splitlines()) if log.exists() else 0
    assert done < len(pool._chunks(sizes, 2)) // 2
