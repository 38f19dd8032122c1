"""A source tag moved after its published tag was made: the published tag stays (it moves only when forced by
name), and `sync` and `status` say so, naming the source tag, where it points now, the published tag and the
`--force` that moves it. Real git repositories, a bare destination, the real CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pub_fixtures import Repo, heads, make_monorepo, publish
from test_pub_preflight import snapshot

pytestmark = pytest.mark.usefixtures("git_env")


def published_then_moved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Repo, Path, str]:
    """fw's v1.4.2 published as v0.4.2 (on "fw: api"), then the source tag moved to a later fw commit."""
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    repo.git("tag", "-a", "-m", "release", "v1.4.2")
    repo.git("tag", "v1.4.1", "HEAD~1")  # unchanged throughout: never reported
    later = repo.commit("fw: more", {"staging/fw/fw/more.py": ""})
    assert publish(repo.path, "sync") == 0
    repo.git("tag", "-f", "-a", "-m", "release again", "v1.4.2", later)
    capsys.readouterr()
    return repo, tmp_path / "dest/fw.git", later


def refused_line(out: str) -> str:
    lines = [x for x in out.splitlines() if x.startswith("fw: FAILED")]
    assert len(lines) == 1, out
    return lines[0]


def test_a_moved_source_tag_is_refused_by_name_and_the_destination_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, fw, later = published_then_moved(tmp_path, capsys)
    tag = heads(fw)["refs/tags/v0.4.2"]
    main = heads(fw)["refs/heads/main"]
    assert tag != main
    before = snapshot(fw)
    assert publish(repo.path, "sync") == 1  # a refused ref fails its package, as a diverged branch does
    line = refused_line(capsys.readouterr().out)
    assert "refs/tags/v0.4.2" in line and "'v1.4.2'" in line
    assert f"source commit {later}" in line and f"published as {main}" in line and tag in line
    assert line.endswith("TIP: `--force fw:v0.4.2` moves it") and "v0.4.1" not in line
    assert snapshot(fw) == before  # byte for byte
    assert publish(repo.path, "sync", "--dry-run") == 1  # a dry run says the same and lists nothing to push
    out = capsys.readouterr().out
    assert refused_line(out) == line and "would push" not in out
    # status says the same, and exits 1 as for the other states sync refuses
    assert publish(repo.path, "status") == 1
    out = capsys.readouterr().out
    row = next(x for x in out.splitlines() if "refs/tags/v0.4.2" in x)
    assert "tag moved" in row and later in row and "--force fw:v0.4.2" in row
    assert snapshot(fw) == before
    # Forced by name, it moves; afterwards every run is quiet again.
    assert publish(repo.path, "sync", "--force", "fw:v0.4.2") == 0
    assert heads(fw)["refs/tags/v0.4.2"] == main
    capsys.readouterr()
    assert publish(repo.path, "sync") == 0
    assert publish(repo.path, "status") == 0
    assert "FAILED" not in capsys.readouterr().out


def test_a_cold_work_directory_verifies_the_published_tags_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, fw, later = published_then_moved(tmp_path, capsys)
    shutil.rmtree(repo.path / "_work")  # no record of what the tags were published from
    before = snapshot(fw)
    assert publish(repo.path, "sync") == 1
    assert f"source commit {later}" in refused_line(capsys.readouterr().out)
    assert snapshot(fw) == before
    # Moved back, from a cold work directory again: nothing to say.
    repo.git("tag", "-f", "-a", "-m", "release", "v1.4.2", "HEAD~1")
    shutil.rmtree(repo.path / "_work")
    assert publish(repo.path, "sync") == 0
    out = capsys.readouterr().out
    assert "FAILED" not in out and "fw: up to date refs/heads/main" in out
    assert snapshot(fw) == before
    records = (repo.path / "_work/fw.git/publish-tags.json").read_text()
    assert '"v0.4.1"' in records and '"v0.4.2"' in records  # verified once, recorded


def test_unchanged_and_new_tags_are_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    repo.git("tag", "v1.4.2")
    assert publish(repo.path, "sync") == 0
    repo.commit("fw: more", {"staging/fw/fw/more.py": ""})
    repo.git("tag", "v1.5.0")
    repo.git("tag", "-f", "v1.4.2", "HEAD~1")  # moved, but to a commit published as the same one
    capsys.readouterr()
    assert publish(repo.path, "sync") == 0
    out = capsys.readouterr().out
    assert "FAILED" not in out and "fw: pushed refs/tags/v0.5.0 (new)" in out


def test_status_reads_an_annotated_tag_at_the_destination_as_the_commit_it_points_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ls-remote` lists an annotated tag twice (the tag object, then `^{}` with its commit): status takes the
    commit, whatever the two SHAs' order, so a moved source tag is still reported."""
    repo, fw, later = published_then_moved(tmp_path, capsys)
    commit = heads(fw)["refs/tags/v0.4.2"]
    dest = Repo(fw)
    for n in range(64):  # a tag object whose SHA sorts after its commit's: sorting lines by SHA picks it
        dest.git("tag", "-f", "-a", "-m", f"annotated at the destination ({n})", "v0.4.2", commit)
        if dest.git("rev-parse", "refs/tags/v0.4.2").strip() > commit:
            break
    assert publish(repo.path, "status") == 1
    row = next(x for x in capsys.readouterr().out.splitlines() if "refs/tags/v0.4.2" in x)
    assert "tag moved" in row and later in row and commit in row
