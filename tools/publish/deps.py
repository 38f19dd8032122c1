"""Rewrite a published commit's pyproject.toml so it installs on its own.

In the monorepo a staging package reaches its siblings through the vendor tree; a published package cannot.
Each sibling dependency in `[project].dependencies` and `[project.optional-dependencies]` (and in Poetry's
dependency tables) is rewritten per rule, with tomlkit, so every other byte of the file stays as it is:

- pin = "version": `name==<the sibling's version in that same source commit>`;
- pin = "commit":  `name @ git+<sibling install-url>@<the sibling's published commit for that source commit>`,
  the published commit whose source has the very same sibling directory tree (the earliest such commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from tomlkit.items import Array, Item
from tomlkit.toml_document import TOMLDocument

from depgraph.base import toml
from publish.errors import PublishError
from publish.git import CatFile, ObjectWriter, format_tree, parse_tree
from publish.split import SourceCommit


@dataclass
class Sibling:
    name: str  # distribution name
    dir: str  # its source directory
    install_url: str
    by_tree: dict[str, str] = field(default_factory=dict)  # source dir tree -> published commit


@dataclass(frozen=True)
class Pin:
    """What a sibling requirement becomes: an exact version, or a direct reference to a published commit."""

    version: str = ""  # pin = "version"
    url: str = ""  # pin = "commit": the sibling's install URL ...
    commit: str = ""  # ... and its published commit

    def pep508(self, req: Requirement) -> str:
        extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
        marker = f"; {req.marker}" if req.marker else ""
        if self.version:
            return f"{req.name}{extras}=={self.version}{marker}"
        return f"{req.name}{extras} @ git+{self.url}@{self.commit}{' ' if marker else ''}{marker}"

    def poetry(self, old: object) -> Item:
        """A Poetry dependency value: other keys of an inline table (extras, markers, ...) are kept."""
        table = tomlkit.inline_table()
        if isinstance(old, dict):
            for key, value in old.items():
                if key not in POETRY_SOURCE_KEYS:
                    table[key] = value
        if self.version and not table:
            return tomlkit.string(f"=={self.version}")
        fresh = tomlkit.inline_table()
        if self.version:
            fresh["version"] = f"=={self.version}"
        else:
            fresh["git"] = self.url
            fresh["rev"] = self.commit
        for key, value in table.items():
            fresh[key] = value
        return fresh


# Keys of a Poetry dependency table that say where it comes from (replaced by the pin).
POETRY_SOURCE_KEYS = {"version", "path", "develop", "git", "branch", "tag", "rev", "url", "source"}


def toml_string(value: str) -> Item:
    """A requirement string: basic (double quotes), or literal when it holds double quotes."""
    if '"' not in value and "\\" not in value:
        return tomlkit.string(value)
    if "'" not in value:
        return tomlkit.string(value, literal=True)
    return tomlkit.string(value)


def _requirement_arrays(doc: TOMLDocument) -> list[Array]:
    """`[project].dependencies` and each list of `[project.optional-dependencies]`: nothing else."""
    project = doc.get("project")
    if not isinstance(project, dict):
        return []
    arrays = [project.get("dependencies")]
    extras = project.get("optional-dependencies")
    if isinstance(extras, dict):
        arrays += [extras[k] for k in extras]
    return [a for a in arrays if isinstance(a, Array)]


def _poetry_tables(doc: TOMLDocument) -> list[dict[str, Any]]:
    """Poetry's dependency tables: [tool.poetry.dependencies], its dev-dependencies, each group's."""
    poetry = doc.get("tool", {}).get("poetry")
    if not isinstance(poetry, dict):
        return []
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    groups = poetry.get("group")
    if isinstance(groups, dict):
        tables += [g.get("dependencies") for g in groups.values() if isinstance(g, dict)]
    return [t for t in tables if isinstance(t, dict)]


def rewrite_pyproject(text: str, pins: dict[str, Pin]) -> str:
    """The file with each sibling requirement (by canonical name) pinned; every other byte as it was.

    Only the requirement arrays of `[project]` and Poetry's dependency tables are edited (with tomlkit,
    which keeps comments, spacing and quoting of everything it does not touch); a requirement that is
    already a direct reference is left alone.
    """
    doc = tomlkit.parse(text)
    changed = False
    for array in _requirement_arrays(doc):
        for i, item in enumerate(array):
            if not isinstance(item, str):
                continue
            try:
                req = Requirement(str(item))
            except InvalidRequirement:
                continue
            pin = pins.get(canonicalize_name(req.name))
            if pin is None or req.url:
                continue
            array[i] = toml_string(pin.pep508(req))
            changed = True
    for table in _poetry_tables(doc):
        for key in list(table):
            pin = pins.get(canonicalize_name(key))
            if pin is not None:
                table[key] = pin.poetry(table[key])
                changed = True
    return tomlkit.dumps(doc) if changed else text


class Rewriter:
    """A `TreeFn` for the split engine: the directory tree with its pyproject.toml rewritten."""

    def __init__(
        self, package: str, pin: str, siblings: list[Sibling], cat: CatFile, writer: ObjectWriter
    ) -> None:
        self.package = package
        self.pin = pin
        self.siblings = {canonicalize_name(s.name): s for s in siblings}
        self.cat = cat
        self.writer = writer
        self._versions: dict[str, str | None] = {}
        self._trees: dict[tuple[str, tuple[tuple[str, Pin | None], ...]], str] = {}

    @property
    def extra_paths(self) -> tuple[str, ...]:
        return tuple(sorted(s.dir for s in self.siblings.values()))

    def __call__(self, c: SourceCommit) -> str:
        assert c.dir_tree is not None
        pins = tuple(sorted((name, self._pin(name, s, c)) for name, s in self.siblings.items()))
        key = (c.dir_tree, pins)
        if key not in self._trees:
            self._trees[key] = self._rewrite(c, dict(pins))
        return self._trees[key]

    def _pin(self, name: str, sib: Sibling, c: SourceCommit) -> Pin | None:
        tree = c.extra.get(sib.dir)
        if tree is None:
            return None  # the sibling does not exist in this commit: leave the requirement as written
        if self.pin == "version":
            if tree not in self._versions:
                self._versions[tree] = self._version(tree)
            version = self._versions[tree]
            return Pin(version=version) if version else None
        published = sib.by_tree.get(tree)
        if published is None:
            raise PublishError(
                f"package {self.package!r}: source commit {c.sha[:12]} needs {sib.name!r} in a state that "
                f"is not published (publish {sib.name!r} first, from a branch holding that commit)"
            )
        return Pin(url=sib.install_url, commit=published)

    def _version(self, tree: str) -> str | None:
        got = self.cat.read(f"{tree}:pyproject.toml")
        if got is None:
            return None
        try:
            project = toml.parse(got[2].decode("utf-8")).get("project", {})
        except (UnicodeDecodeError, toml.TOMLDecodeError):
            return None
        version = project.get("version")
        return version if isinstance(version, str) else None

    def _rewrite(self, c: SourceCommit, pins: dict[str, Pin | None]) -> str:
        assert c.dir_tree is not None
        data = c.dir_entries
        if not data:  # not read with the commit (the walk knew the tree): read it now
            got = self.cat.read(c.dir_tree)
            data = got[2] if got else b""
        entries = parse_tree(data)
        index = next((i for i, e in enumerate(entries) if e[1] == b"pyproject.toml"), None)
        if index is None:
            return c.dir_tree
        blob = self.cat.read(entries[index][2])
        if blob is None:
            return c.dir_tree
        try:
            text = blob[2].decode("utf-8")
            toml.parse(text)
        except (UnicodeDecodeError, toml.TOMLDecodeError):
            return c.dir_tree  # a broken pyproject.toml is published as it is
        new_text = rewrite_pyproject(text, {k: p for k, p in pins.items() if p is not None})
        if new_text == text:
            return c.dir_tree
        blob_sha = self.writer.write("blob", new_text.encode("utf-8"))
        mode, name, _ = entries[index]
        entries[index] = (mode, name, blob_sha)
        return self.writer.write("tree", format_tree(entries))
