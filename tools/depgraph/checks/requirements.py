"""Reading the requirements a distribution declares, once per run, with errors that name the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from packaging.markers import UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement

from depgraph.base import reads
from depgraph.base.errors import ConfigError
from depgraph.base.model import Distribution
from depgraph.checks.base import norm, requirement_line


@dataclass(frozen=True, slots=True)
class Declared:
    """One requirement as written in a distribution's pyproject.toml."""

    distribution: str
    extra: str  # "" for [project].dependencies
    text: str  # as written
    requirement: Requirement
    path: str  # the pyproject.toml
    line: int  # its line there, 0 when not found
    group: str = ""  # the development group (PEP 735, Poetry group, PDM dev-dependencies) declaring it

    @property
    def name(self) -> str:
        return norm(self.requirement.name)

    def applies_here(self, markers: Mapping[str, str] | None = None) -> bool:
        """Whether its marker holds in the given marker environment (the `--python` interpreter's), else in
        the running one (no marker: always)."""
        marker = self.requirement.marker
        if marker is None:
            return True
        try:
            return marker.evaluate({**(markers or {}), "extra": self.extra})
        except UndefinedEnvironmentName:
            return True


@cache
def _read(path: Path) -> str:
    try:
        return reads.read_bytes(path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


@cache
def _requirement(text: str) -> Requirement:
    return Requirement(text)


@cache
def declared(root: Path, dist: Distribution) -> list[Declared]:
    """Every requirement of `dist`: runtime first, then each extra's, then each development group's.

    Development groups (`group` set) are never shipped: they declare what tests and tools import.
    Computed once per distribution and run (four checks ask; parsing 7,000 requirements with packaging
    took 0.7 s of a warm check on 180 distributions); callers must not change the list.
    """
    if dist.declared:
        result = [
            Declared(
                dist.name,
                d.group.partition(":")[2] if d.group.startswith("extra:") else "",
                d.text,
                _requirement(d.text),
                d.path,
                d.line,
                d.group.partition(":")[2] if d.group.startswith("group:") else "",
            )
            for d in dist.declared
        ]
        order = {"": 0, "extra": 1, "group": 2}
        return sorted(
            result, key=lambda r: order[("extra" if r.extra else "group") if r.extra or r.group else ""]
        )
    pyproject = dist.pyproject or (f"{dist.root}/pyproject.toml" if dist.root != "." else "pyproject.toml")
    text = _read(root / pyproject)
    result = []
    groups: list[tuple[str, tuple[str, ...]]] = [("", dist.requires), *dist.extras]
    for extra, requirements in groups:
        for written in requirements:
            try:
                requirement = _requirement(written)
            except InvalidRequirement as exc:
                where = "project.dependencies" if not extra else f"project.optional-dependencies.{extra}"
                reason = str(exc).splitlines()[0]
                raise ConfigError(
                    f"{root / pyproject}: {where}: invalid requirement {written!r}: {reason}"
                ) from None
            line = requirement_line(text, written)
            result.append(Declared(dist.name, extra, written, requirement, pyproject, line))
    return result
