"""`publish status`: per package and branch, the destination's head, the source commit it came from and the
commits waiting; text and JSON; it writes nothing (checked on every file of the source, the destinations
and the work folder)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pub_fixtures import Repo, make_monorepo, publish

pytestmark = pytest.mark.usefixtures("git_env")


def run_status(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = publish(root, "status", *args)
    return code, capsys.readouterr().out


def files(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file under the folders with its size and modification time (nanoseconds)."""
    found = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                st = p.stat()
                found[str(p)] = (st.st_size, st.st_mtime_ns)
    return found


def test_status_before_and_after_publishing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "dest"
    repo = make_monorepo(tmp_path / "mono", dest)
    root = repo.path

    code, out = run_status(root, capsys)
    assert code == 0
    assert out.splitlines()[1:] == [
        "fw       main    -                 -               2        not published",
        "prov     main    -                 -               1        not published",
    ]
    assert not dest.exists() and not (root / "_work").exists()  # nothing created

    assert publish(root, "sync", "--no-smoke") == 0
    fw_head = repo.git("--git-dir", str(dest / "fw.git"), "rev-parse", "main")
    tip = repo.git("rev-parse", "main")
    code, out = run_status(root, capsys)
    assert code == 0
    assert f"fw       main    {fw_head[:12]}      {tip[:12]}    0        up to date" in out

    repo.commit("core only again", {"app/more.py": "y = 2\n"})  # not in a package folder: nothing waits
    repo.commit("fw: one", {"staging/fw/fw/one.py": "ONE = 1\n"})
    repo.commit("fw: two", {"staging/fw/fw/two.py": "TWO = 2\n"})
    before = files(root, dest)
    code, out = run_status(root, capsys, "--json")
    assert code == 0
    assert (
        files(root, dest) == before
    )  # read only: not one file of source, work folder or destination changed
    rows = {r["package"]: r for r in json.loads(out)["branches"]}
    assert rows["fw"] == {
        "package": "fw",
        "branch": "main",
        "source_branch": "main",
        "dir": "staging/fw",
        "destination": str(dest / "fw.git"),
        "head": fw_head,
        "published_from": tip,
        "waiting": 2,
        "state": "behind",
        "note": "",
    }
    assert rows["prov"]["waiting"] == 0 and rows["prov"]["state"] == "up to date"

    code, out = run_status(root, capsys, "-p", "prov")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["package", "prov"]


def test_an_unreadable_destination_is_reported_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "dest"
    repo = make_monorepo(tmp_path / "mono", dest)
    assert publish(repo.path, "sync", "--no-smoke") == 0
    # the destination is replaced by a folder that is not a repository
    subprocess.run(["rm", "-rf", str(dest / "fw.git")], check=True)
    (dest / "fw.git").mkdir()
    code, out = run_status(repo.path, capsys)
    assert code == 1
    fw = next(line for line in out.splitlines() if line.startswith("fw "))
    assert "unreadable: cannot read " in fw and str(dest / "fw.git") in fw
    assert "up to date" in next(line for line in out.splitlines() if line.startswith("prov "))


def test_an_unknown_package_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    capsys.readouterr()
    assert publish(repo.path, "status", "-p", "nope") == 2
    assert "no package named 'nope'" in capsys.readouterr().err


def test_a_head_published_from_a_rewritten_history_is_not_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The head's source commit left the branch (an amend): nothing waits, yet `sync` would refuse the
    branch, so status says so and exits 1 instead of calling it up to date."""
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    lost = repo.git("rev-parse", "HEAD")  # fw's published head comes from it
    repo.git("commit", "-q", "--amend", "-m", "fw: api, reworded")
    code, out = run_status(repo.path, capsys, "--json")
    assert code == 1
    fw = next(b for b in json.loads(out)["branches"] if b["package"] == "fw")
    assert (fw["state"], fw["published_from"], fw["waiting"]) == ("rewritten", lost, None)
    assert fw["note"] == (
        f"{lost[:12]} is no longer on 'main': `publish sync` refuses the branch until `--force fw:main` "
        "republishes it"
    )
    assert publish(repo.path, "sync", "--dry-run") == 1  # as status said


def test_a_head_without_trailer_is_named_as_sync_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone else's commit on the destination's main: status names it as sync does (same words, same
    commits, same tip), not "unknown"."""
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    clone = tmp_path / "someone"
    subprocess.run(["git", "clone", "-q", str(tmp_path / "dest/prov.git"), str(clone)], check=True)
    other = Repo(clone)
    theirs = other.commit("someone else's fix", {"fix.py": "x = 1\n"})
    other.git("push", "-q", "origin", "HEAD:main")
    code, out = run_status(repo.path, capsys)
    assert code == 1
    row = next(x for x in out.splitlines() if x.startswith("prov "))
    assert "foreign commits: " in row and f"{theirs} someone else's fix" in row
    code, json_out = run_status(repo.path, capsys, "--json")
    note = next(b for b in json.loads(json_out)["branches"] if b["package"] == "prov")["note"]
    capsys.readouterr()
    assert publish(repo.path, "sync", "-p", "prov") == 1
    failed = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("prov: FAILED: "))
    assert failed == f"prov: FAILED: {note}"  # one classifier, one wording
