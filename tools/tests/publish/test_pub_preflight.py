"""`sync` checks everything it can before it acts: each problem refuses the whole run with exit 2, names
the rule or option at fault, and leaves every destination as it was (or absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pub_fixtures import Repo, make_monorepo, publish

pytestmark = pytest.mark.usefixtures("git_env")


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every file of a destination, byte for byte (None when it does not exist)."""
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def edit_rules(repo: Repo, old: str, new: str) -> None:
    text = (repo.path / "publish-rules.toml").read_text()
    assert old in text
    repo.write({"publish-rules.toml": text.replace(old, new, 1)})


def add_to_prov(repo: Repo, text: str) -> None:
    """Append to the last rule of the file (prov's)."""
    repo.write({"publish-rules.toml": (repo.path / "publish-rules.toml").read_text() + "\n" + text})


def refused(repo: Repo, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """Run sync, expect exit 2; return its error lines."""
    capsys.readouterr()
    assert publish(repo.path, "sync", *args) == 2
    out, err = capsys.readouterr()
    assert out == ""  # nothing was published, so nothing is reported as such
    lines = err.splitlines()
    assert lines[-1].startswith("publish: refused: ") and lines[-1].endswith("nothing was created or pushed")
    return lines[:-1]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "staging/fwx",
            "publish-rules.toml: package 'fw': 'staging/fwx' does not exist on source branch 'main' "
            "(`missing-ok = true` in its rule if it may be absent)",
        ),
        ("../outside", "publish-rules.toml: package 'fw': directory '../outside' is outside the repository"),
        ("/etc", "publish-rules.toml: package 'fw': directory '/etc' is outside the repository"),
        (
            "app/main.py",
            "publish-rules.toml: package 'fw': 'app/main.py' is not a folder on source branch 'main'",
        ),
    ],
)
def test_a_bad_source_refuses_the_run_and_creates_no_destination(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, message: str
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    (tmp_path / "outside").mkdir()
    edit_rules(repo, 'source = "staging/fw"', f'source = "{source}"')
    lines = refused(repo, capsys)
    assert f"publish: error: {message}" in lines, lines
    assert not (tmp_path / "dest").exists()  # not even the package whose rule is right
    assert not (repo.path / "_work").exists()


def test_a_source_missing_on_a_release_branch_is_refused_unless_the_rule_allows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    # A release branch cut before prov existed.
    repo.git("branch", "release-1.0", "HEAD~3")
    add_to_prov(
        repo,
        '[[package.branch]]\nname = "main"\n'
        '[[package.branch]]\nname = "release-0.1"\nsource = "release-1.0"\n',
    )
    before = snapshot(tmp_path / "dest/prov.git"), snapshot(tmp_path / "dest/fw.git")
    lines = refused(repo, capsys)
    assert lines == [
        "publish: error: publish-rules.toml: package 'prov': 'staging/prov' does not exist on source branch "
        "'release-1.0' (`missing-ok = true` in its rule if it may be absent)"
    ]
    assert (snapshot(tmp_path / "dest/prov.git"), snapshot(tmp_path / "dest/fw.git")) == before
    # Said to be fine: the branch publishes nothing, the rest goes on.
    edit_rules(repo, 'source = "release-1.0"', 'source = "release-1.0"\nmissing-ok = true')
    assert publish(repo.path, "sync") == 0
    assert "prov: branch release-0.1: staging/prov/ has no history on release-1.0" in capsys.readouterr().out


def test_a_missing_source_branch_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    add_to_prov(repo, '[[package.branch]]\nname = "main"\nsource = "mian"\n')
    lines = refused(repo, capsys)
    assert lines == ["publish: error: publish-rules.toml: package 'prov': source branch 'mian' not found"]
    assert not (tmp_path / "dest").exists()


def test_two_rules_with_one_destination_are_refused_before_anything_is_pushed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    before = snapshot(tmp_path / "dest/fw.git")
    repo.commit("both: new", {"staging/fw/fw/n.py": "", "staging/prov/prov/n.py": ""})
    edit_rules(
        repo, f'destination = "{tmp_path}/dest/prov.git"', f'destination = "file://{tmp_path}/dest/fw.git/"'
    )
    lines = refused(repo, capsys)
    assert lines == [
        f"publish: error: publish-rules.toml: packages 'fw' and 'prov' both publish to branch 'main' of "
        f"file://{tmp_path}/dest/fw.git/"
    ]
    assert snapshot(tmp_path / "dest/fw.git") == before
    # verify-rules reports it too (exit 1: a finding).
    assert publish(repo.path, "verify-rules") == 1
    assert "both publish to branch 'main'" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("force", "message"),
    [
        (
            "nope",
            "--force 'nope': no package 'nope' in this run "
            "(use PACKAGE or PACKAGE:BRANCH; packages: fw, prov)",
        ),
        (
            "main",
            "--force 'main': no package 'main' in this run "
            "(use PACKAGE or PACKAGE:BRANCH; packages: fw, prov)",
        ),
        (
            "prov:mian",
            "--force 'prov:mian': package 'prov' publishes no branch or tag 'mian' (branches: main)",
        ),
        (
            "prov:v0.2.3",
            "--force 'prov:v0.2.3': package 'prov' publishes no branch or tag 'v0.2.3' (branches: main)",
        ),
    ],
)
def test_an_unknown_force_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], force: str, message: str
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    repo.git("tag", "v1.2.3")  # fw publishes it as v0.2.3: `--force fw:v0.2.3` is a known name
    assert refused(repo, capsys, "--force", force) == [f"publish: error: {message}"]
    assert not (tmp_path / "dest").exists()
    assert publish(repo.path, "sync", "--force", "fw:v0.2.3", "--force", "prov", "--force", "fw:main") == 0
