"""A run killed inside its write path (at named points: after the pack is written, mid-push, between the
pushes of two packages) and started again ends exactly like an uninterrupted (--jobs 2) run; a run that
loses a race to another publisher says what happened."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cli_inprocess
import pytest
from pub_fixtures import Repo, check_published, grow, heads, log, make_monorepo, publish

from publish import pause

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


class Run:
    """`publish sync` in its own process group, paused at a named point of the write path."""

    def __init__(self, root: Path, tmp_path: Path, point: str, *args: str) -> None:
        self.marker = tmp_path / f"paused-{point.replace(':', '-')}"
        env = dict(os.environ)
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        env[pause.AT], env[pause.FILE] = point, str(self.marker)
        self.proc = subprocess.Popen(
            [*PUBLISH, "--root", str(root), "sync", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its git children share its process group: one kill stops them all
        )

    def wait_paused(self, marker: Path | None = None) -> None:
        marker = marker or self.marker
        for _ in range(3000):
            if marker.exists() and marker.read_text().strip():
                return
            assert self.proc.poll() is None, self.proc.communicate()
            time.sleep(0.01)
        raise AssertionError(f"the run never reached {marker.name}")

    def kill(self) -> str:
        os.killpg(self.proc.pid, signal.SIGKILL)
        out, _ = self.proc.communicate(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL
        return out

    def resume(self) -> tuple[int, str, str]:
        self.marker.unlink()
        out, err = self.proc.communicate(timeout=120)
        return self.proc.returncode, out, err


def pack_files(repo: Path) -> list[Path]:
    return sorted((repo / "objects" / "pack").glob("pack-*.idx"))


PRE_RECEIVE = """#!/bin/sh
# Test only: hold the push inside the destination (objects received, no ref updated yet).
echo "mid-push $$" > {marker}
while [ -e {marker} ]; do sleep 0.02; done
"""


@pytest.mark.parametrize("point", ["after-pack", "mid-push", "between-packages"])
def test_a_run_killed_inside_the_write_path_resumes_to_the_same_result(tmp_path: Path, point: str) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    grow(repo, 300)
    expected = reference(repo.path, tmp_path)
    fw_dest, prov_dest = tmp_path / "dest/fw.git", tmp_path / "dest/prov.git"
    hook_marker = tmp_path / "in-pre-receive"
    if point == "mid-push":  # the destination itself holds the push: a real push, killed in flight
        subprocess.run(["git", "init", "-q", "--bare", str(fw_dest)], check=True)
        hook = fw_dest / "hooks" / "pre-receive"
        hook.write_text(PRE_RECEIVE.format(marker=hook_marker))
        hook.chmod(0o755)
    run = Run(repo.path, tmp_path, "none" if point == "mid-push" else point)
    run.wait_paused(hook_marker if point == "mid-push" else None)
    # Where the kill lands, proven from the outside:
    if point == "after-pack":  # fw's published commits are written as a pack; nothing is pushed yet
        assert pack_files(repo.path / "_work/fw.git") and not heads(fw_dest)
    elif point == "mid-push":  # the destination has received the objects, not yet moved the branch
        assert list(fw_dest.joinpath("objects").glob("tmp_objdir-incoming-*")) and not heads(fw_dest)
    else:  # fw is published, prov not yet
        assert heads(fw_dest) == expected["fw.git"] and not (prov_dest.exists() and heads(prov_dest))
    out = run.kill()
    if point == "between-packages":  # what the run printed before it was killed is kept
        assert out.splitlines()[-1].startswith("fw: pushed refs/heads/main (new) -> ")
    else:
        assert out == ""
    if point == "mid-push":
        (fw_dest / "hooks" / "pre-receive").unlink()
        hook_marker.unlink()
        assert not heads(fw_dest)  # the killed push left nothing half-updated
    again = [str(Path(sys.executable).parent / "publish"), "--root", str(repo.path), "sync"]
    done = cli_inprocess.run(again, capture_output=True, text=True)  # started again (in this process)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {name: heads(tmp_path / "dest" / name) for name in ("fw.git", "prov.git")} == expected
    check_published(repo.path, fw_dest, "main", "staging/fw")


def test_a_run_that_lost_a_race_to_the_same_commits_says_so_instead_of_pushed(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    run = Run(repo.path, tmp_path, "before-push:prov")
    run.wait_paused()
    # Another machine (its own clone and work directory) publishes the same commits meanwhile.
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(other)], check=True)
    assert publish(other, "sync") == 0
    code, out, err = run.resume()
    assert code == 0, out + err
    prov_head = heads(tmp_path / "dest/prov.git")["refs/heads/main"]
    assert f"prov: refs/heads/main was already at {prov_head[:12]} at the destination; nothing pushed" in out
    assert "prov: pushed" not in out
    assert "publish: 1 published, 1 up to date, 0 failed" in err + out


def test_a_run_that_lost_a_race_to_other_commits_fails_and_keeps_them(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    run = Run(repo.path, tmp_path, "before-push:prov")
    run.wait_paused()
    # Someone pushes to prov's (just created, empty) destination meanwhile.
    clone = tmp_path / "someone"
    subprocess.run(["git", "init", "-q", "-b", "main", str(clone)], check=True)
    theirs = Repo(clone).commit("their own start", {"x.py": ""})
    Repo(clone).git("push", "-q", str(tmp_path / "dest/prov.git"), "HEAD:refs/heads/main")
    code, out, err = run.resume()
    assert code == 1
    assert (
        "prov: FAILED: refs/heads/main moved at the destination during this run (fetched (none), now "
        f"{theirs[:12]}); nothing pushed: run again"
    ) in out.splitlines()
    assert "attempt" not in err  # a lost race is not retried
    assert heads(tmp_path / "dest/prov.git") == {"refs/heads/main": theirs}


def test_two_runs_at_once_the_second_stops_with_a_clear_message(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    first = Run(repo.path, tmp_path, "before-push:fw", "--package", "fw")
    first.wait_paused()  # the first run holds the lock, paused before its push
    lock = repo.path / "_work" / "publish.lock"
    assert lock.read_text().strip() == str(first.proc.pid)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    second = subprocess.run(
        [*PUBLISH, "--root", str(repo.path), "sync"], env=env, capture_output=True, text=True, check=False
    )
    assert second.returncode == 2
    assert second.stderr.strip() == (
        f"publish: error: another publish run (pid {first.proc.pid}) holds {lock}; wait for it to finish"
    )
    assert not heads(tmp_path / "dest/fw.git")  # the second run pushed nothing
    code, out, err = first.resume()
    assert code == 0, out + err
    assert heads(tmp_path / "dest/fw.git")


def test_a_source_branch_that_moves_mid_run_does_not_change_what_the_run_publishes(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    start = repo.git("rev-parse", "main")
    run = Run(repo.path, tmp_path, "between-packages")
    run.wait_paused()  # fw is published from `start`
    repo.commit("both: later", {"staging/fw/fw/later.py": "", "staging/prov/prov/later.py": ""})
    code, out, err = run.resume()
    assert code == 0, out + err
    # prov is published from the same source state as fw (its pin names fw's published commit of it).
    assert log(tmp_path / "dest/prov.git", "%s", "main") == ["prov: first version"]
    assert log(tmp_path / "dest/fw.git", "%s", "-1", "main") == ["fw: api"]
    assert repo.git("rev-parse", "main") != start
    # The next run publishes the new commit of both.
    assert publish(repo.path, "sync") == 0
    assert log(tmp_path / "dest/prov.git", "%s", "-1", "main") == ["both: later"]


def test_a_tag_made_mid_run_waits_for_the_next_run(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    grow(repo, 300)  # enough commits of fw for a pack, so the run pauses after writing it
    run = Run(repo.path, tmp_path, "after-pack")
    run.wait_paused()  # fw (published first) has its branch split; its tags are not planned yet
    repo.git("tag", "v1.2.3", "main")
    code, out, err = run.resume()
    assert code == 0, out + err
    assert "v0.2.3" not in dest_tags(tmp_path / "dest/fw.git")  # the tags the run read at its start
    assert publish(repo.path, "sync") == 0
    assert "v0.2.3" in dest_tags(tmp_path / "dest/fw.git")


def dest_tags(repo: Path) -> list[str]:
    return subprocess.run(["git", "tag"], cwd=repo, capture_output=True, text=True, check=True).stdout.split()
