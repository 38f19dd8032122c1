"""`stage finish`: the deprecation window is over; the shim at the old path goes, and what only it needed.

Refuses before changing anything: no recorded move, or no shim (exit 2; a move already finished says so
and exits 0), a dirty work tree (exit 2), and, with exit 1 and one line each (file:line), any first-party
import of the old path left: every import depgraph's graph holds (every kind: top-level, deferred,
guarded, type-checking, `importlib.import_module("...")` with a literal), and every entry point of a
pyproject.toml naming it. `stage rewrite-imports` removes them all.

Then: `git rm` the shim (and the folder, when only bytecode is left in it); in the root pyproject.toml,
the new distribution leaves `[project] dependencies` when the core no longer imports it (the shim did),
depgraph restrictions drop the old module path where apply wrote the new one beside it, and the record is
marked `finished`. Everything is staged in git for review.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement

from depgraph.base import toml
from depgraph.base.model import Origin
from depgraph.discover.config import load_config
from depgraph.discover.workspace import normalize
from depgraph.graph.graph import Graph, build_graph
from stage import codemod
from stage.apply import SHIM_MARK, git
from stage.edits import _RESTRICTION_MODULE_KEYS as MODULE_KEYS  # what apply extends
from stage.errors import StageError
from stage.record import Move, mark_finished
from stage.rewrite import require_clean, tracked_files

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True, order=True)
class Remaining:
    """A first-party import of the old path that is still there."""

    path: str
    line: int
    text: str


def remaining_imports(graph: Graph, move: Move) -> list[Remaining]:
    """Every import of the old path in the graph (the shim's own lines left out), one per statement."""
    found = {
        (e.path, e.line): e.text
        for e in graph.edges
        if codemod.under(e.imported, move.old) and e.path != move.shim
    }
    return [Remaining(path, line, text) for (path, line), text in found.items()]


def remaining_entry_points(root: Path, move: Move) -> list[Remaining]:
    """Every entry point naming the old path in a pyproject.toml git tracks."""
    found = []
    for path in tracked_files(root, set()):
        if path.rpartition("/")[2] != "pyproject.toml":
            continue
        text = (root / path).read_text(encoding="utf-8")
        if move.old not in text:
            continue
        doc = tomlkit.parse(text)
        lines = text.splitlines()
        for table in codemod.entry_point_groups(doc):
            assert isinstance(table, dict)
            for value in table.values():
                if not isinstance(value, str) or not codemod.under(value.partition(":")[0].strip(), move.old):
                    continue
                line = next((i for i, t in enumerate(lines, 1) if value in t), 0)
                found.append(Remaining(path, line, lines[line - 1].strip() if line else value))
    return found


def _distribution_name(root: Path, move: Move) -> str:
    data = toml.read(root / move.target / "pyproject.toml", StageError)
    name = data.get("project", {}).get("name")
    if not isinstance(name, str):
        raise StageError(f"{move.target}/pyproject.toml: no [project] name")
    return name


def _named(text: str, name: str) -> bool:
    try:
        return normalize(Requirement(text).name) == normalize(name)
    except InvalidRequirement:
        return False


def _dependency(graph: Graph, doc: Any, move: Move, name: str) -> str:
    """Drop the new distribution from the root's dependencies unless the core's library code still imports
    it (the shim did); when only the core's tests import it, it goes to the root's `test` extra."""
    core = next((d for d in graph.distributions if d.origin is Origin.CORE), None)
    if core is None:
        return ""
    tests = {m.path for m in graph.modules if m.is_test}
    users = sorted(
        (e.path in tests, e.path, e.line)
        for e in graph.edges
        if e.importer_distribution == core.name
        and e.path != move.shim
        and codemod.under(e.imported, move.new)
    )
    if users and not users[0][0]:
        _, path, line = users[0]
        return f"pyproject.toml: [project] dependencies keeps {name!r}: the core imports it ({path}:{line})"
    project = doc.get("project", {})
    deps = project.get("dependencies")
    declared = next((str(d) for d in deps or [] if _named(str(d), name)), None)
    if declared is None:
        return ""
    deps.remove(declared)
    extra = project.get("optional-dependencies", {}).get("test")
    if not users:
        return f"pyproject.toml: [project] dependencies -= {declared!r} (only the shim imported it)"
    _, path, line = users[0]
    if extra is None:
        return (
            f"pyproject.toml: [project] dependencies -= {declared!r}; only the core's tests import it "
            f"({path}:{line}): install it for them"
        )
    if not any(_named(str(d), name) for d in extra):
        extra.append(declared)
    return (
        f"pyproject.toml: {declared!r} moves from [project] dependencies to the test extra: only the core's "
        f"tests import it ({path}:{line})"
    )


def _restrictions(doc: Any, move: Move) -> list[str]:
    """The old module path leaves depgraph restrictions that name its new path beside it."""
    said = []
    for rule in doc.get("tool", {}).get("depgraph", {}).get("restrictions", []):
        for key in MODULE_KEYS:
            values = [str(v) for v in rule.get(key, [])]
            gone = [
                v
                for v in values
                if codemod.under(v, move.old) and codemod.renamed(v, move.old, move.new) in values
            ]
            for value in gone:
                rule[key].remove(value)
            if gone:
                said.append(
                    f"pyproject.toml: restriction {rule.get('name', '?')!r} {key} -= {', '.join(gone)}"
                )
    return said


def finish(root: Path, move: Move, say: Say) -> list[Remaining]:
    """Remove the shim and what only it needed; the remaining imports (nothing changed) when any."""
    shim = root / move.shim
    if not shim.is_file() or SHIM_MARK not in shim.read_text(encoding="utf-8"):
        what = "no shim at" if not shim.is_file() else "not the shim:"
        raise StageError(
            f"{what} {move.shim}, though [[tool.stage.moved]] records the move of {move.old}: nothing to "
            "finish (restore the shim with git, or run `stage apply` again)"
        )
    require_clean(root, "`stage rewrite-imports`")
    old_folder = move.shim.rpartition("/")[0]
    others = sorted(set(git(root, "ls-files", "-z", "--", old_folder).split("\0")) - {"", move.shim})
    if others:
        raise StageError(
            f"{old_folder}/ holds {len(others)} files besides the shim ({', '.join(others[:3])}"
            f"{', ...' if len(others) > 3 else ''}): move them first; the old path must go as a whole"
        )
    graph = build_graph(root, load_config(root), use_cache=False)
    left = sorted(remaining_imports(graph, move) + remaining_entry_points(root, move))
    if left:
        return left
    pyproject = root / "pyproject.toml"
    doc = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
    changes = [_dependency(graph, doc, move, _distribution_name(root, move)), *_restrictions(doc, move)]
    mark_finished(doc, move)
    # Nothing has changed so far; from here on everything is written.
    git(root, "rm", "-q", "--", move.shim)
    say(f"removed the shim {move.shim} (git rm)")
    folder = shim.parent
    if folder.is_dir() and all(p.name == "__pycache__" for p in folder.iterdir()):
        shutil.rmtree(folder)  # only the shim's bytecode was left: an empty namespace package otherwise
        say(f"removed {folder.relative_to(root).as_posix()}/ (only bytecode was left)")
    pyproject.write_text(tomlkit.dumps(doc), encoding="utf-8")
    for line in changes:
        if line:
            say(line)
    say("pyproject.toml: marked the move finished in [[tool.stage.moved]]")
    git(root, "add", "--", "pyproject.toml")
    return []
