"""depgraph.extract.syntax: every file compiled by CPython, cached by content digest, in parallel when worth
it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from dg_fixtures import make_repo

from depgraph.extract import pool, syntax

FILES = {
    "good.py": "import os\n\n\ndef f():\n    return os.sep\n",
    "py2.py": "import os\n\n\ndef show():\n    print 'x'\n",
    "tabs.py": "if True:\n        x = 1\n\ty = 2\n",
    "ret.py": "import sys\nreturn 1\n",
    "warn.py": 'PATTERN = "\\d"\n',
}


def _digests(root: Path) -> dict[str, bytes]:
    return {p: hashlib.blake2b((root / p).read_bytes(), digest_size=16).digest() for p in FILES}


def test_errors_name_file_line_and_message(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", FILES)
    found = syntax.errors(root, sorted(FILES), {}, cache_dir=None, jobs=1)
    assert sorted(found) == ["py2.py", "ret.py", "tabs.py"]
    assert found["py2.py"][0] == 5
    assert found["ret.py"] == (2, "'return' outside function")
    assert found["tabs.py"][0] == 3
    assert "indentation" in found["tabs.py"][1]


def test_undecodable_and_unreadable_files(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {})
    (root / "bytes.py").write_bytes(b"x = '\xff'\n")
    found = syntax.errors(root, ["bytes.py", "missing.py"], {}, cache_dir=None, jobs=1)
    assert found["bytes.py"][0] == 1
    assert "codec can't decode" in found["bytes.py"][1]
    assert found["missing.py"][0] == 0
    assert found["missing.py"][1].startswith("cannot read")


def test_cache_answers_by_digest_and_a_change_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(tmp_path / "r", FILES)
    cache = tmp_path / "cache"
    first = syntax.errors(root, sorted(FILES), _digests(root), cache_dir=cache, jobs=1)
    assert syntax.cache_path(cache).is_file()
    compiled: list[str] = []
    real = syntax.compile_error

    def counting(data: bytes, filename: str) -> tuple[int, str] | None:
        compiled.append(Path(filename).name)
        return real(data, filename)

    monkeypatch.setattr(syntax, "compile_error", counting)
    assert syntax.errors(root, sorted(FILES), _digests(root), cache_dir=cache, jobs=1) == first
    assert compiled == []
    (root / "py2.py").write_text("import os\n\n\ndef show():\n    print('x')\n")
    again = syntax.errors(root, sorted(FILES), _digests(root), cache_dir=cache, jobs=1)
    assert compiled == ["py2.py"]
    assert sorted(again) == ["ret.py", "tabs.py"]


def test_a_damaged_cache_is_an_empty_one(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", FILES)
    cache = tmp_path / "cache"
    cache.mkdir()
    syntax.cache_path(cache).write_bytes(b"\x00not marshal")
    found = syntax.errors(root, sorted(FILES), _digests(root), cache_dir=cache, jobs=1)
    assert sorted(found) == ["py2.py", "ret.py", "tabs.py"]


def test_parallel_equals_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"m{i}_{name}": text for i in range(8) for name, text in FILES.items()}
    root = make_repo(tmp_path / "r", files)
    serial = syntax.errors(root, sorted(files), {}, cache_dir=None, jobs=1)
    monkeypatch.setattr(syntax, "PARALLEL_MIN_BYTES", 0)
    assert pool.PARALLEL_MIN_BYTES > 0
    assert syntax.errors(root, sorted(files), {}, cache_dir=None, jobs=2) == serial
    assert len(serial) == 24
