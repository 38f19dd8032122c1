"""`stage apply` (unfinished) through the real CLI: refusals first, then one move and its shim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_stage_plan import STAGE, repo


def apply(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [STAGE, "apply", *args, "--root", str(root)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(root)},
        check=False,
    )


def test_refuses_a_blocked_plan_and_a_dirty_tree(tmp_path: Path, git_env: dict[str, str]) -> None:
    root = repo(tmp_path, {"app/providers/foo/impl.py": "from app.util import helper\n"})
    done = apply(root, "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert done.returncode == 2 and "1 imports into the core block the move" in done.stderr
    root = repo(tmp_path / "2", {})
    (root / "scratch.txt").write_text("x")
    done = apply(root, "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert done.returncode == 2 and "1 uncommitted changes" in done.stderr
    assert not (root / "staging").exists()


def test_moves_with_history_and_leaves_a_working_shim(tmp_path: Path, git_env: dict[str, str]) -> None:
    root = repo(tmp_path, {})
    done = apply(root, "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert done.returncode == 0, done.stderr
    assert (root / "staging/foo/foo/impl.py").is_file()
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "move"], cwd=root, check=True)
    log = subprocess.run(
        ["git", "log", "--follow", "--format=%s", "--", "staging/foo/foo/impl.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert log.stdout.splitlines() == ["move", "the monorepo"]
    code = (
        "import warnings\nwarnings.simplefilter('error')\ntry:\n    import app.providers.foo\n"
        "except DeprecationWarning as w:\n    print(w)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": f"{root}:{root / 'staging/foo'}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (
        run.stdout
        == "app.providers.foo moved to foo: import foo instead; app.providers.foo goes away in release 2.0\n"
    ), run.stderr
    assert '"foo"' in (root / "pyproject.toml").read_text()
