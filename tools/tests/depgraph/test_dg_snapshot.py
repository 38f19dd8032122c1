"""The graph cache (`depgraph.graph.snapshot`): a graph built from it is the graph built without any cache.

Real files in temporary monorepos, real stat/mtime/ctime, real installed-distribution metadata on sys.path,
real concurrent processes. Only `RACY_NS` is lowered in some tests (to 0), because files written by a test
are always younger than the 2 s racy window, so no stat could ever be trusted otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, monorepo_files

from depgraph.cli import main
from depgraph.discover.config import load_config
from depgraph.extract import cache
from depgraph.graph import snapshot
from depgraph.graph.graph import BuildInfo, Graph, build_graph

DEPGRAPH = str(Path(sys.executable).parent / "depgraph")


def files() -> dict[str, str]:
    """The clean monorepo plus findings of several kinds, a parse error and a suppression."""
    found = monorepo_files()
    found["staging/fw/fw/bad.py"] = "import app\n"  # staging-imports-core
    found["staging/fw/fw/broken.py"] = 'name = "unterminated\nimport os\n'  # parse-error
    found["staging/prov_a/prov_a/x.py"] = (
        "import requests  # depgraph: ignore[undeclared-dependency] optional, checked at run time\n"
        "from prov_a import y\n"
    )
    found["staging/prov_a/prov_a/y.py"] = "from prov_a import x\n"  # import-cycle
    found["staging/prov_b/tests/helper.py"] = ""
    found["staging/prov_b/tests/test_b.py"] = "import helper\nimport pytest\n"
    return found


def build(root: Path, *, use_cache: bool = True, python: str | None = None) -> tuple[Graph, BuildInfo]:
    info = BuildInfo()
    config = replace(load_config(root), python=python, python_where="test")
    return build_graph(root, config, use_cache=use_cache, jobs=1, info=info), info


def same(cached: Graph, root: Path) -> None:
    """Everything the graph holds equals a build without cache (imports thawed from the cache included)."""
    fresh, _ = build(root, use_cache=False)
    assert dict(cached.suppressions) == dict(fresh.suppressions)  # read from the cache's entries
    assert dict(fresh.suppressions) == {path: one.suppressions for path, one in fresh.imports.items()}
    assert any(fresh.suppressions.values())
    assert cached.edges == fresh.edges
    assert [type(e) for e in cached.edges] == [type(e) for e in fresh.edges]
    assert cached.findings == fresh.findings
    assert cached.modules == fresh.modules
    assert list(cached.imports) == list(fresh.imports)
    assert dict(cached.imports) == dict(fresh.imports)
    assert cached == fresh


def check_output(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--root", str(root), *args])
    code = exited.value.code
    return code if isinstance(code, int) else 0, capsys.readouterr().out


def age(root: Path, seconds: int = 3600) -> None:
    """Set every file's mtime an hour back (ctime stays now: only RACY_NS = 0 lets the stat be trusted)."""
    for path in root.rglob("*.py"):
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


def test_warm_build_and_check_equal_a_build_without_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo", files())
    first, info = build(root)
    assert (info.resolved, info.written) == (info.files, True)
    assert snapshot.path_of(root / ".depgraph-cache").is_file()
    same(first, root)
    second, info = build(root)
    assert info.resolved == 0 and info.stat_hits + info.digest_hits == info.files
    same(second, root)
    assert any(f.check == "parse-error" for f in second.findings)
    cached = check_output(root, capsys)
    assert cached == check_output(root, capsys, "--no-cache")
    assert cached[0] == 1 and "staging-imports-core" in cached[1] and "import-cycle" in cached[1]
    for fmt in ("json", "github"):
        assert check_output(root, capsys, "-f", fmt) == check_output(root, capsys, "-f", fmt, "--no-cache")


def test_trusted_stat_skips_reading_and_an_edit_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "RACY_NS", 0)
    root = make_repo(tmp_path / "repo", files())
    age(root)
    build(root)
    graph, info = build(root)
    assert (info.stat_hits, info.hashed, info.resolved, info.written) == (info.files, 0, 0, False)
    same(graph, root)
    (root / "app/main.py").write_text("import fw.api\nimport prov_b\nimport json\n")
    graph, info = build(root)
    assert (info.hashed, info.resolved, info.written) == (1, 1, True)
    assert info.stat_hits == info.files - 1
    same(graph, root)
    assert ("app.main", "prov_b") in {(e.importer, e.imported) for e in graph.edges}


def test_an_edit_in_the_racy_window_with_the_same_size_and_mtime_is_seen(tmp_path: Path) -> None:
    """Default RACY_NS: the files are seconds old, so their stat is never trusted, even when the edit
    keeps the size and the mtime (a filesystem with coarse timestamps would show exactly that)."""
    root = make_repo(tmp_path / "repo", files())
    build(root)
    target = root / "app/main.py"
    before = target.stat()
    text = target.read_text()
    edited = text.replace("import fw\n", "import os\n")
    assert len(edited) == len(text)
    target.write_text(edited)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    graph, info = build(root)
    assert info.stat_hits == 0 and info.resolved == 1
    assert info.digest_hits == info.files - 1  # re-hashed, same content: rows reused
    same(graph, root)
    assert ("app.main", "os") in {(e.importer, e.imported) for e in graph.edges}


def test_an_edit_hidden_by_a_restored_mtime_is_seen_by_ctime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside the racy window too: same size, mtime set back (`touch -d`), only the ctime tells."""
    monkeypatch.setattr(snapshot, "RACY_NS", 0)
    root = make_repo(tmp_path / "repo", files())
    age(root)
    build(root)
    _, info = build(root)
    assert info.stat_hits == info.files
    target = root / "staging/fw/fw/api.py"
    before = target.stat()
    text = target.read_text()
    target.write_text(text.replace("import importlib\n", "import zzmissing\n"))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    graph, info = build(root)
    assert (info.stat_hits, info.hashed, info.resolved) == (info.files - 1, 1, 1)
    same(graph, root)
    assert ("fw.api", "zzmissing") in {(e.importer, e.imported) for e in graph.edges}


def test_config_change_added_file_and_environment_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "RACY_NS", 0)
    root = make_repo(tmp_path / "repo", files())
    (root / "app/main.py").write_text("import zzsnap\nimport fw\n")
    age(root)
    graph, _ = build(root)
    build(root)
    assert {e.imported_origin.value for e in graph.edges if e.imported == "zzsnap"} == {"unknown"}

    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.depgraph.module-distributions]\nzzsnap = "fw"\n')
    graph, info = build(root)
    assert info.resolved == info.files  # another context: everything resolved again
    same(graph, root)
    assert {e.imported_distribution for e in graph.edges if e.imported == "zzsnap"} == {"fw"}
    pyproject.write_text(pyproject.read_text().split("\n[tool.depgraph.module-distributions]")[0] + "\n")

    (root / "app/extra.py").write_text("import fw.api\n")
    graph, info = build(root)
    assert info.resolved == info.files
    same(graph, root)

    # An environment named (this test's interpreter, with a site folder on its PYTHONPATH): another context
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(site))
    graph, info = build(root, python=sys.executable)
    assert info.resolved == info.files
    assert {e.imported_origin.value for e in graph.edges if e.imported == "zzsnap"} == {"unknown"}
    # ... and a distribution installed there: another context again
    dist_info = site / "zzsnap-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: zzsnap\nVersion: 1.0\n")
    (dist_info / "top_level.txt").write_text("zzsnap\n")
    (site / "zzsnap.py").write_text("")
    graph, info = build(root, python=sys.executable)
    assert info.resolved == info.files
    assert {
        (e.imported_distribution, e.imported_origin.value) for e in graph.edges if e.imported == "zzsnap"
    } == {("zzsnap", "third-party")}


def framed(head: bytes, tail: bytes) -> bytes:
    return len(head).to_bytes(8, "little") + len(tail).to_bytes(8, "little") + head + tail


def test_damaged_or_foreign_cache_file_is_an_empty_cache(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", files())
    build(root)
    path = snapshot.path_of(root / ".depgraph-cache")
    whole = path.read_bytes()
    import marshal  # noqa: PLC0415

    for damage in (
        b"",
        b"garbage",
        whole[: len(whole) // 2],
        whole[:-10],  # the imports part truncated
        marshal.dumps((1, b"other", {})),
        marshal.dumps([1]),
        framed(marshal.dumps((snapshot.FORMAT, b"another context", {})), marshal.dumps({})),
        framed(marshal.dumps([1]), marshal.dumps({})),
    ):
        path.write_bytes(damage)
        graph, info = build(root)
        assert info.resolved == info.files
        same(graph, root)


def test_removed_and_added_files(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", files())
    build(root)
    (root / "staging/fw/fw/bad.py").unlink()
    graph, info = build(root)
    assert info.resolved == info.files
    same(graph, root)
    (root / "staging/fw/fw/bad.py").write_text("import app\n")
    graph, info = build(root)
    assert info.resolved == info.files
    same(graph, root)


def test_two_processes_sharing_the_cache(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", files())
    expected = cli_inprocess.run(  # what a run without the cache says (two processes follow)
        [DEPGRAPH, "check", "--no-cache"], cwd=root, capture_output=True, text=True, check=False
    )
    assert expected.returncode == 1
    for _ in range(2):  # a cold pair (both write), then a warm pair (both read)
        runs = [
            subprocess.Popen([DEPGRAPH, "check"], cwd=root, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [run.communicate()[0] for run in runs]
        assert [run.returncode for run in runs] == [1, 1]
        assert outputs == [expected.stdout, expected.stdout]
    # (in a subprocess: sys.path, hence the environment part of the cache's key, differs under pytest)
    timed = subprocess.run(
        [DEPGRAPH, "stats", "--time"], cwd=root, capture_output=True, text=True, check=True
    )
    assert timed.stderr.endswith(" 0 resolved)\n")


def test_files_the_graph_cache_answers_for_stay_in_the_extraction_cache(tmp_path: Path) -> None:
    """A run resolving one changed file must not prune the other files' entries from the extraction pack
    (the next change of context would extract every file again)."""
    root = make_repo(tmp_path / "repo", files())
    graph, _ = build(root)
    (root / "app/main.py").write_text("import fw.api\n")
    graph, info = build(root)
    assert info.resolved == 1
    pack = cache.Pack.load(root / ".depgraph-cache")
    for module in graph.modules:
        key = cache.key((root / module.path).read_bytes(), module.name, module.is_package)
        assert pack.get(key) is not None, module.path


def test_a_few_edited_files_leave_the_extraction_cache_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One edit in a big tree: the graph cache is updated, the extraction cache neither read nor rewritten;
    a later change of context still gives the right graph (the edited file is extracted again)."""
    monkeypatch.setattr(snapshot, "RACY_NS", 0)
    tree = files()
    tree.update({f"app/gen{i}.py": f"import os\nimport fw.api\nVALUE = {i}\n" for i in range(40)})
    root = make_repo(tmp_path / "repo", tree)
    age(root)
    build(root)
    stale = root / ".depgraph-cache" / "graph-v1.marshal"
    stale.write_bytes(b"an earlier format")
    pack = cache.pack_path(root / ".depgraph-cache")
    before = pack.read_bytes()
    (root / "app/gen7.py").write_text("import json\nimport fw\n")
    graph, info = build(root)
    assert info.resolved == 1
    assert not stale.exists()  # the graph cache was written: files of earlier formats go
    assert pack.read_bytes() == before
    assert {e.imported for e in graph.edges if e.path == "app/gen7.py"} == {"json", "fw"}
    same(graph, root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.depgraph.module-distributions]\nzzsnap = "fw"\n')
    graph, info = build(root)
    assert info.resolved == info.files
    same(graph, root)
    assert pack.read_bytes() != before  # many files missed: the extraction cache is used and updated
