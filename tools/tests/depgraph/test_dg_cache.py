"""scan() and its content-keyed cache, on real files in temporary folders and real worker processes."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from depgraph.base.imports import FileImports, ImportKind, SourceFile
from depgraph.extract import cache, pool
from depgraph.extract.pool import scan

TOOLS = Path(__file__).resolve().parents[2]


def _tree(root: Path, count: int = 6) -> list[SourceFile]:
    files: list[SourceFile] = []
    pkg = root / "pkg"
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text("from . import mod0\n")
    files.append(SourceFile(str(pkg / "__init__.py"), "pkg", True))
    for i in range(count):
        path = pkg / f"mod{i}.py"
        path.write_text(f"import os\nfrom .mod{(i + 1) % count} import x\ndef f():\n    import json{i}\n")
        files.append(SourceFile(str(path), f"pkg.mod{i}", False))
    return files


def test_scan_without_cache(tmp_path: Path) -> None:
    files = _tree(tmp_path / "src")
    found = scan(files, cache_dir=None, jobs=1)
    assert sorted(found) == sorted(f.path for f in files)
    mod0 = found[files[1].path]
    assert [(r.line, r.module, r.kind) for r in mod0.records] == [
        (1, "os", ImportKind.TOP_LEVEL),
        (2, "pkg.mod1", ImportKind.TOP_LEVEL),
        (4, "json0", ImportKind.DEFERRED),
    ]
    assert found[files[0].path].records[0].module == "pkg"
    assert not (tmp_path / ".depgraph-cache").exists()


def test_missing_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    gone = SourceFile(str(tmp_path / "gone.py"), "gone", False)
    found = scan([gone], cache_dir=tmp_path / "cache", jobs=1)
    error = found[gone.path].error
    assert error is not None
    assert error[0] == 0
    assert "cannot read" in error[1]


def test_cache_is_keyed_by_content_not_mtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _tree(tmp_path / "src")
    cache_dir = tmp_path / "cache"
    first = scan(files, cache_dir=cache_dir, jobs=1)
    assert cache.pack_path(cache_dir).is_file()

    calls: list[str] = []
    real = pool.extract

    def counting(data: bytes, module: str, is_package: bool) -> FileImports:
        calls.append(module)
        return real(data, module, is_package)

    monkeypatch.setattr(pool, "extract", counting)
    # Same content, new mtime: no extraction at all.
    for f in files:
        os.utime(f.path, (1, 1))
    assert scan(files, cache_dir=cache_dir, jobs=1) == first
    assert calls == []
    # New content with the mtime put back: extracted again, and only that file.
    target = Path(files[2].path)
    stat = target.stat()
    target.write_text("import changed\n")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = scan(files, cache_dir=cache_dir, jobs=1)
    assert calls == [files[2].module]
    assert [r.module for r in again[files[2].path].records] == ["changed"]
    # The same bytes under another module name are another entry (relative imports resolve differently).
    moved = [SourceFile(files[1].path, "other.mod0", False)]
    calls.clear()
    assert scan(moved, cache_dir=cache_dir, jobs=1)[files[1].path].records[1].module == "other.mod1"
    assert calls == ["other.mod0"]


@pytest.mark.parametrize(
    "damage", [b"", b"not marshal at all", marshal.dumps([1, 2, 3]), marshal.dumps({"k": (1,)})]
)
def test_damaged_pack_is_ignored_and_rewritten(tmp_path: Path, damage: bytes) -> None:
    files = _tree(tmp_path / "src")
    expected = scan(files, cache_dir=None, jobs=1)
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    cache.pack_path(cache_dir).write_bytes(damage)
    assert scan(files, cache_dir=cache_dir, jobs=1) == expected
    assert scan(files, cache_dir=cache_dir, jobs=1) == expected
    assert (
        cache.Pack.load(cache_dir).get(cache.key(Path(files[1].path).read_bytes(), "pkg.mod0", False))
        is not None
    )


def test_pack_keeps_only_entries_in_use(tmp_path: Path) -> None:
    files = _tree(tmp_path / "src")
    cache_dir = tmp_path / "cache"
    scan(files, cache_dir=cache_dir, jobs=1)
    scan(files[:2], cache_dir=cache_dir, jobs=1)
    with cache.pack_path(cache_dir).open("rb") as handle:
        assert len(marshal.load(handle)) == 2


def test_parallel_extraction_equals_sequential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _tree(tmp_path / "src", count=40)
    monkeypatch.setattr(pool, "PARALLEL_MIN_BYTES", 0)
    parallel = scan(files, cache_dir=None, jobs=2)
    monkeypatch.setattr(pool, "PARALLEL_MIN_BYTES", 10**12)
    assert parallel == scan(files, cache_dir=None, jobs=2)


def test_two_runs_sharing_a_cache_at_once(tmp_path: Path) -> None:
    """Two real processes fill the same cache concurrently; both succeed and the pack stays whole."""
    files = _tree(tmp_path / "src", count=60)
    cache_dir = tmp_path / "cache"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(TOOLS)!r})
        from pathlib import Path
        from depgraph.base.imports import SourceFile
        from depgraph.extract.pool import scan
        files = [SourceFile(p, m, k) for p, m, k in {[(f.path, f.module, f.is_package) for f in files]!r}]
        for _ in range(5):
            found = scan(files, cache_dir=Path({str(cache_dir)!r}), jobs=1)
            assert len(found) == len(files) and all(v.error is None for v in found.values())
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    pack = cache.Pack.load(cache_dir)
    for f in files:
        assert pack.get(cache.key(Path(f.path).read_bytes(), f.module, f.is_package)) is not None
    leftovers = [p.name for p in cache_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
