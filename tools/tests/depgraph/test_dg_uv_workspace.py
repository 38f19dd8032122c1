"""`depgraph vendor verify|update` and the root's uv workspace: members are exactly the staging packages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from dg_fixtures import make_repo, monorepo_files

from depgraph.cli import cli

PROJECT = Path(__file__).resolve().parents[3]
UV = Path(sys.executable).parent / "uv"

WORKSPACE = """
# the members, kept by depgraph
[tool.uv.workspace]
members = ["staging/fw", "staging/gone"]  # a comment that stays
exclude = []

[tool.other]
key = 'single quotes stay'
"""


def repo_with_workspace(tmp_path: Path) -> Path:
    """vendor/ made, then a workspace that names one staging package and one folder that is not there."""
    root = make_repo(tmp_path / "repo", monorepo_files())
    CliRunner().invoke(cli, ["vendor", "update", "--root", str(root)])
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(WORKSPACE)
    return root


def test_verify_names_missing_and_stray_members_with_the_line(tmp_path: Path) -> None:
    root = repo_with_workspace(tmp_path)
    result = CliRunner().invoke(cli, ["vendor", "verify", "--root", str(root)])
    assert result.exit_code == 1, result.output
    line = 1 + (root / "pyproject.toml").read_text().splitlines().index(
        'members = ["staging/fw", "staging/gone"]  # a comment that stays'
    )
    assert f"pyproject.toml:{line}: [tool.uv.workspace] members leave out staging package staging/prov_a" in (
        result.output
    )
    assert "leave out staging package staging/prov_b" in result.output
    assert "leave out staging package staging/fw" not in result.output


def test_verify_reports_a_member_that_is_not_staging(tmp_path: Path) -> None:
    files = monorepo_files()
    files["extra/pyproject.toml"] = '[project]\nname = "extra"\nversion = "1"\n'
    root = make_repo(tmp_path / "repo", files)
    CliRunner().invoke(cli, ["vendor", "update", "--root", str(root)])
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write('[tool.uv.workspace]\nmembers = ["staging/*", "extra"]\n')
    result = CliRunner().invoke(cli, ["vendor", "verify", "--root", str(root)])
    assert result.exit_code == 1
    assert "[tool.uv.workspace] member extra is not a staging package" in result.output


def test_update_rewrites_only_the_members(tmp_path: Path) -> None:
    root = repo_with_workspace(tmp_path)
    before = (root / "pyproject.toml").read_text()
    dry = CliRunner().invoke(cli, ["vendor", "update", "--dry-run", "--root", str(root)])
    assert "would have set pyproject.toml [tool.uv.workspace] members" in dry.output
    assert (root / "pyproject.toml").read_text() == before
    result = CliRunner().invoke(cli, ["vendor", "update", "--root", str(root)])
    assert result.exit_code == 0, result.output
    after = (root / "pyproject.toml").read_text()
    expected = before.replace(
        'members = ["staging/fw", "staging/gone"]',
        'members = [\n    "staging/fw",\n    "staging/prov_a",\n    "staging/prov_b",\n]',
    )
    assert after == expected
    assert CliRunner().invoke(cli, ["vendor", "verify", "--root", str(root)]).exit_code == 0


def test_no_workspace_no_check(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files())
    CliRunner().invoke(cli, ["vendor", "update", "--root", str(root)])
    assert CliRunner().invoke(cli, ["vendor", "verify", "--root", str(root)]).exit_code == 0


@pytest.mark.skipif(not UV.exists(), reason="uv is not installed in this environment")
def test_this_repository_lock_is_current() -> None:
    """The committed uv.lock matches the workspace (`uv lock --check`, offline: the lock and uv's cache)."""
    env = {**os.environ, "UV_OFFLINE": "1"}
    proc = subprocess.run(
        [str(UV), "lock", "--check", "--offline"],
        check=False,
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
