"""The published history: one commit per source commit that changed the directory, same metadata, trailers,
merges kept where the directory really branched, deterministic SHAs, incremental runs."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pub_fixtures import Repo, check_published, grow, heads, log, make_monorepo, publish

from publish.rules import load_rules
from publish.runner import sync_all
from publish.sync import Options

pytestmark = pytest.mark.usefixtures("git_env")


def test_each_commit_that_changed_the_directory_is_published_with_its_metadata(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    fw = check_published(repo.path, tmp_path / "dest/fw.git", "main", "staging/fw")
    assert log(tmp_path / "dest/fw.git", "%s", "main") == ["fw: api", "initial: core and framework"]
    assert len(fw) == 2
    # The existing trailer block gains the trailer; the published tree is the directory itself.
    body = [x for x in log(tmp_path / "dest/fw.git", "%B", "-1", "main") if x]
    assert body[-2:] == [
        "Signed-off-by: A U Thor <author@example.com>",
        f"Monorepo-commit: {next(iter(fw.values()))}",
    ]
    prov = check_published(repo.path, tmp_path / "dest/prov.git", "main", "staging/prov", rewritten=True)
    assert len(prov) == 1


def test_merges_kept_where_the_directory_branched_and_dropped_where_nothing_changed(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    # A side branch that changes fw, while main changes fw too: a real merge of fw's history.
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("fw: side change", {"staging/fw/fw/side.py": "S = 1\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("fw: main change", {"staging/fw/fw/main.py": "M = 1\n"})
    repo.merge("side", "Merge side")
    # A side branch that touches only the core: its merge changes nothing of fw.
    repo.git("checkout", "-q", "-b", "core-only")
    repo.commit("core: change", {"app/other.py": "y = 2\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("fw: after", {"staging/fw/fw/after.py": "A = 1\n"})
    repo.merge("core-only", "Merge core-only")
    assert publish(repo.path, "sync", "--package", "fw") == 0
    dest = tmp_path / "dest/fw.git"
    check_published(repo.path, dest, "main", "staging/fw")
    subjects = log(dest, "%s", "--topo-order", "main")
    assert "Merge side" in subjects and "Merge core-only" not in subjects and "core: change" not in subjects
    merges = log(dest, "%s", "--merges", "main")
    assert merges == ["Merge side"]
    # The merge's parents are the published commits of both sides.
    parents = log(dest, "%P", "-1", ":/Merge side")[0].split()
    assert sorted(log(dest, "%s", "--no-walk", *parents)) == ["fw: main change", "fw: side change"]


def test_two_clones_publish_byte_identical_commits(tmp_path: Path) -> None:
    # Direct references name the sibling's install-url (the fixture's is fixed): the same on both machines.
    repo = make_monorepo(tmp_path / "mono", tmp_path / "unused")
    results = []
    for name in ("a", "b"):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
        Repo(clone).write(
            {
                "publish-rules.toml": (repo.path / "publish-rules.toml")
                .read_text()
                .replace(str(tmp_path / "unused"), str(tmp_path / f"dest-{name}"))
            }
        )
        assert publish(clone, "sync") == 0
        results.append((heads(tmp_path / f"dest-{name}/fw.git"), heads(tmp_path / f"dest-{name}/prov.git")))
    assert results[0] == results[1]
    assert results[0][0]["refs/heads/main"]


def test_incremental_runs_process_only_new_commits_and_match_a_full_run(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    before = heads(tmp_path / "dest/fw.git")
    # Nothing new: nothing changes, not even the work repository's view.
    assert publish(repo.path, "sync") == 0
    assert heads(tmp_path / "dest/fw.git") == before
    repo.commit("fw: one more", {"staging/fw/fw/more.py": "X = 1\n"})
    repo.commit("core: one more", {"app/more.py": "X = 1\n"})
    results = sync_all(load_rules(repo.path), ("fw",), Options(), jobs=1, log=print)
    assert [(r.name, r.processed, r.pushed) for r in results] == [("fw", 1, True)]
    assert log(tmp_path / "dest/fw.git", "%s", f"{before['refs/heads/main']}..main") == ["fw: one more"]
    # The last run's source tip ("core: one more") is remembered: the next walk starts there.
    repo.commit("fw: third", {"staging/fw/fw/third.py": "T = 1\n"})
    results = sync_all(load_rules(repo.path), (), Options(), jobs=2, log=print)
    assert [(r.name, r.processed, r.pushed) for r in results] == [("fw", 1, True), ("prov", 0, False)]
    after = heads(tmp_path / "dest/fw.git")
    # A fresh machine (no work directory) publishing everything from scratch makes the very same commits.
    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(fresh)], check=True)
    Repo(fresh).write(
        {
            "publish-rules.toml": (repo.path / "publish-rules.toml")
            .read_text()
            .replace(str(tmp_path / "dest"), str(tmp_path / "dest2"))
        }
    )
    assert publish(fresh, "sync") == 0
    assert heads(tmp_path / "dest2/fw.git") == after
    assert heads(tmp_path / "dest2/prov.git") == heads(tmp_path / "dest/prov.git")


def test_a_fresh_work_directory_resumes_from_the_destination_alone(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    shutil.rmtree(repo.path / "_work")
    repo.commit("fw: later", {"staging/fw/fw/later.py": "L = 1\n"})
    assert publish(repo.path, "sync") == 0
    check_published(repo.path, tmp_path / "dest/fw.git", "main", "staging/fw")
    assert log(tmp_path / "dest/fw.git", "%s", "main") == [
        "fw: later",
        "fw: api",
        "initial: core and framework",
    ]


def test_each_package_has_a_bar_that_moves_with_the_commits_it_writes(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    grow(repo, 900)  # about 600 commits of fw
    bars: dict[str, list[int]] = {}

    def progress(label: str, total: int) -> Callable[[int], None]:
        moves = bars.setdefault(label, [total])
        return moves.append

    results = sync_all(load_rules(repo.path), (), Options(progress=progress), jobs=1, log=print)
    assert [r.error for r in results] == ["", ""]
    written = {r.name: r.processed for r in results}
    assert sorted(bars) == ["fw main", "prov main"]
    for label, (total, *moves) in bars.items():
        assert total == written[label.split()[0]] == sum(moves)
    assert len(bars["fw main"]) > 3  # it moved along the way, not only at the end
