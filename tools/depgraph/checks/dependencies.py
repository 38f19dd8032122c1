"""undeclared-dependency and unused-dependency: imports against the requirements in pyproject.toml.

Undeclared: a distribution imports another distribution (a staging sibling, another first-party one, or a
third-party one; never its own, never the standard library) that neither its `[project].dependencies` nor
any of its extras declares. Names are compared after PEP 503 normalisation. An import counts unless it is
guarded (`try`/`except ImportError`: optional by construction, also inside a function) or type-checking
(never runs): top-level, deferred, dynamic and `__main__`-block imports count when they are neither (an
import has every kind that applies: deferred+guarded does not count). An import that counts of a module
whose owner is unknown (no installed distribution of the given environment, no declared requirement, no
entry of the static table provides it: `depgraph.graph.classify`) is reported too, with the hint to name the
environment. An unknown module is the importer's own only below one of its modules: below a PEP 420
namespace it shares (`acme.three` where it holds `acme.one`) it is reported. One finding per file and
imported distribution (or unknown top-level name; below a namespace, unknown portion), at its first
import.

Unused: a requirement in `[project].dependencies` (extras are optional plugins and are not judged) that no
module of the distribution imports, in any kind of import. Requirements whose marker is false (for the
`--python` interpreter, else the running one) are skipped. The finding points at the requirement's line in
pyproject.toml, where a suppression comment can say why it is needed anyway (a plugin, a runtime-only
backend, ...).
"""

from __future__ import annotations

from depgraph.base import catalog
from depgraph.base.model import Finding, Level, Origin
from depgraph.checks.base import FIRST_PARTY_ORIGINS, View, finding, silence_hint
from depgraph.checks.base import norm as _norm
from depgraph.checks.requirements import declared
from depgraph.checks.suppress import Suppressor

UNDECLARED = catalog.UNDECLARED_DEPENDENCY.id
UNUSED = catalog.UNUSED_DEPENDENCY.id


def _first_party(view: View) -> list[str]:
    return [name for name, d in view.distributions.items() if d.origin in FIRST_PARTY_ORIGINS]


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _own_module(view: View, distribution: str, imported: str) -> bool:
    """Whether `imported` is, or lies below, a module of the importer's own distribution (a submodule it
    lacks, made at build time, is still its own). A PEP 420 namespace it shares with others is no module:
    `acme.three`, below the `acme` namespace that holds its `acme.one`, may be anyone's."""
    return any((distribution, prefix) in view.modules for prefix in _prefixes(imported))


def _portion(namespaces: frozenset[str], imported: str) -> str:
    """The unknown import's top-level name, or below a namespace of this repository its first name that is
    no namespace (`acme.three` for `acme.three.x`): one finding per file and unknown portion."""
    for prefix in _prefixes(imported):
        if prefix not in namespaces:
            return prefix
    return imported


def _namespaces(view: View) -> frozenset[str]:
    """Dotted names that are packages of the repository's modules without being modules themselves."""
    names = {name for _, name in view.modules}
    return frozenset(p for name in names for p in _prefixes(name)[:-1] if p not in names)


def run_undeclared(view: View, level: Level, suppressor: Suppressor) -> list[Finding]:
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    declared_names: dict[str, set[str]] = {}
    group_names: dict[str, set[str]] = {}
    for name in _first_party(view):
        if not view.distributions[name].declared_known:
            continue  # dynamic dependencies depgraph cannot read: nothing to compare with
        declared_names[name] = set()
        for req in declared(view.config.root, view.distributions[name]):
            (group_names if req.group else declared_names).setdefault(name, set()).add(req.name)
    tests = view.test_paths
    namespaces: frozenset[str] | None = None  # computed when an unknown owner is first met
    for edge in view.edges:
        names = declared_names.get(edge.importer_distribution)
        if (
            names is None
            or not catalog.UNDECLARED_DEPENDENCY.counts(edge.kind)
            or edge.imported_origin is Origin.STDLIB
        ):
            continue
        if edge.path in tests:  # tests (include-tests = true) may import what a development group declares
            names = names | group_names.get(edge.importer_distribution, set())
        own = view.distributions[edge.importer_distribution]
        top = edge.imported.partition(".")[0]
        if edge.imported_distribution is None:
            if _own_module(view, own.name, edge.imported) or _norm(top) in names:
                continue
            if namespaces is None:
                namespaces = _namespaces(view)
            target = f"module {_portion(namespaces, edge.imported)}"
            if view.environment_named:
                what = f"`{edge.imported}`, which no distribution installed in the given environment "
                what += "or declared provides (its owner is unknown)"
                hint = "install the distribution that provides it there and declare it, or map the import "
            else:
                what = f"`{edge.imported}`, which no declared requirement provides (its owner is unknown)"
                hint = "point depgraph at the repository's environment (`--python PATH`, or `python` in "
                hint += "[tool.depgraph]) to read the owner from installed metadata, declare the "
                hint += "distribution that provides it, or map the import "
            hint += "name to a distribution in [tool.depgraph.module-distributions]"
        else:
            if edge.imported_distribution == own.name or _norm(edge.imported_distribution) in names:
                continue
            target = edge.imported_distribution
            what = f"`{edge.imported}` from distribution `{target}`, which it does not declare"
            hint = f"add `{target}` to {own.requires_key} (or an extra) in {own.pyproject or own.root}"
        if (edge.path, target) in seen or suppressor.suppresses(UNDECLARED, edge.path, edge.line):
            continue
        seen.add((edge.path, target))
        found.append(
            finding(
                UNDECLARED,
                level,
                edge.path,
                edge.line,
                f"`{own.name}` imports {what}",
                key=target,
                text=edge.text,
                hint=f"{hint}; or {silence_hint(UNDECLARED)}",
            )
        )
    return found


def run_unused(view: View, level: Level, _suppressor: Suppressor) -> list[Finding]:
    used: dict[str, set[str]] = {}
    for edge in view.edges:
        names = used.setdefault(edge.importer_distribution, set())
        names.add(_norm(edge.imported.partition(".")[0]))
        if edge.imported_distribution is not None:
            names.add(_norm(edge.imported_distribution))
    found: list[Finding] = []
    for name in _first_party(view):
        dist = view.distributions[name]
        if not dist.declared_known or not dist.import_packages:
            continue  # unknown requirements; or a meta-package, whose requirements are its whole point
        for req in declared(view.config.root, dist):
            if (
                req.extra
                or req.group
                or not req.applies_here(view.markers)
                or req.name == _norm(name)
                or req.name in used.get(name, ())
            ):
                continue
            found.append(
                finding(
                    UNUSED,
                    level,
                    req.path,
                    req.line,
                    f"`{name}` declares `{req.text}` in {dist.requires_key}, but none of its modules "
                    "imports it",
                    key=req.name,
                    text=req.text,
                    hint="remove it, or move it to an extra; if it is needed without being imported, "
                    "silence with "
                    f"`# depgraph: ignore[{UNUSED}] <reason>` on its line in pyproject.toml",
                )
            )
    return found
