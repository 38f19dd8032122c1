"""Walk one distribution's folders into modules: `os.scandir` only, no per-file `stat` beyond what it knows.

This runs on every `depgraph check`, warm or cold, so it must stay cheap: a sorted directory listing per
folder, the file type from the directory entry, and `realpath` only for symbolic links (to refuse loops).
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field

from depgraph.base import reads
from depgraph.base.errors import ConfigError
from depgraph.base.model import Module


@dataclass(slots=True)
class Walker:
    """Collects the modules of one distribution."""

    root: str  # repository root, absolute, no trailing separator
    dist: str
    tests: frozenset[str]
    exclude: re.Pattern[str] | None
    pruned: frozenset[str]  # absolute folders never entered (vendor, other distributions' roots)
    modules: list[Module] = field(default_factory=list)
    namespaces: set[str] = field(default_factory=set)
    keep: frozenset[str] | None = None  # the only files that are modules (what the backend ships); None: all

    def rel(self, path: str) -> str:
        return path[len(self.root) + 1 :].replace(os.sep, "/") if path != self.root else "."

    def excluded(self, path: str) -> bool:
        return self.exclude is not None and self.exclude.match(self.rel(path)) is not None

    def walk(self, folder: str, prefix: str, is_test: bool) -> bool:
        """Add the modules under `folder` (import name `prefix`); True when it holds at least one."""
        reads.listed(folder)
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            raise ConfigError(f"{self.rel(folder)}: folder disappeared while reading it") from None
        except OSError as exc:
            raise ConfigError(f"{self.rel(folder)}: cannot read folder: {exc.strerror}") from None
        entries.sort(key=lambda e: e.name)
        found = False
        has_init = False
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name == "__pycache__":
                continue
            if folder_entry(entry, self):
                # A folder whose name is no identifier (`contrib-instrumentations`) is no package: data.
                if entry.path in self.pruned or self.excluded(entry.path) or not name.isidentifier():
                    continue
                if self.walk(entry.path, f"{prefix}.{name}", is_test or name in self.tests):
                    found = True
            elif name.endswith(".py") and entry.is_file() and name[:-3].isidentifier():
                if self.excluded(entry.path) or (self.keep is not None and entry.path not in self.keep):
                    continue
                found = True
                if name == "__init__.py":
                    has_init = True
                    self.modules.append(Module(prefix, self.rel(entry.path), self.dist, True, is_test))
                else:
                    self.modules.append(
                        Module(f"{prefix}.{name[:-3]}", self.rel(entry.path), self.dist, False, is_test)
                    )
        if found and not has_init and not is_test:
            self.namespaces.add(prefix)
        return found


def folder_entry(entry: os.DirEntry[str], walker: Walker) -> bool:
    """`entry.is_dir()`, refusing symlink loops (a link to one of its own ancestors, or to itself)."""
    if not entry.is_symlink():
        return entry.is_dir()
    try:
        entry.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(f"{walker.rel(entry.path)}: symlink loop") from None
        return False  # dangling: not a folder, not a module
    if not entry.is_dir():
        return False
    target = os.path.realpath(entry.path)
    parent = os.path.realpath(entry.path[: -len(entry.name) - 1])
    if parent == target or parent.startswith(target + os.sep):
        raise ConfigError(f"{walker.rel(entry.path)}: symlink loop (points at its own ancestor {target})")
    return True
