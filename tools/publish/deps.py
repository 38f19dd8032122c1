"""Rewrite a published commit's pyproject.toml so it installs on its own.

In the monorepo a staging package reaches its siblings through the vendor tree; a published package cannot.
Each sibling dependency in `[project].dependencies` and `[project.optional-dependencies]` is rewritten
per rule:

- pin = "version": `name==<the sibling's version in that same source commit>`;
- pin = "commit":  `name @ git+<sibling install-url>@<the sibling's published commit for that source commit>`,
  the published commit whose source has the very same sibling directory tree (the earliest such commit).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from publish.errors import PublishError
from publish.git import CatFile, ObjectWriter, format_tree, parse_tree
from publish.split import SourceCommit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]


@dataclass
class Sibling:
    name: str  # distribution name
    dir: str  # its source directory
    install_url: str
    by_tree: dict[str, str] = field(default_factory=dict)  # source dir tree -> published commit


def requirement_strings(project: dict[str, object]) -> list[str]:
    found: list[str] = []
    deps = project.get("dependencies", [])
    if isinstance(deps, list):
        found += [d for d in deps if isinstance(d, str)]
    extras = project.get("optional-dependencies", {})
    if isinstance(extras, dict):
        for values in extras.values():
            if isinstance(values, list):
                found += [d for d in values if isinstance(d, str)]
    return found


def toml_string(value: str) -> str:
    """A TOML string for a requirement: basic (double quotes), or literal when it holds double quotes."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rewrite_text(text: str, new_for: dict[str, str]) -> str:
    """Replace each quoted requirement string (`"old"` or `'old'`) by its new form."""
    for old, new in sorted(new_for.items()):
        for quoted in sorted({toml_string(old), f'"{old}"', f"'{old}'"}):
            text = text.replace(quoted, toml_string(new))
    return text


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
        self._trees: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}

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

    def _pin(self, name: str, sib: Sibling, c: SourceCommit) -> str:
        tree = c.extra.get(sib.dir)
        if tree is None:
            return ""  # the sibling does not exist in this commit: leave the requirement as written
        if self.pin == "version":
            if tree not in self._versions:
                self._versions[tree] = self._version(tree)
            version = self._versions[tree]
            return f"=={version}" if version else ""
        published = sib.by_tree.get(tree)
        if published is None:
            raise PublishError(
                f"package {self.package!r}: source commit {c.sha[:12]} needs {sib.name!r} in a state that "
                f"is not published (publish {sib.name!r} first, from a branch holding that commit)"
            )
        return f" @ git+{sib.install_url}@{published}"

    def _version(self, tree: str) -> str | None:
        got = self.cat.read(f"{tree}:pyproject.toml")
        if got is None:
            return None
        try:
            project = tomllib.loads(got[2].decode("utf-8")).get("project", {})
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        version = project.get("version")
        return version if isinstance(version, str) else None

    def _rewrite(self, c: SourceCommit, pins: dict[str, str]) -> str:
        assert c.dir_tree is not None
        entries = parse_tree(c.dir_entries)
        index = next((i for i, e in enumerate(entries) if e[1] == b"pyproject.toml"), None)
        if index is None:
            return c.dir_tree
        blob = self.cat.read(entries[index][2])
        if blob is None:
            return c.dir_tree
        try:
            text = blob[2].decode("utf-8")
            project = tomllib.loads(text).get("project", {})
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            return c.dir_tree  # a broken pyproject.toml is published as it is
        new_for = {}
        for req_text in requirement_strings(project):
            try:
                req = Requirement(req_text)
            except InvalidRequirement:
                continue
            pin = pins.get(canonicalize_name(req.name), "")
            if not pin or req.url:
                continue
            extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
            marker = f"; {req.marker}" if req.marker else ""
            sep = " " if pin.startswith(" @") and marker else ""
            new_for[req_text] = f"{req.name}{extras}{pin}{sep}{marker}"
        new_text = rewrite_text(text, new_for)
        if new_text == text:
            return c.dir_tree
        blob_sha = self.writer.write("blob", new_text.encode("utf-8"))
        mode, name, _ = entries[index]
        entries[index] = (mode, name, blob_sha)
        return self.writer.write("tree", format_tree(entries))
