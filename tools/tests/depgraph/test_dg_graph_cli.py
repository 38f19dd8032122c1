"""`depgraph stats` and `depgraph imports` through the real entry point, and the classification fallbacks."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, monorepo_files, pyproject

from depgraph.base.model import Origin
from depgraph.cli import main
from depgraph.discover.config import load_config
from depgraph.graph.graph import build_graph


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_stats_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path, monorepo_files())
    code, out, err = run("stats", "--root", str(root), "--no-cache", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "distributions: 4 (1 core, 3 staging)",
        "modules: 8 (1 in tests folders)",
        "imports: 8 edges from 7 files",
        "  by kind: top-level 8, type-checking 0, deferred 0, guarded 0, main 0, dynamic 0",
        "  by target: core 0, staging 7, plugin 0, first-party 0, third-party 0, stdlib 1, unknown 0",
        "distribution dependencies: 3",
        "parse errors: 0",
    ]
    code, out, _ = run("stats", "--root", str(root), "--format", "json", "--time", capsys=capsys)
    data = json.loads(out)
    assert data["edges"] == 8
    assert data["edges_by_target"]["staging"] == 7


def test_stats_time_goes_to_stderr(tmp_path: Path) -> None:
    root = make_repo(tmp_path, monorepo_files())
    done = cli_inprocess.run(
        [str(Path(sys.executable).parent / "depgraph"), "stats", "--time", "--no-cache"],
        cwd=root / "staging/fw",
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("distributions: 4 ")
    # --no-cache: every file resolved, nothing reused
    assert re.fullmatch(
        r"built in \d+\.\d{3} s \((\d+) files: 0 unchanged by stat, 0 by content, \1 resolved\)\n",
        done.stderr,
    )


def test_imports_filters_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path, monorepo_files())
    code, out, _ = run(
        "imports", "--root", str(root), "--distribution", "prov-b", "--no-cache", capsys=capsys
    )
    assert code == 0
    assert out.splitlines() == [
        "staging/prov_b/src/prov_b/__init__.py:1: prov_b -> prov_b.impl [top-level] (prov-b, staging)",
        "staging/prov_b/src/prov_b/impl.py:1: prov_b.impl -> fw.api [top-level] (fw, staging)",
    ]
    code, out, _ = run("imports", "--root", str(root), "--module", "app", "-f", "json", capsys=capsys)
    rows = json.loads(out)
    assert [(r["path"], r["line"], r["imported"], r["text"]) for r in rows] == [
        ("app/main.py", 1, "fw", "import fw"),
        ("app/main.py", 2, "fw.api", "from fw import api"),
    ]


def test_missing_root_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run("stats", "--root", str(tmp_path / "nope"), capsys=capsys)
    assert (code, out) == (2, "")
    assert err == f"depgraph: error: {tmp_path / 'nope'}: --root: no such folder\n"


def test_declared_but_not_installed_and_test_helpers(tmp_path: Path) -> None:
    files = monorepo_files()
    files["staging/fw/pyproject.toml"] = pyproject("fw", ["Not_Installed_Lib>=1"])
    files["staging/fw/fw/api.py"] = "import not_installed_lib\nimport never_declared\n"
    files["staging/fw/tests/helpers_for_fw.py"] = ""
    files["staging/fw/tests/test_fw.py"] = "import helpers_for_fw\nimport fw\n"
    root = make_repo(tmp_path, files)
    edges = build_graph(root, load_config(root), use_cache=False, jobs=1).edges
    got = {(e.importer, e.imported): (e.imported_distribution, e.imported_origin) for e in edges}
    assert got[("fw.api", "not_installed_lib")] == ("Not_Installed_Lib", Origin.THIRD_PARTY)
    assert got[("fw.api", "never_declared")] == (None, Origin.UNKNOWN)
    assert got[("tests.test_fw", "tests.helpers_for_fw")] == ("fw", Origin.STAGING)
