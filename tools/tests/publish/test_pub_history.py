"""The shared history repository: one Bloom commit-graph for every package's walk, extended by layers,
changing how fast git walks and never what it finds (walks and published SHAs as before)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from pub_fixtures import Repo, heads, make_monorepo, pyproject

from publish import history, split, walk
from publish.deps import Sibling
from publish.rules import load_rules
from publish.runner import sync_all
from publish.sync import Options, PackageSync

pytestmark = pytest.mark.usefixtures("git_env")

FOLDERS = ("pkg/a", "pkg/b", "pkg/c", "lib/d")


def merge_into(repo: Repo, other: str, current: str, i: int) -> None:
    try:
        repo.merge(other, f"merge {other} into {current} ({i})")
    except AssertionError:  # a conflict: record the merge with our tree (-s ours), both parents kept
        repo.git("merge", "--abort")
        repo.git(
            "merge",
            "-q",
            "-s",
            "ours",
            "--no-edit",
            "-m",
            f"merge {other} (ours) ({i})",
            other,
            env=repo._dates(),
        )


def generated_history(path: Path, seed: int, steps: int) -> Repo:
    """A history with merges that touch and do not touch each folder, folders deleted and recreated,
    an evil merge, a merge that keeps one side's version, and an unrelated history merged in."""
    rng = random.Random(seed)
    path.mkdir(parents=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    repo.commit("root", {"README": "r\n", "pkg/a/x": "0\n"}, sha=False)
    branches = ["main"]
    current = "main"  # the branch checked out, followed here instead of asking git at every step
    for i in range(steps):
        action = rng.random()
        if action < 0.15 and len(branches) < 4:
            name = f"b{i}"
            repo.git("checkout", "-q", "-b", name)
            branches.append(name)
            current = name
        elif action < 0.3 and len(branches) > 1:
            other = rng.choice([b for b in branches if b != current])
            merge_into(repo, other, current, i)
            if rng.random() < 0.3 and other != "main":
                branches.remove(other)
        elif action < 0.4:
            current = rng.choice(branches)
            repo.git("checkout", "-q", current)
        elif action < 0.45:
            folder = rng.choice(FOLDERS)
            if (path / folder).exists():
                repo.git("rm", "-q", "-r", folder)
                repo.commit(f"delete {folder} ({i})", sha=False)
        else:
            folder = rng.choice((*FOLDERS, "core"))
            repo.commit(f"change {folder} ({i})", {f"{folder}/f{rng.randrange(3)}": f"{i}\n"}, sha=False)
    repo.git("checkout", "-q", "main")
    for other in sorted(set(branches) - {"main"}):  # every branch ends in main
        merge_into(repo, other, "main", steps)
    # An evil merge: the merge itself changes pkg/b.
    repo.git("checkout", "-q", "-b", "evil")
    repo.commit("evil side: core", {"core/evil": "1\n"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "evil")
    repo.write({"pkg/b/evil": "merged\n"})
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "evil merge", env=repo._dates())
    # A merge that takes one side's version of pkg/a (-s ours) though the other side changed it.
    repo.git("checkout", "-q", "-b", "theirs")
    repo.commit("theirs: pkg/a", {"pkg/a/t": "theirs\n"})
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "-s", "ours", "--no-edit", "-m", "merge theirs with ours", "theirs", env=repo._dates()
    )
    # An unrelated history (its own root, no pkg/ folder) merged in.
    repo.git("checkout", "-q", "--orphan", "other")
    repo.git("rm", "-q", "-r", "-f", ".")
    repo.commit("other root", {"other/file": "o\n"})
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge",
        "-q",
        "--allow-unrelated-histories",
        "--no-edit",
        "-m",
        "merge other",
        "other",
        env=repo._dates(),
    )
    repo.commit("pkg/a recreated after all", {"pkg/a/late": "1\n"})
    return repo


def reference_walk(source: Path, tip: str, folder: str) -> list[tuple[str, list[str]]]:
    """What each folder's walk is without any shared history: git itself, in the source, no graph."""
    args = ["rev-list", "--parents", "--full-history", "--simplify-merges", "--topo-order", "--reverse"]
    out = subprocess.run(
        ["git", *args, tip, "--", folder],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(line.split()[0], list(dict.fromkeys(line.split()[1:]))) for line in out.splitlines()]


@pytest.mark.parametrize("seed", [1, 2])
def test_walks_in_the_shared_history_equal_the_per_folder_walks(tmp_path: Path, seed: int) -> None:
    repo = generated_history(tmp_path / "mono", seed, 60)
    assert int(repo.git("rev-list", "--count", "--merges", "main")) >= 5
    work = tmp_path / "work"
    tip = repo.git("rev-parse", "main")
    shared = history.prepare(work, repo.path, [tip])
    chain = shared / "objects/info/commit-graphs/commit-graph-chain"
    assert len(chain.read_text().split()) == 1
    for folder in FOLDERS:
        assert split.walk(shared, tip, folder, []) == reference_walk(repo.path, tip, folder), folder
    for folder in FOLDERS:
        assert split.walk(shared, tip, folder, []) == reference_walk(repo.path, tip, folder), folder
    # New commits: a layer is added for them alone; covered tips write nothing.
    for i in range(3):
        repo.commit(f"later {i}", {f"pkg/{'ab'[i % 2]}/later": f"{i}\n"})
    new_tip = repo.git("rev-parse", "main")
    assert history.ensure_graph(shared, [new_tip]) is True
    assert history.ensure_graph(shared, [new_tip]) is False
    layers = chain.read_text().split()
    assert len(layers) in (1, 2)  # git may fold a small layer into the one below
    newest = shared / "objects/info/commit-graphs" / f"graph-{layers[-1]}.graph"
    assert b"BDAT" in newest.read_bytes()  # the new commits have changed-path Bloom filters
    for folder in FOLDERS:
        assert split.walk(shared, new_tip, folder, [tip]) == split.walk(repo.path, new_tip, folder, [tip])
        assert split.walk(shared, new_tip, folder, []) == reference_walk(repo.path, new_tip, folder)


def test_published_shas_equal_those_of_the_per_package_walks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walk, "SHARED_FROM", 1)  # the fixture's two packages walk their history together
    real = walk.walk_many
    calls: list[list[str]] = []
    monkeypatch.setattr(
        walk, "walk_many", lambda r, t, f, trees=None: calls.append(f) or real(r, t, f, trees)
    )
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest-shared")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("fw: side", {"staging/fw/fw/side.py": "S = 1\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("fw: main", {"staging/fw/fw/main.py": "M = 1\n"})
    repo.merge("side", "Merge side")
    repo.commit("prov: later", {"staging/prov/prov/later.py": "L = 1\n"})
    results = {}
    for name in ("shared", "per-package"):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(repo.path), str(clone)], check=True)
        Repo(clone).write(
            {
                "publish-rules.toml": (repo.path / "publish-rules.toml")
                .read_text()
                .replace(str(tmp_path / "dest-shared"), str(tmp_path / f"dest-{name}"))
            }
        )
        rules = load_rules(clone)
        if name == "shared":
            done = sync_all(rules, (), Options(smoke=False), jobs=2, log=lambda m: None)
        else:  # the previous code: each package walks in its own work repository, dependencies first
            siblings: dict[str, Sibling] = {}
            done = []
            for rule in rules.packages:
                result = PackageSync(rules, rule, Options(smoke=False), dict(siblings), lambda m: None).run(
                    True
                )
                assert result.sibling is not None
                siblings[rule.name] = result.sibling
                done.append(result)
        assert [r.name for r in done] == ["fw", "prov"]
        assert all(r.ok for r in done), [r.error for r in done]
        assert (clone / "_work" / history.NAME).exists() == (name == "shared")
        results[name] = {p: heads(tmp_path / f"dest-{name}/{p}.git") for p in ("fw", "prov")}
    assert calls == [["staging/fw", "staging/prov"]]  # one walk for both, in the shared run only
    assert results["shared"] == results["per-package"]
    assert results["shared"]["fw"]["refs/heads/main"]


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_one_walk_for_many_folders_equals_each_folders_own_walk(tmp_path: Path, seed: int) -> None:
    repo = generated_history(tmp_path / "mono", seed, 70)
    tip = repo.git("rev-parse", "main")
    sets = [
        [*FOLDERS, "pkg", "core", "other", "missing/never"],  # parents at several depths, the root among them
        ["pkg/a", "pkg/b", "pkg/c"],  # one parent: looked up alone
        [
            "pkg/a/f0",
            "pkg/b/f1",
            "pkg/b/evil",
        ],  # parents that are children of a common one (read, not looked up)
        ["pkg/a/f0", "lib/d/f1", "pkg/c", "x/y/z"],  # parents deeper below the common one (looked up)
    ]
    for folders in sets:
        walked = walk.walk_many(repo.path, tip, folders)
        for folder in folders:
            expected = reference_walk(repo.path, tip, folder)
            assert walked[folder] == expected, folder


def test_one_walk_reads_what_a_lookup_cannot_tell(tmp_path: Path) -> None:
    """A folder that is, in turn, absent, a file, the same file made executable, a symlink, a submodule
    (which `cat-file --batch-check` answers like an absent name), absent again and a directory: each change
    is one of git's, so the shared walk must see it too; and the trees it gives the reader are its own."""
    repo = Repo(tmp_path / "mono")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.commit("root", {"README": "r\n", "pkg/y/f": "0\n"})
    repo.commit("x is a file", {"pkg/x": "same\n"})
    repo.git("update-index", "--chmod=+x", "pkg/x")
    repo.git("commit", "-q", "-m", "x is executable", env=repo._dates())
    (repo.path / "pkg/x").unlink()
    (repo.path / "pkg/x").symlink_to("same\n")
    repo.commit("x is a symlink")
    repo.git("rm", "-q", "pkg/x")
    (repo.path / "pkg/x").mkdir()  # an unpopulated submodule
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},pkg/x")
    repo.git("commit", "-q", "-m", "x is a submodule", env=repo._dates())
    repo.commit("y changes beside the submodule", {"pkg/y/f": "1\n"})
    repo.git("rm", "-q", "--cached", "pkg/x")
    repo.git("commit", "-q", "-m", "x is gone", env=repo._dates())
    repo.commit("x is a directory", {"pkg/x/f": "d\n"})
    repo.commit("x changes", {"pkg/x/f": "e\n"})
    tip = repo.git("rev-parse", "main")
    # Alone, x is looked up in each tree of pkg; with two more, pkg's trees are read and parsed instead.
    for folders in (["pkg/x"], ["pkg/x", "pkg/y", "pkg"]):
        trees: dict[str, dict[str, str | None]] = {}
        walked = walk.walk_many(repo.path, tip, folders, trees)
        for folder in folders:
            assert walked[folder] == reference_walk(repo.path, tip, folder), folder
            for sha, _ in walked[folder]:
                found = trees[folder][sha]
                kind = repo.git("cat-file", "-t", f"{sha}:{folder}") if folder != "pkg/x" or found else ""
                expected = repo.git("rev-parse", f"{sha}:{folder}") if kind == "tree" else None
                assert found == expected, (folder, sha)
        assert len(walked["pkg/x"]) == 7  # every change of kind and mode is a commit of x's history


def test_with_jobs_the_longest_histories_start_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk is done before the first package starts, so that the packages with the most commits start
    first and the last ones to finish are short (with names in order, `aa` would start before `zz`)."""
    monkeypatch.setattr(walk, "SHARED_FROM", 1)
    extra = "".join(
        f'\n[[package]]\nname = "{n}"\nsource = "staging/{n}"\ndestination = "{tmp_path}/dest/{n}.git"\n'
        for n in ("aa", "zz")
    )
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest", extra=extra)
    repo.commit("aa", {"staging/aa/pyproject.toml": pyproject("aa")})
    for i in range(4):
        repo.commit(f"zz {i}", {"staging/zz/pyproject.toml": pyproject("zz", version=f"0.{i}")})
    started: list[str] = []
    real = PackageSync.run

    def run(self: PackageSync, want_sibling: bool) -> object:
        started.append(self.rule.name)
        return real(self, want_sibling)

    monkeypatch.setattr(PackageSync, "run", run)
    done = sync_all(load_rules(repo.path), (), Options(smoke=False), jobs=2, log=lambda m: None)
    assert all(r.ok for r in done), [r.error for r in done]
    assert set(started[:2]) == {"zz", "fw"}  # 4 and 2 commits; aa (1) and prov (waits for fw) after
    assert sorted(started) == ["aa", "fw", "prov", "zz"]
