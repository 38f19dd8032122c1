"""The quick check: packages with nothing new are found from one look at the source and the destinations'
ref files, and only when the normal path would find the same; any doubt takes the normal path."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pub_fixtures import Repo, heads, make_monorepo

from publish import history, quick
from publish.rules import load_rules
from publish.runner import selected, sync_all
from publish.sync import Options

pytestmark = pytest.mark.usefixtures("git_env")


def run(root: Path) -> dict[str, str]:
    results = sync_all(load_rules(root), (), Options(smoke=False), jobs=2, log=lambda m: None)
    assert all(r.ok for r in results), [r.error for r in results]
    return {r.name: ("pushed" if r.pushed else "up to date") for r in results}


def quick_set(root: Path) -> set[str]:
    rules = load_rules(root)
    shared = rules.work_dir / history.NAME
    return set(quick.unchanged(rules, selected(rules, ()), shared, quick.read_source(rules)))


def test_nothing_new_and_unrelated_commits_take_the_quick_path(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert quick_set(repo.path) == set()  # no state yet
    assert run(repo.path) == {"fw": "pushed", "prov": "pushed"}
    assert quick_set(repo.path) == {"fw", "prov"}
    before = {p: heads(tmp_path / f"dest/{p}.git") for p in ("fw", "prov")}
    assert run(repo.path) == {"fw": "up to date", "prov": "up to date"}
    repo.commit("core: only", {"app/more.py": "z = 3\n"})  # a linear commit outside both folders
    assert quick_set(repo.path) == {"fw", "prov"}
    assert run(repo.path) == {"fw": "up to date", "prov": "up to date"}
    assert {p: heads(tmp_path / f"dest/{p}.git") for p in ("fw", "prov")} == before


def test_a_change_in_a_folder_takes_the_normal_path_with_what_it_is_linked_to(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    run(repo.path)
    repo.commit("fw: more", {"staging/fw/fw/more.py": "M = 2\n"})
    assert quick_set(repo.path) == set()  # prov depends on fw: both take the normal path
    assert run(repo.path) == {"fw": "pushed", "prov": "up to date"}
    # The same history published by a run without any recorded state: the same heads.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
    Repo(clone).write(
        {
            "publish-rules.toml": (repo.path / "publish-rules.toml")
            .read_text()
            .replace(str(tmp_path / "dest"), str(tmp_path / "dest2"))
        }
    )
    run(clone)
    for p in ("fw", "prov"):
        assert heads(tmp_path / f"dest/{p}.git") == heads(tmp_path / f"dest2/{p}.git")


def test_doubts_take_the_normal_path(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    run(repo.path)
    assert quick_set(repo.path) == {"fw", "prov"}
    # A merge among the new commits, even one that touches no folder.
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("core: side", {"app/side.py": "s = 1\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("core: main", {"app/main2.py": "m = 1\n"})
    repo.merge("side", "Merge side")
    assert quick_set(repo.path) == set()
    run(repo.path)
    assert quick_set(repo.path) == {"fw", "prov"}
    # The destination moved since the last run: fw (and prov, linked to it) go the normal way; fw is refused.
    fw_dest = tmp_path / "dest/fw.git"
    work = tmp_path / "wc"
    subprocess.run(["git", "clone", "-q", str(fw_dest), str(work)], check=True)
    Repo(work).commit("someone else", {"x.txt": "x\n"})
    subprocess.run(["git", "push", "-q", "origin", "HEAD:main"], cwd=work, check=True)
    assert quick_set(repo.path) == set()
    results = sync_all(load_rules(repo.path), (), Options(smoke=False), jobs=2, log=lambda m: None)
    assert not results[0].ok
    # Changed rules: no quick path until a run with the new rules has ended well.
    rules_file = repo.path / "publish-rules.toml"
    rules_file.write_text(rules_file.read_text() + "\n# a comment\n")
    assert quick_set(repo.path) == set()


def test_local_ref_reads_loose_and_packed_refs(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "r")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    first = repo.commit("one", {"a": "1\n"})
    assert quick.local_ref(repo.path, "refs/heads/main") == first
    repo.git("pack-refs", "--all")
    assert not (repo.path / ".git/refs/heads/main").exists()
    assert quick.local_ref(repo.path, "refs/heads/main") == first
    assert quick.local_ref(repo.path, "refs/heads/none") is None
