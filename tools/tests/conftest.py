"""Shared by the tools' tests: helper modules on sys.path, and git sealed from the user's configuration."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
for folder in (HERE, HERE / "depgraph", HERE / "publish", HERE / "stage"):  # HERE: cli_inprocess, quiet_git
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` (make test-all: the stage demo takes half a minute) or `heavy` first (a stable
    sort: the rest keep their order): xdist hands tests out in this order (after its groups, largest
    first), and a test of several seconds left for the end keeps one worker busy while the other idles."""
    items.sort(key=lambda item: not (item.get_closest_marker("slow") or item.get_closest_marker("heavy")))


@pytest.fixture
def git_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """Pin git's identity and dates, and keep the user's and system's git configuration out."""
    from quiet_git import quiet_git_config  # noqa: PLC0415 - importable once HERE is on sys.path

    home = tmp_path_factory.mktemp("home")
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "A U Thor",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
        "GIT_COMMITTER_NAME": "C O Mitter",
        "GIT_COMMITTER_EMAIL": "committer@example.com",
        "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
        "GIT_TERMINAL_PROMPT": "0",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    (home / ".gitconfig").write_text(
        '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n' + quiet_git_config(home)
    )
    yield env
