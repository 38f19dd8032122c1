"""Resume proves ownership: a destination head is built on only when its trailer names a commit of this
repository's source branch and its tree is this rule's folder there. Each other case is refused, by name,
with the destination left byte for byte as it was, and a --force tip that covers exactly that problem."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pub_fixtures import Repo, heads, log, make_monorepo, publish
from test_pub_preflight import snapshot

pytestmark = pytest.mark.usefixtures("git_env")


def push_foreign(bare: Path, tmp: Path, name: str) -> str:
    clone = tmp / f"someone-{name}"
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    other = Repo(clone)
    sha = other.commit(f"someone else's fix to {name}", {"fix.py": "x = 1\n"})
    other.git("push", "-q", "origin", "HEAD:main")
    return sha


def run(repo: Repo, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = publish(repo.path, "sync", *args)
    return code, capsys.readouterr().out.splitlines()


def failed_line(out: list[str], name: str) -> str:
    found = [x for x in out if x.startswith(f"{name}: FAILED: ")]
    assert len(found) == 1, out
    return found[0]


def test_a_rewritten_source_history_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    lost = repo.git("rev-parse", "HEAD")  # "fw: api", published as fw's head
    repo.git("commit", "-q", "--amend", "-m", "fw: api, reworded")
    before = snapshot(tmp_path / "dest/fw.git")
    code, out = run(repo, capsys)
    assert code == 1
    line = failed_line(out, "fw")
    assert line.startswith("fw: FAILED: the source history was rewritten since the last publish: ")
    assert f"from source commit {lost}, which is no longer on source branch 'main'" in line
    assert line.endswith("TIP: `--force fw:main` republishes the branch from the new history")
    assert "has commits the publisher did not make" not in line
    assert snapshot(tmp_path / "dest/fw.git") == before
    # prov's folder history was not rewritten: it waits for fw, and says its own destination is fine.
    assert (
        "its dependency 'fw' failed; its own destination is in order (main published up to source commit"
        in (failed_line(out, "prov"))
    )
    # The tip does exactly that: fw's main now follows the new history.
    code, out = run(repo, capsys, "--force", "fw:main")
    assert code == 0, out
    assert log(tmp_path / "dest/fw.git", "%s", "-1", "main") == ["fw: api, reworded"]


def test_a_destination_holding_another_packages_history_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    # The two destinations swapped in the rules (no two rules share one, so the preflight passes).
    text = (repo.path / "publish-rules.toml").read_text()
    fw_dest, prov_dest = f"{tmp_path}/dest/fw.git", f"{tmp_path}/dest/prov.git"
    text = text.replace(fw_dest, "@FW@").replace(prov_dest, fw_dest).replace("@FW@", prov_dest)
    repo.write({"publish-rules.toml": text})
    repo.commit("fw: more", {"staging/fw/fw/more.py": ""})
    before = snapshot(tmp_path / "dest")
    code, out = run(repo, capsys)
    assert code == 1
    line = failed_line(out, "fw")
    assert line.startswith(
        "fw: FAILED: refs/heads/main at the destination holds package 'prov''s history, not 'fw''s"
    )
    assert line.endswith("TIP: `--force fw:main` overwrites it")
    assert "prov: FAILED: not published: its dependency 'fw' failed; its own destination needs attention" in (
        failed_line(out, "prov")
    )
    assert "holds package 'fw''s history" in failed_line(out, "prov")
    assert snapshot(tmp_path / "dest") == before


def test_a_head_amended_at_the_destination_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An amend keeps the publisher's trailer but not its tree: not another package's history, and said so."""
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    clone = tmp_path / "someone-prov"
    subprocess.run(["git", "clone", "-q", str(tmp_path / "dest/prov.git"), str(clone)], check=True)
    other = Repo(clone)
    other.write({"fix.py": "x = 1\n"})
    other.git("add", "fix.py")
    other.git("commit", "-q", "--amend", "--no-edit")
    other.git("push", "-q", "-f", "origin", "HEAD:main")
    amended = other.git("rev-parse", "HEAD")
    repo.commit("prov: more", {"staging/prov/prov/more.py": ""})
    before = snapshot(tmp_path / "dest")
    code, out = run(repo, capsys)
    assert code == 1
    line = failed_line(out, "prov")
    assert line.startswith("prov: FAILED: refs/heads/main at the destination is not what the publisher made ")
    assert f"its tree at {amended[:12]} is neither this rule's folder there nor another rule's" in line
    assert line.endswith("TIP: `--force prov:main` overwrites it")
    assert snapshot(tmp_path / "dest") == before


def test_a_dependant_of_a_refused_package_names_its_own_state_and_the_tips_cover_exactly_that(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    fw_theirs = push_foreign(tmp_path / "dest/fw.git", tmp_path, "fw")
    repo.commit("both: new", {"staging/fw/fw/n.py": "", "staging/prov/prov/n.py": ""})
    # prov's own destination is in order: it says so.
    code, out = run(repo, capsys)
    assert code == 1
    assert f"commits the publisher did not make: {fw_theirs} someone else's fix to fw" in failed_line(
        out, "fw"
    )
    prov = failed_line(out, "prov")
    assert prov.startswith(
        "prov: FAILED: not published: its dependency 'fw' failed; its own destination is in order"
    )
    assert "main published up to source commit " in prov
    # Now prov's destination diverges too: its line names that, with its own tip.
    prov_theirs = push_foreign(tmp_path / "dest/prov.git", tmp_path, "prov")
    before = snapshot(tmp_path / "dest")
    code, out = run(repo, capsys, "--dry-run")
    assert code == 1
    prov = failed_line(out, "prov")
    assert (
        f"its own destination needs attention too: refs/heads/main at the destination has commits the "
        f"publisher did not make: {prov_theirs} someone else's fix to prov" in prov
    )
    assert prov.endswith("TIP: `--force prov:main` overwrites them")
    assert not [x for x in out if "would push" in x]  # a refused package shows nothing it would push
    assert snapshot(tmp_path / "dest") == before
    # Following only fw's tip overwrites fw, and prov is still refused by name (nothing of it is lost).
    code, out = run(repo, capsys, "--force", "fw:main")
    assert code == 1
    assert "fw: pushed refs/heads/main" in "\n".join(out)
    assert f"{prov_theirs} someone else's fix to prov" in failed_line(out, "prov")
    assert heads(tmp_path / "dest/prov.git")["refs/heads/main"] == prov_theirs
    code, out = run(repo, capsys, "--force", "prov:main")
    assert code == 0, out
    assert log(tmp_path / "dest/prov.git", "%s", "-1", "main") == ["both: new"]


def test_a_dependant_whose_own_destination_is_missing_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """prov's destination does not exist and its rule may not create it: its line says that, not "in
    order", although fw's failure is what stopped it first."""
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    text = (repo.path / "publish-rules.toml").read_text()
    assert "create = true" in text
    gone = tmp_path / "gone"
    text = text.replace("create = true", "create = false").replace(f"{tmp_path}/dest/", f"{gone}/")
    repo.commit("rules: destinations elsewhere", {"publish-rules.toml": text})
    code, out = run(repo, capsys)
    assert code == 1
    assert (
        failed_line(out, "fw")
        == f"fw: FAILED: destination {gone}/fw.git does not exist (its rule has create = false)"
    )
    assert failed_line(out, "prov") == (
        "prov: FAILED: not published: its dependency 'fw' failed; its own destination needs attention too: "
        f"destination {gone}/prov.git does not exist (its rule has create = false)"
    )
    assert not gone.exists()
