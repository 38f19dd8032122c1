"""The baseline: recorded without line numbers, lets known findings through, reports stale entries."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, monorepo_files

from depgraph.base.errors import ConfigError
from depgraph.base.model import Finding, Level
from depgraph.checks import baseline as bl

DEPGRAPH = str(Path(sys.executable).parent / "depgraph")


def f(line: int, key: str = "app.main", path: str = "x.py", check: str = "staging-imports-core") -> Finding:
    return Finding(check, Level.ERROR, path, line, f"message {line}", key=key)


def test_dumps_is_sorted_counted_and_line_free() -> None:
    text = bl.dumps([f(9), f(3), f(5, "app"), f(1, path="a.py")])
    assert json.loads(text) == {
        "version": 1,
        "entries": [
            {"check": "staging-imports-core", "path": "a.py", "key": "app.main", "count": 1},
            {"check": "staging-imports-core", "path": "x.py", "key": "app", "count": 1},
            {"check": "staging-imports-core", "path": "x.py", "key": "app.main", "count": 2},
        ],
    }
    assert bl.dumps([f(4), f(1)]) == bl.dumps([f(2), f(30)])  # lines do not matter


def test_apply_lets_the_counted_ones_through_and_reports_stale() -> None:
    base = Counter(
        {("staging-imports-core", "x.py", "app.main"): 1, ("import-cycle", "y.py", "a -> b -> a"): 1}
    )
    applied = bl.apply([f(9), f(3)], base, Level.WARN)
    assert applied.baselined == 1
    assert [(x.check, x.line) for x in applied.findings] == [
        ("staging-imports-core", 9),
        ("stale-baseline", 0),
    ]
    stale = applied.findings[1]
    assert (
        stale.level is Level.WARN and stale.path == "y.py" and "[import-cycle] a -> b -> a" in stale.message
    )
    assert bl.apply([], base, Level.OFF).findings == ()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "invalid JSON at line 1"),
        ('{"version": 2, "entries": []}', "not a depgraph baseline"),
        ('{"version": 1, "entries": [{"check": "x"}]}', "entries[0]"),
    ],
)
def test_load_rejects_bad_files_naming_them(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"b\.json") as info:
        bl.load(path)
    assert needle in str(info.value)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return cli_inprocess.run(
        [DEPGRAPH, *args], capture_output=True, text=True, check=False, env={"NO_COLOR": "1"}
    )


def test_round_trip_moves_new_and_stale(tmp_path: Path) -> None:
    files = monorepo_files()
    files["staging/prov_a/prov_a/__init__.py"] = "from fw.api import load\nimport prov_b\n"
    root = make_repo(tmp_path / "repo", files)
    first = _cli("check", "--root", str(root))
    assert first.returncode == 1 and "undeclared-dependency (1 error)" in first.stdout

    recorded = _cli("baseline", "--root", str(root))
    assert recorded.returncode == 0, recorded.stderr
    assert recorded.stdout == f"depgraph: wrote 1 finding to {root / 'depgraph-baseline.json'}\n"
    entries = json.loads((root / "depgraph-baseline.json").read_text())["entries"]
    assert entries == [
        {
            "check": "undeclared-dependency",
            "path": "staging/prov_a/prov_a/__init__.py",
            "key": "prov-b",
            "count": 1,
        }
    ]
    clean = _cli("check", "--root", str(root))
    assert clean.returncode == 0 and clean.stdout.endswith("; 1 in the baseline\n"), clean.stdout

    # code moving down does not invalidate the entry; a new violation elsewhere is reported alone
    (root / "staging/prov_a/prov_a/__init__.py").write_text("\n\nfrom fw.api import load\nimport prov_b\n")
    (root / "staging/prov_b/src/prov_b/impl.py").write_text("import fw.api\nimport click\n")
    new = _cli("check", "--root", str(root))
    assert new.returncode == 1
    assert "staging/prov_b/src/prov_b/impl.py:2: [error]" in new.stdout
    assert "prov_a/__init__.py" not in new.stdout
    assert "prov_a/__init__.py:4" in _cli("check", "--root", str(root), "--no-baseline").stdout

    # the recorded violation is gone: its entry is stale (a warning), the run passes
    (root / "staging/prov_a/prov_a/__init__.py").write_text("from fw.api import load\n")
    (root / "staging/prov_b/src/prov_b/impl.py").write_text("import fw.api\n")
    stale = _cli("check", "--root", str(root))
    assert stale.returncode == 0, stale.stdout
    assert "stale-baseline (1 warning)" in stale.stdout
    assert (
        "staging/prov_a/prov_a/__init__.py: [warn] baseline entry no longer occurs (1 of 1)" in stale.stdout
    )


def test_invalid_baseline_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files())
    (root / "depgraph-baseline.json").write_text("[1, 2")
    done = _cli("check", "--root", str(root))
    assert done.returncode == 2 and done.stdout == ""
    assert (
        done.stderr.startswith("depgraph: error: ") and "depgraph-baseline.json: invalid JSON" in done.stderr
    )
    assert len(done.stderr.splitlines()) == 1
    missing = _cli("check", "--root", str(root), "--baseline", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "nope.json: baseline file not found" in missing.stderr
