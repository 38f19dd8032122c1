"""A rule's `earlier` homes: a package moved into its folder publishes its history from before the move."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pub_fixtures import Repo, heads, log, make_monorepo, publish, pyproject

pytestmark = pytest.mark.usefixtures("git_env")

OLD = "app/providers/mv"
EARLIER = f'earlier = [{{ source = "{OLD}", as = "mover" }}]'


def mover_rule(dest: Path, extra: str) -> str:
    return (
        f'\n[[package]]\nname = "mover"\nsource = "staging/mover"\n'
        f'destination = "{dest}/mover.git"\n{extra}\n'
    )


def moved_repo(path: Path, dest: Path, extra: str) -> tuple[Repo, dict[str, str]]:
    """fw and prov, then a package born at OLD, moved with git mv to staging/mover/mover, then edited."""
    repo = make_monorepo(path, dest)
    shas = {
        "old1": repo.commit("mv: born in the core", {f"{OLD}/__init__.py": "A = 1\n"}),
        "core": repo.commit("core only", {"app/other.py": "y = 2\n"}),
        "old2": repo.commit("mv: grows", {f"{OLD}/b.py": "B = 2\n", "staging/fw/fw/x.py": "X = 1\n"}),
    }
    (path / "staging/mover").mkdir(parents=True)
    repo.git("mv", OLD, "staging/mover/mover")
    rules = (path / "publish-rules.toml").read_text(encoding="utf-8") + mover_rule(dest, extra)
    shas["move"] = repo.commit(
        "mv: moved to staging",
        {
            f"{OLD}/__init__.py": "from mover import *  # the shim\n",
            "staging/mover/pyproject.toml": pyproject("mover"),
            "publish-rules.toml": rules,
        },
    )
    shas["shim"] = repo.commit("shim only", {f"{OLD}/__init__.py": "from mover import A\n"})
    shas["edit"] = repo.commit("mover: edited", {"staging/mover/mover/b.py": "B = 3\n"})
    return repo, shas


def rev(repo: Path, name: str) -> str:
    done = subprocess.run(["git", "rev-parse", name], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_history_before_the_move_is_published_in_order_with_its_trees(tmp_path: Path) -> None:
    repo, shas = moved_repo(tmp_path / "mono", tmp_path / "dest", EARLIER)
    assert publish(repo.path, "sync") == 0
    bare = tmp_path / "dest/mover.git"
    published = log(bare, "%H %(trailers:key=Monorepo-commit,valueonly,separator=)", "--topo-order", "main")
    pairs = [line.split() for line in published]
    assert [src for _, src in pairs] == [shas[k] for k in ("edit", "move", "old2", "old1")]
    for pub, src in pairs[2:]:  # before the move: the old folder's tree, at `as`
        listing = subprocess.run(
            ["git", "ls-tree", pub], cwd=bare, capture_output=True, text=True, check=True
        ).stdout
        assert [line.split("\t")[1] for line in listing.splitlines()] == ["mover"]
        assert rev(bare, f"{pub}:mover") == rev(repo.path, f"{src}:{OLD}")
    for pub, src in pairs[:2]:  # from the move on: the package's folder, as the source has it
        assert rev(bare, f"{pub}^{{tree}}") == rev(repo.path, f"{src}:staging/mover")
    # One line of history: the move's published parent is the last commit before it.
    assert log(bare, "%P", "-1", pairs[1][0]) == [pairs[2][0]]
    assert log(bare, "%P", "-1", pairs[3][0]) == [""]
    # A rerun publishes nothing; a rerun from an empty work directory neither.
    before = heads(bare)
    assert publish(repo.path, "sync") == 0
    subprocess.run(["rm", "-rf", str(repo.path / "_work")], check=True)
    assert publish(repo.path, "sync") == 0
    assert heads(bare) == before
    # An incremental run after the move continues the same history.
    repo.commit("mover: more", {"staging/mover/mover/c.py": "C = 1\n"})
    assert publish(repo.path, "sync") == 0
    assert log(bare, "%s", "main") == [
        "mover: more",
        "mover: edited",
        "mv: moved to staging",
        "mv: grows",
        "mv: born in the core",
    ]


def test_the_dry_run_lists_the_commits_before_the_move(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = moved_repo(tmp_path / "mono", tmp_path / "dest", EARLIER)
    assert publish(repo.path, "sync", "--dry-run", "--no-smoke", "-p", "mover") == 0
    out = capsys.readouterr().out
    assert "mover: would push refs/heads/main (new)" in out and "4 commit(s)" in out
    assert [line.split(None, 1)[1] for line in out.splitlines() if line.startswith("    ")] == [
        "mover: edited",
        "mv: moved to staging",
        "mv: grows",
        "mv: born in the core",
    ]


def test_a_rule_without_the_key_publishes_what_it_did_before(tmp_path: Path) -> None:
    repo, _ = moved_repo(tmp_path / "mono", tmp_path / "da", EARLIER)
    assert publish(repo.path, "sync") == 0
    # The same source, the rules without the key, to other destinations (nothing pins by destination here).
    rules = repo.path / "publish-rules.toml"
    text = (
        rules.read_text(encoding="utf-8")
        .replace(EARLIER, "")
        .replace(str(tmp_path / "da"), str(tmp_path / "db"))
    )
    rules.write_text(text, encoding="utf-8")
    assert publish(repo.path, "sync", "--no-smoke") == 0
    assert log(tmp_path / "db/mover.git", "%s", "main") == ["mover: edited", "mv: moved to staging"]
    assert log(tmp_path / "db/mover.git", "%P", "main~1") == [""]
    for name in ("fw", "prov"):  # the other rules' SHAs do not depend on another rule's key
        assert heads(tmp_path / f"da/{name}.git") == heads(tmp_path / f"db/{name}.git")


def test_an_earlier_home_without_as_is_the_published_root(tmp_path: Path) -> None:
    repo, shas = moved_repo(tmp_path / "mono", tmp_path / "dest", f'earlier = [{{ source = "{OLD}" }}]')
    assert publish(repo.path, "sync") == 0
    bare = tmp_path / "dest/mover.git"
    assert rev(bare, "main~2^{tree}") == rev(repo.path, f"{shas['old2']}:{OLD}")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"app"', "key 'earlier' must be a list"),
        ('[{ source = "/abs" }]', "earlier #1: source must be a relative folder inside the repository"),
        ('[{ source = "a/../.." }]', "earlier #1: source must be a relative folder"),
        ('[{ source = "a", as = "../x" }]', "earlier #1: as must be a relative folder"),
        ('[{ source = "a", into = "x" }]', "earlier #1: unknown key 'into'"),
        ('[{ as = "x" }]', "earlier #1: missing key 'source'"),
        ('[{ source = "staging/mover" }]', "earlier #1: source 'staging/mover' is already"),
        ('["a"]', "earlier #1: must be a table"),
    ],
)
def test_a_bad_earlier_key_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    repo, _ = moved_repo(tmp_path / "mono", tmp_path / "dest", f"earlier = {value}")
    for command in (("verify-rules",), ("sync", "--dry-run")):
        assert publish(repo.path, *command) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err and "package 'mover'" in err, err
    assert not (tmp_path / "dest").exists()


def test_two_earlier_homes_chain_and_as_may_be_nested(tmp_path: Path) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    first = repo.commit("born at a", {"a/m/__init__.py": "A = 1\n"})
    repo.git("mv", "a/m", "b")
    second = repo.commit("moved to b", {"b/x.py": "X = 1\n"})
    (repo.path / "staging/mover/src").mkdir(parents=True)
    repo.git("mv", "b", "staging/mover/src/mover")
    homes = '[{ source = "b", as = "src/mover" }, { source = "a/m/", as = "src/mover/" }]'
    rules = (repo.path / "publish-rules.toml").read_text(encoding="utf-8")
    rules += mover_rule(tmp_path / "dest", f"earlier = {homes}")
    third = repo.commit(
        "moved to staging",
        {"staging/mover/pyproject.toml": pyproject("mover"), "publish-rules.toml": rules},
    )
    assert publish(repo.path, "sync") == 0
    bare = tmp_path / "dest/mover.git"
    assert log(bare, "%s", "main") == ["moved to staging", "moved to b", "born at a"]
    assert rev(bare, "main:src/mover") == rev(repo.path, f"{third}:staging/mover/src/mover")
    assert rev(bare, "main~1:src/mover") == rev(repo.path, f"{second}:b")
    assert rev(bare, "main~2:src/mover") == rev(repo.path, f"{first}:a/m")
    assert log(bare, "%P", "main~2") == [""]


def test_status_counts_the_commits_from_before_the_move_as_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = moved_repo(tmp_path / "mono", tmp_path / "dest", EARLIER)
    capsys.readouterr()
    assert publish(repo.path, "status", "--json", "-p", "mover") == 0
    (row,) = [r for r in json.loads(capsys.readouterr().out)["branches"] if r["package"] == "mover"]
    assert (row["state"], row["waiting"]) == ("not published", 4)
    assert publish(repo.path, "sync") == 0
    capsys.readouterr()
    assert publish(repo.path, "status", "--json", "-p", "mover") == 0
    (row,) = [r for r in json.loads(capsys.readouterr().out)["branches"] if r["package"] == "mover"]
    assert (row["state"], row["waiting"]) == ("up to date", 0)
