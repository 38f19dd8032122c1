"""`stage rewrite-imports`: every first-party file imports the moved package by its new path.

The move is read from the record `stage apply` wrote (`stage.record`). Everything that can refuse does so
before a file changes: no recorded move, a half-done apply, a dirty work tree, a file that cannot be read
or parsed. The files are those git tracks: every `.py`/`.pyi` file (all distributions, tests, scripts)
and every pyproject.toml (entry points), the shim at the old path left out; how each is rewritten is
`stage.codemod`'s business. The changed files are staged in git, as apply's are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from depgraph.discover.config import load_config
from depgraph.discover.workspace import Workspace, load_workspace
from stage import codemod
from stage.apply import earlier, git
from stage.errors import StageError
from stage.record import Move, read_moves

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Result:
    move: Move
    changes: tuple[codemod.Change, ...]

    @property
    def count(self) -> int:
        return sum(change.count for change in self.changes)


def recorded_move(root: Path, package: str | None) -> Move:
    """The move `package` names (the only one recorded when None); StageError when there is none or it is
    half done."""
    moves = read_moves(root)
    if package is None:
        moves = [m for m in moves if not m.finished] or moves  # the one under way, else the one done
        if not moves:
            raise StageError(
                f"{root / 'pyproject.toml'}: no move recorded ([[tool.stage.moved]]); run `stage apply` first"
            )
        if len(moves) > 1:
            raise StageError(
                f"{root / 'pyproject.toml'}: [[tool.stage.moved]] records {len(moves)} moves "
                f"({', '.join(m.old for m in moves)}): name the package to act on"
            )
        package = moves[0].old
    move = earlier(root, package)  # StageError when it is half done
    if move is None:
        raise StageError(
            f"{package}: no move of it recorded in {root / 'pyproject.toml'} ([[tool.stage.moved]]); "
            "run `stage apply` first"
        )
    return move


def require_clean(root: Path, after: str) -> None:
    changes = git(root, "status", "--porcelain").splitlines()
    if changes:
        raise StageError(
            f"{root}: the work tree has {len(changes)} uncommitted changes; commit them first "
            f"(the changes of {after} too) or stash them"
        )


def tracked_files(root: Path, skip: set[str]) -> list[str]:
    """The Python files and pyproject.toml files git tracks (no symbolic link: vendor/), sorted."""
    listed = git(root, "ls-files", "-z", "--", "*.py", "*.pyi", "pyproject.toml", "*/pyproject.toml")
    return sorted(
        path
        for path in set(listed.split("\0"))
        if path and path not in skip and (root / path).is_file() and not (root / path).is_symlink()
    )


def plan_rewrite(root: Path, package: str | None) -> Result:
    """What rewrite-imports would change, computed without changing anything."""
    move = recorded_move(root, package)
    require_clean(root, "`stage apply`")
    workspace = load_workspace(root, load_config(root))
    modules = {m.path: (m.name, m.is_package) for m in workspace.modules}
    try:
        changes = codemod.plan_changes(root, tracked_files(root, {move.shim}), modules, move.old, move.new)
    except ValueError as error:
        raise StageError(f"{error}; nothing was rewritten") from None
    return Result(move, tuple(_declared(root, workspace, move, changes)))


def _declared(
    root: Path, workspace: Workspace, move: Move, changes: list[codemod.Change]
) -> list[codemod.Change]:
    """The changes, plus the new distribution declared by every distribution whose library code now
    imports it by name (it reached it through the core before: depgraph would call it undeclared)."""
    new = next((d for d in workspace.distributions if d.root == move.target), None)
    if new is None:
        return changes
    by_path = {m.path: m for m in workspace.modules}
    importers = {
        by_path[c.path].distribution
        for c in changes
        if c.path in by_path and not by_path[c.path].is_test and by_path[c.path].distribution != new.name
    }
    found = {c.path: c for c in changes}
    for dist in workspace.distributions:
        if dist.name not in importers or not dist.pyproject:
            continue
        change = found.get(dist.pyproject)
        before = change.before if change else (root / dist.pyproject).read_bytes().decode("utf-8")
        after = codemod.declare(change.after if change else before, new.name)
        if after is not None:
            found[dist.pyproject] = codemod.Change(
                dist.pyproject, before, after, change.count if change else 0, new.name
            )
    return [found[path] for path in sorted(found)]


def write(root: Path, result: Result, say: Say) -> None:
    for change in result.changes:
        (root / change.path).write_bytes(change.after.encode("utf-8"))
        declared = f"[project] dependencies += {change.declared!r}" if change.declared else ""
        rewritten = f"{change.count} rewritten" if change.count else ""
        say(f"{change.path}: {', '.join(filter(None, (rewritten, declared)))}")
    git(root, "add", "--", *(change.path for change in result.changes))
