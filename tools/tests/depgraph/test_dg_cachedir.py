"""The one way depgraph writes a cache file: atomically beside itself, in a folder with its `.gitignore`."""

from __future__ import annotations

from pathlib import Path

from depgraph.extract.cachedir import write_atomic


def test_the_chunks_replace_the_file_whole(tmp_path: Path) -> None:
    store = tmp_path / "cache" / "x.marshal"
    assert write_atomic(store, b"one", b"", b"two")
    assert write_atomic(store, b"new")
    assert store.read_bytes() == b"new"
    assert sorted(p.name for p in store.parent.iterdir()) == [".gitignore", "x.marshal"]
    assert (store.parent / ".gitignore").read_text() == "*\n"


def test_a_folder_that_cannot_be_made_is_false(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder would be")
    assert not write_atomic(tmp_path / "cache" / "x.marshal", b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_a_failed_write_removes_its_temporary_file(tmp_path: Path) -> None:
    store = tmp_path / "x.marshal"
    store.mkdir()  # renaming a file over a folder fails after the temporary file was written
    assert not write_atomic(store, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", "x.marshal"]
