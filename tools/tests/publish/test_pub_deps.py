"""Sibling dependencies rewritten per rule, tag mapping, release branches, verify-rules."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pub_fixtures import heads, log, make_monorepo, publish, pyproject

from depgraph.base import toml

pytestmark = pytest.mark.usefixtures("git_env")


def show(bare: Path, rev: str) -> str:
    return subprocess.run(["git", "show", rev], cwd=bare, capture_output=True, text=True, check=True).stdout


def test_commit_pins_name_the_siblings_published_commit_for_the_same_source_commit(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    repo.commit("fw: bump", {"staging/fw/fw/x.py": "X = 1\n"})
    repo.commit("prov: change", {"staging/prov/prov/y.py": "Y = 1\n"})
    assert publish(repo.path, "sync") == 0
    fw_dest, prov_dest = tmp_path / "dest/fw.git", tmp_path / "dest/prov.git"
    fw_by_subject = dict(x.split(" ", 1)[::-1] for x in log(fw_dest, "%H %s", "main"))
    for line in log(prov_dest, "%H %s", "main"):
        sha, subject = line.split(" ", 1)
        text = show(prov_dest, f"{sha}:pyproject.toml")
        # prov's first commit came after "initial"; the second after "fw: bump" (and "fw: api").
        expected = fw_by_subject["fw: bump" if subject == "prov: change" else "initial: core and framework"]
        assert f'"fw @ git+https://example.com/fw.git@{expected}"' in text, (subject, text)


def test_version_pins_name_the_siblings_version_at_that_source_commit(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest", pin="version")
    repo.commit("fw: 0.2.0", {"staging/fw/pyproject.toml": pyproject("fw", "0.2.0")})
    repo.commit("prov: change", {"staging/prov/prov/y.py": "Y = 1\n"})
    assert publish(repo.path, "sync") == 0
    prov_dest = tmp_path / "dest/prov.git"
    assert '"fw==0.2.0"' in show(prov_dest, "main:pyproject.toml")
    assert '"fw==0.1.0"' in show(prov_dest, "main~1:pyproject.toml")
    # Everything but the dependency line is as in the source.
    source = show(repo.path, "HEAD:staging/prov/pyproject.toml")
    assert show(prov_dest, "main:pyproject.toml") == source.replace('"fw>=0.1"', '"fw==0.2.0"')


def test_tags_are_mapped_to_the_published_commit_of_the_tagged_source_commit(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    repo.git("tag", "-a", "-m", "release", "v1.4.2")  # on "fw: api"
    repo.commit("core: after", {"app/after.py": ""})
    repo.git("tag", "v1.4.3")  # on a commit that did not change fw: the tag goes to fw's latest commit
    repo.git("tag", "other-tag")
    assert publish(repo.path, "sync") == 0
    fw = tmp_path / "dest/fw.git"
    refs = heads(fw)
    assert sorted(refs) == ["refs/heads/main", "refs/tags/v0.4.2", "refs/tags/v0.4.3"]
    assert refs["refs/tags/v0.4.2"] == refs["refs/tags/v0.4.3"] == refs["refs/heads/main"]
    # A published tag never moves: one moved at the destination is left alone, unless forced by name.
    subprocess.run(["git", "tag", "-f", "v0.4.2", "main~1"], cwd=fw, check=True, capture_output=True)
    moved = heads(fw)["refs/tags/v0.4.2"]
    repo.commit("fw: more", {"staging/fw/fw/more.py": ""})
    repo.git("tag", "v1.5.0")
    assert publish(repo.path, "sync") == 0
    after = heads(fw)
    assert after["refs/tags/v0.4.2"] == moved and after["refs/tags/v0.5.0"] == after["refs/heads/main"]
    assert publish(repo.path, "sync", "--force", "fw:v0.4.2") == 0
    assert heads(fw)["refs/tags/v0.4.2"] == refs["refs/heads/main"]


def test_release_branches_start_from_the_published_main_history(tmp_path: Path) -> None:
    repo = make_monorepo(
        tmp_path / "mono",
        tmp_path / "dest",
        fw_extra='install-url = "https://example.com/fw.git"\n'
        '[[package.branch]]\nname = "main"\nsource = "main"\n'
        '[[package.branch]]\nname = "release-0.1"\nsource = "release-1.1"\n',
    )
    repo.git("branch", "release-1.1")
    repo.commit("fw: main only", {"staging/fw/fw/main_only.py": ""})
    repo.git("checkout", "-q", "release-1.1")
    repo.commit("fw: backport", {"staging/fw/fw/backport.py": ""})
    repo.git("checkout", "-q", "main")
    assert publish(repo.path, "sync", "--package", "fw") == 0
    fw = tmp_path / "dest/fw.git"
    assert log(fw, "%s", "release-0.1") == ["fw: backport", "fw: api", "initial: core and framework"]
    base = subprocess.run(
        ["git", "merge-base", "main", "release-0.1"], cwd=fw, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert log(fw, "%s", "-1", base) == ["fw: api"]


def test_verify_rules_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "verify-rules") == 0
    assert "publish: rules ok (2 packages)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"staging/extra/pyproject.toml": pyproject("extra")},
            "publish-rules.toml: staging package 'extra' (staging/extra/) has no [[package]] rule",
        ),
        (
            {"staging/prov/pyproject.toml": pyproject("prov")},
            "publish-rules.toml: package 'prov': dependencies differ from staging/prov/pyproject.toml: "
            "the rule lists fw which staging/prov/pyproject.toml does not declare",
        ),
        (
            {"staging/fw/pyproject.toml": pyproject("fw", deps=("prov",))},
            "publish-rules.toml: package 'fw': dependencies differ from staging/fw/pyproject.toml: "
            "pyproject.toml declares prov but the rule does not",
        ),
    ],
)
def test_verify_rules_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, str], message: str
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    repo.write(change)
    assert publish(repo.path, "verify-rules") == 1
    assert message in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("staging/gone", "package 'fw': directory 'staging/gone' does not exist"),
        ("../outside", "package 'fw': directory '../outside' is outside the repository"),
        ("app", "package 'fw': app/ is not a staging package"),
    ],
)
def test_verify_rules_directories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, message: str
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    (tmp_path / "outside").mkdir()
    rules = (
        (repo.path / "publish-rules.toml")
        .read_text()
        .replace('source = "staging/fw"', f'source = "{source}"')
    )
    repo.write({"publish-rules.toml": rules})
    assert publish(repo.path, "verify-rules") == 1
    out = capsys.readouterr().out
    assert any(message in line for line in out.splitlines()), out


def test_extras_and_markers_survive_the_rewrite(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    text = pyproject("prov", deps=("fw>=0.1",)) + (
        '\n[project.optional-dependencies]\nfull = ["fw[speed]>=0.1; python_version >= \'3.8\'", "other"]\n'
    )
    repo.commit("prov: extras", {"staging/prov/pyproject.toml": text})
    assert publish(repo.path, "sync") == 0
    fw_head = heads(tmp_path / "dest/fw.git")["refs/heads/main"]
    published = show(tmp_path / "dest/prov.git", "main:pyproject.toml")
    url = f"git+https://example.com/fw.git@{fw_head}"
    assert f'"fw @ {url}"' in published
    optional = toml.parse(published)["project"]["optional-dependencies"]["full"]
    assert optional == [f'fw[speed] @ {url} ; python_version >= "3.8"', "other"]


def test_the_published_pyproject_differs_from_the_source_only_in_the_requirement_arrays(
    tmp_path: Path,
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest", pin="version")
    text = pyproject("prov", deps=("fw>=0.1",)) + (
        '# "fw>=0.1" in a comment\n[dependency-groups]\ndev = ["fw>=0.1"]\n[tool.notes]\nwhy = "fw>=0.1"\n'
    )
    repo.commit("prov: groups", {"staging/prov/pyproject.toml": text})
    assert publish(repo.path, "sync") == 0
    published = show(tmp_path / "dest/prov.git", "main:pyproject.toml")
    assert published == text.replace('dependencies = ["fw>=0.1"]', 'dependencies = ["fw==0.1.0"]')
