"""What one pyproject.toml declares, whichever build backend wrote it: name, version, requirements by group.

Read from PEP 621 `[project]` (its `dynamic` dependencies from setuptools' or hatch's files and hooks),
PEP 735 `[dependency-groups]`, Poetry (`[tool.poetry]` name, `dependencies`, `group.*.dependencies`,
`dev-dependencies`, `extras`), PDM (`[tool.pdm.dev-dependencies]`) and flit's legacy `[tool.flit.metadata]`.
Every requirement comes out as PEP 508 text (parsed by `packaging`) with the file and line it was written
at. A Poetry constraint is not PEP 508 (`^1.2`, `~1.2`, `1.2.*` mean other things there): only what the
checks need is kept, the name, its extras, its `markers`, and which group declares it; never a version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from packaging.requirements import InvalidRequirement, Requirement

from depgraph.base import reads
from depgraph.base.errors import ConfigError
from depgraph.base.model import Declaration as Declared
from depgraph.base.toml import dotted as _get

# Groups: "" is the runtime requirements ([project].dependencies); "extra:NAME" an optional one (an extra);
# "group:NAME" a development group (PEP 735, Poetry groups, PDM dev-dependencies): never shipped.
RUNTIME = ""
_TEMPLATE = re.compile(r"\s*(?:===|==|~=|!=|<=|>=|<|>)\s*\{\{[^}]*\}\}")
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)  # PEP 508 names
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


class Manifest(NamedTuple):
    name: str
    version: str | None
    declared: tuple[Declared, ...]
    known: bool  # False when the dependencies are dynamic and come from somewhere depgraph cannot read
    is_package: bool  # False for a Poetry `package-mode = false` or uv `package = false` project
    runtime_key: str = "[project].dependencies"  # where its runtime requirements are written


class _Lines:
    """Finds where a value is written in one TOML text, section by section (no line numbers in tomllib)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.sections: list[tuple[str, int, int]] = []  # (header, first line index, end index)
        start, header = 0, ""
        for index, line in enumerate(self.lines):
            match = _HEADER.match(line)
            if match:
                self.sections.append((header, start, index))
                header, start = re.sub(r"\s*\.\s*", ".", match.group(1)).replace('"', ""), index
        self.sections.append((header, start, len(self.lines)))

    def quoted(self, section: str, value: str) -> int:
        """Line of `"value"` (or 'value') in `section` (or its subtables), else anywhere; 0 when absent."""
        quoted = (f'"{value}"', f"'{value}'")
        for prefer in (True, False):
            for header, start, end in self.sections:
                if prefer and not (header == section or header.startswith(section + ".")):
                    continue
                for index in range(start, end):
                    if any(q in self.lines[index] for q in quoted):
                        return index + 1
        return 0

    def key(self, section: str, key: str) -> int:
        """Line of `key = ...` in `section`, or of the `[section.key]` header; 0 when absent."""
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
        for header, start, end in self.sections:
            if header == f"{section}.{key}":
                return start + 1
            if header != section:
                continue
            for index in range(start, end):
                if pattern.match(self.lines[index]):
                    return index + 1
        return 0


def _strings(where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return list(value)


def _check(where: str, text: str) -> str:
    try:
        Requirement(text)
    except InvalidRequirement as exc:
        raise ConfigError(f"{where}: invalid requirement {text!r}: {str(exc).splitlines()[0]}") from None
    return text


def _poetry_requirement(where: str, name: str, spec: Any) -> tuple[str, bool]:
    """(PEP 508 text, optional?) of one Poetry dependency: name, extras and markers only."""
    specs = spec if isinstance(spec, list) else [spec]
    extras: set[str] = set()
    markers: list[str] = []
    optional = bool(specs)
    for one in specs:
        if isinstance(one, str):
            optional = False
            continue
        if not isinstance(one, dict):
            raise ConfigError(f"{where}.{name}: expected a version string or a table")
        extras |= {e for e in one.get("extras", []) if isinstance(e, str)}
        if isinstance(one.get("markers"), str) and len(specs) == 1:
            markers.append(one["markers"])
        optional = optional and one.get("optional") is True
    text = name + (f"[{','.join(sorted(extras))}]" if extras else "")
    if markers:
        text += f"; {markers[0]}"
    return _check(f"{where}.{name}", text), optional


class _Reader:
    def __init__(self, pyproject: Path, rel: str, data: Mapping[str, Any]) -> None:
        self.pyproject, self.rel, self.data = pyproject, rel, data
        try:
            self.lines = _Lines(reads.read_bytes(pyproject).decode("utf-8"))
        except (OSError, UnicodeDecodeError):
            self.lines = _Lines("")
        self.found: list[Declared] = []
        self.known = True
        self.runtime_key = "[project].dependencies"  # where the runtime requirements are written

    def add(self, group: str, text: str, line: int, path: str | None = None) -> None:
        self.found.append(Declared(group, text, path or self.rel, line))

    def pep621_list(self, key: str, section: str, group: str, values: Any) -> None:
        for text in _strings(f"{self.pyproject}: {key}", values):
            self.add(group, _check(f"{self.pyproject}: {key}", text), self.lines.quoted(section, text))

    def requirements_file(self, group: str, name: str) -> None:
        path = self.pyproject.parent / name
        rel = str(Path(self.rel).parent / name) if "/" in self.rel else name
        try:
            text = reads.read_bytes(path).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raise ConfigError(f"{self.pyproject}: dynamic dependencies: cannot read {name!r}") from None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith(("#", "-")):
                continue
            self.add(group, _check(f"{path}:{number}", line), number, rel)
        if group == RUNTIME:
            self.runtime_key = f"{rel} (dynamic dependencies)"

    def project(self, project: Mapping[str, Any]) -> None:
        dynamic = project.get("dynamic", [])
        dynamic = dynamic if isinstance(dynamic, list) else []
        if "dependencies" in project:
            self.pep621_list("project.dependencies", "project", RUNTIME, project["dependencies"])
        elif "dependencies" in dynamic:
            self.dynamic(RUNTIME, "dependencies")
        optional = project.get("optional-dependencies", {})
        if not isinstance(optional, dict):
            raise ConfigError(f"{self.pyproject}: project.optional-dependencies: expected a table")
        for extra, reqs in sorted(optional.items()):
            key = f"project.optional-dependencies.{extra}"
            self.pep621_list(key, "project.optional-dependencies", f"extra:{extra}", reqs)
        if "optional-dependencies" in dynamic and not optional:
            self.dynamic("extra:", "optional-dependencies")

    def dynamic(self, group: str, key: str) -> None:
        """Dependencies that `dynamic` leaves to the backend: setuptools' files, hatch's hooks, Poetry."""
        setuptools = _get(self.data, f"tool.setuptools.dynamic.{key}")
        hooks = _get(self.data, "tool.hatch.metadata.hooks")
        hooks = hooks if isinstance(hooks, dict) else {}
        if isinstance(setuptools, dict) and key == "dependencies":
            files = setuptools.get("file", [])
            files = [files] if isinstance(files, str) else files
            for name in _strings(f"{self.pyproject}: tool.setuptools.dynamic.{key}.file", files):
                self.requirements_file(group, name)
        elif isinstance(setuptools, dict):
            for extra, table in sorted(setuptools.items()):
                files = table.get("file", []) if isinstance(table, dict) else []
                files = [files] if isinstance(files, str) else files
                for name in _strings(f"{self.pyproject}: tool.setuptools.dynamic.{key}.{extra}.file", files):
                    self.requirements_file(f"extra:{extra}", name)
        elif isinstance(hooks.get("requirements_txt"), dict) and key == "dependencies":
            table = hooks["requirements_txt"]
            for name in _strings(
                f"{self.pyproject}: tool.hatch.metadata.hooks.requirements_txt.files",
                table.get("files", ["requirements.txt"]),
            ):
                self.requirements_file(group, name)
        elif any(isinstance(h, dict) and key in h for h in hooks.values()):
            hook = next(n for n, h in sorted(hooks.items()) if isinstance(h, dict) and key in h)
            section = f"tool.hatch.metadata.hooks.{hook}"
            if key == "dependencies":
                self.runtime_key = f"[{section}] dependencies"
            value = hooks[hook][key]
            tables = [(group, value)] if key == "dependencies" else sorted(value.items())
            for name, reqs in tables:
                grp = group if key == "dependencies" else f"extra:{name}"
                for text in _strings(f"{self.pyproject}: {section}.{key}", reqs):
                    clean = _TEMPLATE.sub("", text)  # `pkg=={{ version }}`: the version is the hook's
                    self.add(
                        grp,
                        _check(f"{self.pyproject}: {section}.{key}", clean),
                        self.lines.quoted(section, text),
                    )
        elif isinstance(_get(self.data, "tool.poetry.dependencies"), dict):
            pass  # Poetry 2 reads [tool.poetry.dependencies] for a dynamic [project]: see poetry()
        elif key == "dependencies":
            self.known = False

    def poetry(self, runtime: bool) -> None:
        poetry = _get(self.data, "tool.poetry")
        if not isinstance(poetry, dict):
            return
        extras_of: dict[str, list[str]] = {}
        for extra, names in sorted((poetry.get("extras") or {}).items()):
            for name in _strings(f"{self.pyproject}: tool.poetry.extras.{extra}", names):
                extras_of.setdefault(name.lower(), []).append(extra)
        tables: list[tuple[str, str, Any]] = [
            ("tool.poetry.dependencies", RUNTIME, poetry.get("dependencies"))
        ]
        tables.append(("tool.poetry.dev-dependencies", "group:dev", poetry.get("dev-dependencies")))
        for group, table in sorted((poetry.get("group") or {}).items()):
            if isinstance(table, dict):
                tables.append(
                    (f"tool.poetry.group.{group}.dependencies", f"group:{group}", table.get("dependencies"))
                )
        for section, group, table in tables:
            if table is None:
                continue
            if not isinstance(table, dict):
                raise ConfigError(f"{self.pyproject}: {section}: expected a table")
            for name, spec in table.items():
                if name.lower() == "python":
                    continue
                text, optional = _poetry_requirement(f"{self.pyproject}: {section}", name, spec)
                if group == RUNTIME and not runtime:
                    continue  # [project].dependencies is the list; this table only adds sources to it
                if group == RUNTIME:
                    self.runtime_key = "[tool.poetry.dependencies]"
                line = self.lines.key(section, name)
                if group == RUNTIME and optional:
                    for extra in extras_of.get(name.lower(), ["optional"]):
                        self.add(f"extra:{extra}", text, line)
                else:
                    self.add(group, text, line)

    def groups(self) -> None:
        groups = self.data.get("dependency-groups", {})
        if not isinstance(groups, dict):
            raise ConfigError(f"{self.pyproject}: dependency-groups: expected a table")
        for group, entries in sorted(groups.items()):
            if not isinstance(entries, list):
                raise ConfigError(f"{self.pyproject}: dependency-groups.{group}: expected a list")
            for entry in entries:
                if isinstance(entry, str):  # {include-group = "..."} entries repeat another group
                    self.pep621_list(
                        f"dependency-groups.{group}", "dependency-groups", f"group:{group}", [entry]
                    )
        pdm = _get(self.data, "tool.pdm.dev-dependencies")
        for group, entries in sorted((pdm if isinstance(pdm, dict) else {}).items()):
            for written in _strings(f"{self.pyproject}: tool.pdm.dev-dependencies.{group}", entries):
                text = written
                if text.startswith("-e "):
                    text = text[3:].strip()
                    if not re.match(r"^[A-Za-z0-9._-]+ *@", text):
                        continue  # an editable path: a folder (see path_dependencies), no name
                self.pep621_list(
                    f"tool.pdm.dev-dependencies.{group}",
                    "tool.pdm.dev-dependencies",
                    f"group:{group}",
                    [text],
                )

    def flit_legacy(self) -> None:
        meta = _get(self.data, "tool.flit.metadata")
        if not isinstance(meta, dict):
            return
        self.runtime_key = "[tool.flit.metadata] requires"
        self.pep621_list(
            "tool.flit.metadata.requires", "tool.flit.metadata", RUNTIME, meta.get("requires", [])
        )
        for extra, reqs in sorted((meta.get("requires-extra") or {}).items()):
            self.pep621_list(
                f"tool.flit.metadata.requires-extra.{extra}", "tool.flit.metadata", f"extra:{extra}", reqs
            )


def read_manifest(pyproject: Path, rel: str, data: Mapping[str, Any]) -> Manifest:
    """The declarations of one pyproject.toml (`rel`: its path relative to the repository root)."""
    project = data.get("project")
    if project is not None and not isinstance(project, dict):
        raise ConfigError(f"{pyproject}: project: expected a table")
    poetry = _get(data, "tool.poetry")
    poetry = poetry if isinstance(poetry, dict) else {}
    flit = _get(data, "tool.flit.metadata")
    name = (project or {}).get("name", poetry.get("name"))
    if name is None and isinstance(flit, dict):
        name = flit.get("dist-name", flit.get("module"))
    if name is None:
        raise ConfigError(
            f"{pyproject}: project.name: missing "
            "(a distribution needs [project] or [tool.poetry] with a name)"
        )
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{pyproject}: project.name: expected a non-empty string, got {name!r}")
    if not _NAME.match(name):
        raise ConfigError(f"{pyproject}: project.name: {name!r} is not a valid distribution name")
    reader = _Reader(pyproject, rel, data)
    dynamic = (project or {}).get("dynamic", [])
    poetry_runtime = project is None or (
        "dependencies" not in project and isinstance(dynamic, list) and "dependencies" in dynamic
    )
    if project is not None:
        reader.project(project)
    reader.poetry(poetry_runtime)
    if project is None:
        reader.flit_legacy()
    reader.groups()
    version = (project or {}).get("version", poetry.get("version"))
    return Manifest(
        name=name,
        version=version if isinstance(version, str) else None,
        declared=tuple(reader.found),
        known=reader.known,
        is_package=is_package(data),
        runtime_key=reader.runtime_key,
    )


def by_group(declared: tuple[Declared, ...]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(group, texts) in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for item in declared:
        groups.setdefault(item.group, []).append(item.text)
    yield from ((g, tuple(t)) for g, t in groups.items())


def path_dependencies(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The folders a pyproject.toml names by path dependencies (cheap: no requirement is parsed but those
    with a `file:` URL, no line looked up)."""
    paths: list[str] = []
    tables: list[Any] = [_get(data, "tool.poetry.dependencies"), _get(data, "tool.poetry.dev-dependencies")]
    groups = _get(data, "tool.poetry.group")
    tables += [g.get("dependencies") for g in (groups or {}).values() if isinstance(g, dict)]
    tables.append(_get(data, "tool.uv.sources"))
    for table in tables:
        for spec in (table or {}).values() if isinstance(table, dict) else ():
            for one in spec if isinstance(spec, list) else [spec]:
                if isinstance(one, dict) and isinstance(one.get("path"), str):
                    paths.append(one["path"])
    texts: list[Any] = list(_get(data, "project.dependencies") or [])
    for section in ("project.optional-dependencies", "dependency-groups", "tool.pdm.dev-dependencies"):
        table = _get(data, section)
        texts += (
            [t for v in (table or {}).values() if isinstance(v, list) for t in v]
            if isinstance(table, dict)
            else []
        )
    for text in texts:
        if isinstance(text, str) and "file:" in text:
            url = (
                re.sub(r"^(-e\s+)?([A-Za-z0-9._\[\], -]+@\s*)?", "", text).split(";")[0].split("#")[0].strip()
            )
            folder = re.sub(r"^file:(//)?(/?\$\{PROJECT_ROOT\}/?)?", "", url)
            if folder and not folder.startswith("/"):
                paths.append(folder)
    return tuple(dict.fromkeys(paths))


def is_package(data: Mapping[str, Any]) -> bool:
    """False for a project that is not a package: uv `package = false`, Poetry `package-mode = false`."""
    return _get(data, "tool.poetry.package-mode") is not False and _get(data, "tool.uv.package") is not False


def names_distribution(data: Mapping[str, Any]) -> bool:
    """Whether the file is a distribution: a [project] table or a Poetry name, and a package."""
    project = data.get("project")
    named = (isinstance(project, dict) and bool(project)) or isinstance(_get(data, "tool.poetry.name"), str)
    return named and is_package(data)
