"""A run killed at any moment and started again ends exactly like an uninterrupted (--jobs 2) run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pub_fixtures import check_published, grow, heads, make_monorepo, publish

pytestmark = pytest.mark.usefixtures("git_env")

PUBLISH = [sys.executable, "-c", "from publish.cli import main; main()"]


def reference(source: Path, tmp_path: Path) -> dict[str, dict[str, str]]:
    """An uninterrupted run (with --jobs 2) from a clone of the same source, to other destinations."""
    clone = tmp_path / "ref"
    subprocess.run(["git", "clone", "-q", str(source), str(clone)], check=True)
    rules = (
        (source / "publish-rules.toml")
        .read_text()
        .replace(str(tmp_path / "dest"), str(tmp_path / "ref-dest"))
    )
    (clone / "publish-rules.toml").write_text(rules)
    assert publish(clone, "sync", "--jobs", "2") == 0
    return {name: heads(tmp_path / "ref-dest" / name) for name in ("fw.git", "prov.git")}


def test_killed_runs_resume_to_the_same_result(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    grow(repo, 300)
    expected = reference(repo.path, tmp_path)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    kills = 0
    for delay in (0.05, 0.15, 0.3, 0.45, 0.6, 0.8):
        proc = subprocess.Popen(
            [*PUBLISH, "--root", str(repo.path), "sync"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 2  # at least some runs really were killed mid-way
    done = subprocess.run(
        [*PUBLISH, "--root", str(repo.path), "sync"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert {name: heads(tmp_path / "dest" / name) for name in ("fw.git", "prov.git")} == expected
    check_published(repo.path, tmp_path / "dest/fw.git", "main", "staging/fw")


def test_two_runs_at_once_the_second_stops_with_a_clear_message(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest", smoke="sleep 2")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    first = subprocess.Popen(
        [*PUBLISH, "--root", str(repo.path), "sync", "--package", "fw"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = repo.path / "_work" / "publish.lock"
    for _ in range(200):  # wait until the first run holds the lock
        if lock.exists() and lock.read_text().strip() == str(first.pid):
            break
        time.sleep(0.02)
    second = subprocess.run(
        [*PUBLISH, "--root", str(repo.path), "sync"], env=env, capture_output=True, text=True, check=False
    )
    out, err = first.communicate(timeout=60)
    assert second.returncode == 2
    assert second.stderr.strip() == (
        f"publish: error: another publish run (pid {first.pid}) holds {lock}; wait for it to finish"
    )
    assert first.returncode == 0, out + err
    assert heads(tmp_path / "dest/fw.git")
