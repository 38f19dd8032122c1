"""Replayed check results (`depgraph.checks.replay`): the same report while nothing changed, and a fresh
run when a module, a manifest, the configuration or the checks asked for change. Real files throughout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dg_fixtures import ROOT_TOOL, make_repo, monorepo_files, pyproject

from depgraph.checks import api, replay
from depgraph.discover.config import find_config

DEPGRAPH = [str(Path(sys.executable).parent / "depgraph")]


def _repo(tmp_path: Path) -> Path:
    files = monorepo_files()
    files["staging/fw/fw/bad.py"] = "import app\n"  # staging-imports-core
    files["staging/prov_b/pyproject.toml"] = pyproject("prov-b", ["fw", "requests"])  # requests: unused
    return make_repo(tmp_path / "repo", files)


def _check(root: Path, only: tuple[str, ...] = ()) -> api.Checked:
    return api.check(find_config(root), jobs=1, only=only)


def _found(done: api.Checked) -> list[tuple[str, str, int]]:
    return [(f.check, f.path, f.line) for f in done.findings]


def test_a_second_run_replays_the_same_results(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    first = _check(root)
    assert first.graph is not None  # computed
    assert ("staging-imports-core", "staging/fw/fw/bad.py", 1) in _found(first)
    assert ("unused-dependency", "staging/prov_b/pyproject.toml", 4) in _found(first)
    again = _check(root)
    assert again.graph is None  # replayed
    assert (again.findings, again.result, again.counts) == (first.findings, first.result, first.counts)
    assert replay.path_of(find_config(root).cache_path).is_file()


def test_an_edited_module_runs_the_checks_again(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _check(root)
    (root / "staging/fw/fw/bad.py").write_text("import os\n", encoding="utf-8")
    done = _check(root)
    assert done.graph is not None
    assert "staging-imports-core" not in [f.check for f in done.findings]
    (root / "staging/fw/fw/worse.py").write_text("import app.main\n", encoding="utf-8")  # a new module
    done = _check(root)
    assert done.graph is not None
    assert ("staging-imports-core", "staging/fw/fw/worse.py", 1) in _found(done)
    assert _check(root).graph is None


def test_a_touched_module_with_the_same_content_is_replayed(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    first = _check(root)
    bad = root / "staging/fw/fw/bad.py"
    before = replay.path_of(find_config(root).cache_path).read_bytes()
    os.utime(bad, ns=(bad.stat().st_atime_ns, bad.stat().st_mtime_ns - 10**9))
    again = _check(root)
    assert again.graph is None and again.findings == first.findings
    assert replay.path_of(find_config(root).cache_path).read_bytes() != before  # the new stat recorded


def test_a_manifest_change_runs_the_checks_again(tmp_path: Path) -> None:
    """A suppression comment in a pyproject.toml changes no module, no configuration, no declaration."""
    root = _repo(tmp_path)
    assert ("unused-dependency", "staging/prov_b/pyproject.toml", 4) in _found(_check(root))
    manifest = root / "staging/prov_b/pyproject.toml"
    text = manifest.read_text(encoding="utf-8")
    line = text.splitlines()[3]
    assert "requests" in line
    suppressed = line + "  # depgraph: ignore[unused-dependency] used by plugins at run time"
    manifest.write_text(text.replace(line, suppressed), encoding="utf-8")
    done = _check(root)
    assert done.graph is not None
    assert "unused-dependency" not in [f.check for f in done.findings]
    assert done.result.suppressed == 1


def test_a_configuration_change_runs_the_checks_again(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _check(root)
    tool = ROOT_TOOL + '[tool.depgraph.checks]\nstaging-imports-core = "warn"\n'
    (root / "pyproject.toml").write_text(
        pyproject("app", ["fw"], {"a": ["prov-a"], "b": ["prov-b"]}, tool), encoding="utf-8"
    )
    done = _check(root)
    assert done.graph is not None
    levels = {f.check: f.level.value for f in done.findings}
    assert levels["staging-imports-core"] == "warn"
    assert _check(root).graph is None


def test_other_checks_asked_for_are_not_replayed_from_a_run_of_all(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    everything = _check(root)
    only = _check(root, ("staging-imports-core",))
    assert only.graph is not None
    assert only.result.checks == ("staging-imports-core",)
    assert _check(root, ("staging-imports-core",)).graph is None
    again = _check(root)  # one record: the last run's
    assert again.graph is not None and again.findings == everything.findings


def test_no_cache_neither_reads_nor_writes_the_record(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    done = api.check(find_config(root), use_cache=False, jobs=1)
    assert done.graph is not None
    assert not replay.path_of(find_config(root).cache_path).exists()


def test_the_cli_report_is_byte_identical_when_replayed(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    runs = [
        subprocess.run([*DEPGRAPH, "check", "-f", fmt], cwd=root, capture_output=True, text=True, check=False)
        for fmt in ("json", "json", "text", "text")
    ]
    assert [r.returncode for r in runs] == [1, 1, 1, 1]
    assert runs[0].stdout == runs[1].stdout and runs[2].stdout == runs[3].stdout
    assert "staging/fw/fw/bad.py" in runs[3].stdout
    assert not any(r.stderr for r in runs)


def test_a_manifest_change_after_a_run_on_the_cached_workspace(tmp_path: Path) -> None:
    """A run whose workspace came from its cache still records the manifests it was found from: a
    suppression comment added afterwards is seen."""
    root = _repo(tmp_path)
    _check(root)
    (root / "app/main.py").write_text("import fw\n", encoding="utf-8")  # a module changed: checks run
    done = _check(root)
    assert done.graph is not None
    assert ("unused-dependency", "staging/prov_b/pyproject.toml", 4) in _found(done)
    manifest = root / "staging/prov_b/pyproject.toml"
    text = manifest.read_text(encoding="utf-8")
    line = text.splitlines()[3]
    manifest.write_text(text.replace(line, line + "  # depgraph: ignore[unused-dependency] plugins"), "utf-8")
    done = _check(root)
    assert done.graph is not None
    assert "unused-dependency" not in [f.check for f in done.findings]
