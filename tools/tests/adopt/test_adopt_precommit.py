"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit (`pre-commit try-repo`) on a clone of
this project.

The hooks are `language: system`: they run the depgraph and publish of this environment, so the test puts the
environment's bin folder first on PATH, as an activated .venv does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
HOOKS = ["depgraph-check", "depgraph-vendor-verify", "publish-verify-rules"]

pytestmark = pytest.mark.skipif(
    shutil.which("pre-commit", path=str(BIN)) is None, reason="pre-commit not installed"
)


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def try_repo(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Every hook of this project, as a user's commit would run them."""
    return run([str(BIN / "pre-commit"), "try-repo", str(PROJECT), "--verbose"], repo, env)


@pytest.mark.heavy
def test_hooks_pass_a_clean_commit_and_refuse_a_violation(tmp_path: Path, git_env: dict[str, str]) -> None:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "pc"),
    }
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(repo)], check=True, env=env)

    (repo / "README.md").write_text("A change that touches no code.\n", encoding="utf-8")
    run(["git", "add", "-A"], repo, env)
    clean = try_repo(repo, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for hook in HOOKS:
        assert f"- hook id: {hook}" in clean.stdout
    assert "Failed" not in clean.stdout

    target = repo / "staging/cloud_provider_fake/cloud_provider_fake/planted.py"
    target.write_text('"""Planted."""\n\nimport cloud_provider_aws\n', encoding="utf-8")
    run(["git", "add", "-A"], repo, env)
    bad = try_repo(repo, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "depgraph check (import graph)" in bad.stdout
    assert "staging/cloud_provider_fake/cloud_provider_fake/planted.py:3" in bad.stdout
    assert "- hook id: publish-verify-rules" in bad.stdout
