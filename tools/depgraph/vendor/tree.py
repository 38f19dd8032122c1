"""The vendor tree: one relative symlink per staging import package, as Kubernetes' vendor/ links staging/.

`plan` says which links (and, for PEP 420 namespace packages shared by several staging distributions, which
real folders holding links) the staging packages imply; `verify` lists every way vendor/ differs from it;
`update` makes it so without ever deleting a real file or folder. The library returns results; `cmd_vendor`
prints them and picks exit codes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from depgraph.base.errors import DepgraphError
from depgraph.discover.environment import STATIC, Environment
from depgraph.discover.workspace import Workspace
from depgraph.vendor import uvworkspace
from depgraph.vendor.declarations import root_declarations


@dataclass(frozen=True, slots=True)
class Plan:
    links: dict[str, str]  # path under vendor/ (POSIX) -> link text (relative to the link's folder)
    folders: frozenset[
        str
    ]  # real folders under vendor/ for namespace packages shared by several distributions
    conflicts: tuple[str, ...]  # problems that make a plan impossible (two distributions, one module)


@dataclass(slots=True)
class Result:
    problems: list[str] = field(default_factory=list)  # verify: one line each
    actions: list[str] = field(default_factory=list)  # update: what was done, one line each
    refused: list[str] = field(default_factory=list)  # update: what it would not touch


def _children(folder: str) -> dict[str, str]:
    """Importable entries of a folder: sub-folders and .py files, by the name they take under vendor/."""
    result: dict[str, str] = {}
    with os.scandir(folder) as it:
        for entry in it:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            if entry.is_dir() or entry.name.endswith(".py"):
                result[entry.name] = entry.path
    return result


def plan(ws: Workspace) -> Plan:
    vendor = os.path.normpath(ws.root / ws.config.vendor)
    sources: dict[str, list[str]] = {}
    for dist in ws.staging:
        for name in dist.import_packages:
            for source_root in dist.source_roots:
                base = ws.root / source_root / name
                if base.is_dir():
                    sources.setdefault(name, []).append(str(base))
                elif base.with_name(name + ".py").is_file():
                    sources.setdefault(name + ".py", []).append(str(base) + ".py")
    links: dict[str, str] = {}
    folders: set[str] = set()
    conflicts: list[str] = []

    def place(rel: str, paths: list[str]) -> None:
        if len(paths) == 1:
            parent = str(Path(vendor, rel).parent)
            links[rel] = Path(os.path.relpath(paths[0], parent)).as_posix()
            return
        shown = ", ".join(sorted(os.path.relpath(p, ws.root) for p in paths))
        if any(not Path(p).is_dir() or Path(p, "__init__.py").is_file() for p in paths):
            conflicts.append(f"{ws.config.vendor}/{rel}: provided by several staging packages ({shown})")
            return
        folders.add(rel)
        merged: dict[str, list[str]] = {}
        for path in sorted(paths):
            for child, child_path in _children(path).items():
                merged.setdefault(child, []).append(child_path)
        for child, child_paths in sorted(merged.items()):
            place(f"{rel}/{child}", child_paths)

    for name, paths in sorted(sources.items()):
        place(name, paths)
    return Plan(links=links, folders=frozenset(folders), conflicts=tuple(conflicts))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _existing(vendor: str) -> dict[str, os.DirEntry[str]]:
    """Every entry under vendor/, recursing only into real folders (never through links)."""
    found: dict[str, os.DirEntry[str]] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as it:
            for entry in sorted(it, key=lambda e: e.name):
                if entry.name == "__pycache__":
                    continue  # Python writes it beside a linked module of a namespace folder
                rel = f"{prefix}{entry.name}"
                found[rel] = entry
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, rel + "/")

    if _is_real_folder(Path(vendor)):
        walk(vendor, "")
    return found


def _is_real_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _not_a_folder(vendor: Path) -> bool:
    return (vendor.exists() or vendor.is_symlink()) and not _is_real_folder(vendor)


def _shadows_imports(name: str) -> bool:
    """Only names Python could import matter: README.md or .gitkeep under vendor/ are left alone."""
    stem = name[:-3] if name.endswith(".py") else name
    return stem.isidentifier()


def verify(ws: Workspace, env: Environment = STATIC) -> list[str]:
    """One line per difference between vendor/ and the plan, and per staging package the root leaves out
    (`env`: where a declared third-party distribution may be found installed)."""
    v = ws.config.vendor
    vendor = os.path.normpath(ws.root / v)
    root = os.path.normpath(ws.root)
    the_plan = plan(ws)
    problems = list(the_plan.conflicts)
    if _not_a_folder(Path(vendor)):
        problems.append(f"{v}: not a folder (vendor/ must be a real folder of links)")
        return sorted(problems)
    existing = _existing(vendor)
    for rel, entry in existing.items():
        if rel in the_plan.links or rel in the_plan.folders or not _shadows_imports(entry.name):
            continue
        if any(rel.startswith(f + "/") for f in the_plan.links):
            continue  # inside a real folder reported below
        parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if parent and parent not in the_plan.folders:
            continue  # inside an unexpected real folder, which is reported itself
        if entry.is_symlink():
            target = str(Path(entry.path).readlink())
            if not Path(entry.path).exists():
                problems.append(f"{v}/{rel}: dangling link -> {target} (no staging package provides it)")
            else:
                problems.append(f"{v}/{rel}: stale link -> {target} (no staging package provides {rel})")
        else:
            kind = "folder" if entry.is_dir() else "file"
            problems.append(
                f"{v}/{rel}: unexpected real {kind} (vendor/ holds only links to staging packages)"
            )
    for rel in sorted(the_plan.folders):
        entry_ = existing.get(rel)
        if entry_ is None:
            problems.append(
                f"{v}/{rel}: missing folder (namespace package shared by several staging packages)"
            )
        elif entry_.is_symlink() or not entry_.is_dir():
            problems.append(
                f"{v}/{rel}: should be a real folder (namespace package shared by staging packages)"
            )
    for rel, expected in sorted(the_plan.links.items()):
        link = existing.get(rel)
        if link is None:
            problems.append(f"{v}/{rel}: missing link (expected -> {expected})")
            continue
        if not link.is_symlink():
            kind = "folder" if link.is_dir() else "file"
            problems.append(f"{v}/{rel}: a real {kind} where a link belongs (expected -> {expected})")
            continue
        target_path = Path(link.path).readlink()
        target = str(target_path)
        resolved = os.path.normpath(Path(link.path).parent / target_path)
        if target_path.is_absolute():
            problems.append(f"{v}/{rel}: absolute link -> {target} (expected relative -> {expected})")
        elif not _inside(resolved, root):
            problems.append(f"{v}/{rel}: link leaves the repository -> {target} (expected -> {expected})")
        elif Path(target).as_posix() != expected:
            missing = "" if Path(link.path).exists() else ", which does not exist"
            problems.append(
                f"{v}/{rel}: link points at the wrong place -> {target}{missing} (expected -> {expected})"
            )
    problems += root_declarations(ws, env)
    problems += uvworkspace.verify(ws)
    return sorted(problems)


def update(ws: Workspace, *, dry_run: bool = False) -> Result:
    """Create exactly the planned links and folders, remove stale links, never delete real files/folders.

    With `dry_run`, nothing changes on disk and the actions say what would be done. A file system error
    (a read-only folder, say) is one DepgraphError naming the path.
    """
    try:
        return _update(ws, dry_run)
    except OSError as exc:
        where = exc.filename or ws.config.vendor
        raise DepgraphError(f"{where}: cannot update vendor/: {exc.strerror or exc}") from None


def _update(ws: Workspace, dry_run: bool) -> Result:
    v = ws.config.vendor
    vendor = os.path.normpath(ws.root / v)
    the_plan = plan(ws)
    result = Result()
    result.refused += the_plan.conflicts
    if _not_a_folder(Path(vendor)):
        result.refused.append(f"{v}: not a folder; left alone")
        return result
    existing = _existing(vendor)
    wanted_dirs = the_plan.folders
    removed: set[str] = set()
    # Remove links that are stale or wrong, deepest first; keep real files and folders, and say so.
    for rel in sorted(existing, key=lambda r: (-r.count("/"), r)):
        entry = existing[rel]
        parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if parent and parent not in wanted_dirs:
            continue
        if entry.is_symlink():
            target = str(Path(entry.path).readlink())
            if the_plan.links.get(rel) == Path(target).as_posix():
                continue
            if not dry_run:
                Path(entry.path).unlink(missing_ok=True)  # another run may have removed it first
            removed.add(rel)
            result.actions.append(f"removed {v}/{rel} -> {target}")
        elif rel in wanted_dirs and entry.is_dir():
            continue
        elif rel in the_plan.links or _shadows_imports(entry.name):
            kind = "folder" if entry.is_dir() else "file"
            result.refused.append(f"{v}/{rel}: real {kind} left alone; move it away and run update again")
    blocked: list[str] = []  # namespace folders a real file stands in for (refused above)
    for rel in sorted(wanted_dirs):
        path = Path(vendor, rel)
        gone = rel in removed
        if any(rel.startswith(b + "/") for b in blocked) or (path.is_dir() and not gone):
            continue
        if (path.exists() or path.is_symlink()) and not gone:
            blocked.append(rel)
            continue
        if not dry_run:
            path.mkdir(parents=True, exist_ok=True)
        result.actions.append(f"created folder {v}/{rel}/")
    for rel, target in sorted(the_plan.links.items()):
        path = Path(vendor, rel)
        if any(rel.startswith(b + "/") for b in blocked):
            continue
        if (path.exists() or path.is_symlink()) and rel not in removed:
            continue
        if not dry_run:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                path.symlink_to(target)
            except FileExistsError:  # a concurrent update made it; verify judges what is there
                continue
        result.actions.append(f"created {v}/{rel} -> {target}")
    result.actions.sort(key=lambda a: (not a.startswith("removed"), a))
    result.actions += uvworkspace.update(ws, dry_run=dry_run)
    return result
