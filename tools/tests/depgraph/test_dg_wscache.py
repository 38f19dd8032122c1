"""The workspace cache (`depgraph.graph.wscache`): reused while nothing discovery looked at changed, and
always the workspace a fresh discovery finds. Real files, folders and links."""

from __future__ import annotations

import shutil
from pathlib import Path

from dg_fixtures import make_repo, monorepo_files, pyproject

from depgraph.discover.config import find_config
from depgraph.discover.workspace import Workspace, load_workspace
from depgraph.graph import wscache


def _facts(ws: Workspace) -> tuple[object, ...]:
    return (ws.root, ws.distributions, ws.modules, dict(ws.namespaces), dict(ws.by_name))


def _fresh(root: Path) -> Workspace:
    config = find_config(root)
    return load_workspace(config.root, config)


def _after(root: Path) -> tuple[Workspace | None, Workspace]:
    """(what the cache gives now, what the next run uses) after a change; the latter equals discovery's."""
    config = find_config(root)
    hit = wscache.cached(config)
    used = wscache.load(config)
    assert _facts(used) == _facts(_fresh(root))
    return hit, used


def test_reused_while_nothing_changed(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files())
    config = find_config(root)
    assert wscache.cached(config) is None
    first = wscache.load(config)
    assert _facts(first) == _facts(_fresh(root))
    again = wscache.cached(config)
    assert again is not None and _facts(again) == _facts(first)
    (root / "app/main.py").write_text("import os\n", encoding="utf-8")  # content: not discovery's concern
    assert wscache.cached(config) is not None


def test_a_new_or_removed_module_is_seen(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files())
    wscache.load(find_config(root))
    (root / "staging/fw/fw/extra.py").write_text("", encoding="utf-8")
    hit, used = _after(root)
    assert hit is None and "fw.extra" in used.by_name
    (root / "staging/fw/fw/deep/inner").mkdir(parents=True)
    (root / "staging/fw/fw/deep/inner/mod.py").write_text("", encoding="utf-8")  # a new folder, deeper
    hit, used = _after(root)
    assert hit is None and "fw.deep.inner.mod" in used.by_name
    (root / "staging/fw/fw/extra.py").unlink()
    hit, used = _after(root)
    assert hit is None and "fw.extra" not in used.by_name


def test_a_new_distribution_and_an_edited_manifest_are_seen(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files())
    wscache.load(find_config(root))
    make_repo(
        root / "staging/prov_c", {"pyproject.toml": pyproject("prov-c", ["fw"]), "prov_c/__init__.py": ""}
    )
    hit, used = _after(root)
    assert hit is None and used.distribution("prov-c") is not None
    (root / "staging/prov_c/pyproject.toml").write_text(
        pyproject("prov-c", ["fw", "requests"]), encoding="utf-8"
    )
    hit, used = _after(root)
    dist = used.distribution("prov-c")
    assert hit is None and dist is not None and dist.requires == ("fw", "requests")


def test_a_new_source_folder_and_a_moved_link_are_seen(tmp_path: Path) -> None:
    """Creating `src/` changes the layout of a distribution whose files were beside its pyproject.toml;
    a folder link pointed elsewhere changes the modules under it."""
    root = make_repo(tmp_path / "repo", monorepo_files())
    make_repo(tmp_path / "one", {"a.py": ""})
    make_repo(tmp_path / "two", {"b.py": ""})
    (root / "staging/fw/fw/linked").symlink_to(tmp_path / "one")
    wscache.load(find_config(root))
    shutil.move(root / "staging/prov_a/prov_a", root / "staging/prov_a/src/prov_a")
    hit, used = _after(root)
    assert hit is None and used.by_name["prov_a"].path == "staging/prov_a/src/prov_a/__init__.py"
    assert "fw.linked.a" in used.by_name
    (root / "staging/fw/fw/linked").unlink()
    (root / "staging/fw/fw/linked").symlink_to(tmp_path / "two")
    hit, used = _after(root)
    assert hit is None and "fw.linked.b" in used.by_name and "fw.linked.a" not in used.by_name


def test_a_configuration_change_discovers_again(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files())
    wscache.load(find_config(root))
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    (root / "pyproject.toml").write_text(text + 'exclude = ["staging/prov_b"]\n', encoding="utf-8")
    hit, used = _after(root)
    assert hit is None and used.distribution("prov-b") is None
