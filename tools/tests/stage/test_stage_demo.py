"""`make stage-demo` end to end (its quick form: only the provider's tests at each step).

It clones this repository, builds an environment for the copy and runs every step (about 30 s here), so it
is a `slow` test: `make test-all` runs it, `make test` does not.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_the_demo_runs_the_whole_story(tmp_path: Path) -> None:
    status, head = git(ROOT, "status", "--porcelain"), git(ROOT, "rev-parse", "HEAD")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "stage.demo",
            "--quick",
            "--keep",
            str(tmp_path / "demo"),
            "--root",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "  blocked: 1 imports into the core; cut each" in out
    assert "  clean: nothing of cloud_controller_manager.providers.static imports the rest of the core" in out
    assert (
        "DeprecationWarning: cloud_controller_manager.providers.static moved to cloud_provider_static" in out
    )
    assert "  cloud_provider_static's own tests with the shim: 2 passed" in out
    assert (
        "  stage: uv.lock: not refreshed; run `uv lock` to add staging/cloud_provider_static to it\n" in out
    )
    assert "  depgraph: no findings from" in out and "  publish: rules ok (5 packages)" in out
    assert "cloud-controller-manager: the in-tree static provider" in out.split("$ git log --follow")[1]
    # publish shows the history from before the move too (the rule's `earlier` home, written by apply)
    published = out.split("$ publish sync --dry-run")[1]
    assert "cloud-provider-static: would push refs/heads/main (new) -> " in published
    assert ", 3 commit(s)\n" in published
    assert "cloud-controller-manager: the in-tree static provider" in published
    assert out.endswith("stage-demo: done; the real repository is unchanged\n")
    # the real repository: nothing written, nothing committed
    assert (git(ROOT, "status", "--porcelain"), git(ROOT, "rev-parse", "HEAD")) == (status, head)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout
