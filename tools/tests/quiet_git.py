"""Git configuration shared by the tests' sealed environments (conftest.git_env, stage's environment)."""

from __future__ import annotations

from pathlib import Path


def quiet_git_config(home: Path) -> str:
    """Git configuration that spares the tests processes and files they never look at: no `git maintenance
    run --auto` after each commit, fetch and merge, no `gc --auto` after a push (about 1,000 processes
    in all), and a template of empty hooks/ and info/ folders instead of a dozen sample hooks copied into
    every repository `git init` makes (about 400)."""
    template = home / "git-template"
    for folder in ("hooks", "info"):
        (template / folder).mkdir(parents=True, exist_ok=True)
    return (
        f"[init]\n\ttemplateDir = {template}\n[maintenance]\n\tauto = false\n[gc]\n\tauto = 0\n"
        "[receive]\n\tautogc = false\n"
    )
