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
import. Declaring a first-party meta-package (a first-party distribution that ships no modules) counts as
declaring the first-party distributions it requires (`through_meta`).

Unused: a requirement in `[project].dependencies` (extras are optional plugins and are not judged) that no
module of the distribution imports, in any kind of import. Requirements whose marker is false (for the
`--python` interpreter, else the running one) are skipped. The finding points at the requirement's line in
pyproject.toml, where a suppression comment can say why it is needed anyway (a plugin, a runtime-only
backend, ...). A first-party meta-package is used when one of the distributions it brings is imported. In a
distribution with an import of unknown owner, a requirement whose import names are only guessed from its
name (not installed in the named environment, not in the table, not in `module-distributions`, not
first-party) is not reported: that import may be its.
"""

from __future__ import annotations

from collections.abc import Iterable

from depgraph.base import catalog
from depgraph.base.model import Finding, Level, Origin
from depgraph.checks.base import FIRST_PARTY_ORIGINS, View, finding, silence_hint
from depgraph.checks.base import norm as _norm
from depgraph.checks.requirements import Declared, declared
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


def through_meta(view: View, requirements: Iterable[Declared], *, markers_here: bool = False) -> set[str]:
    """The first-party distributions (normalised names) that these requirements declare through first-party
    meta-packages: a requirement of a first-party distribution that ships no modules counts as requiring
    what that one requires at run time (and in the extras the requirement names), first-party only, through
    chains of meta-packages. Every requirement counts whatever its marker, as undeclared-dependency counts the
    importer's own; with `markers_here`, only those whose marker holds for the `--python` interpreter (else
    the running one), as unused-dependency judges."""
    found: set[str] = set()
    pending = [(req.name, frozenset(_norm(e) for e in req.requirement.extras)) for req in requirements]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        name, extras = pending.pop()
        meta = view.by_norm.get(name)
        if (
            (name, extras) in seen
            or meta is None
            or meta.origin not in FIRST_PARTY_ORIGINS
            or meta.import_packages
            or not meta.declared_known
        ):
            continue
        seen.add((name, extras))
        for req in declared(view.config.root, meta):
            if req.group or (req.extra and _norm(req.extra) not in extras):
                continue
            if markers_here and not req.applies_here(view.markers):
                continue
            target = view.by_norm.get(req.name)
            if target is not None and target.origin in FIRST_PARTY_ORIGINS and req.name != name:
                found.add(req.name)
                pending.append((req.name, frozenset(_norm(e) for e in req.requirement.extras)))
    return found


def run_undeclared(view: View, level: Level, suppressor: Suppressor) -> list[Finding]:
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    declared_names: dict[str, set[str]] = {}
    group_names: dict[str, set[str]] = {}
    for name in _first_party(view):
        if not view.distributions[name].declared_known:
            continue  # dynamic dependencies depgraph cannot read: nothing to compare with
        declared_names[name] = set()
        reqs = declared(view.config.root, view.distributions[name])
        for req in reqs:
            (group_names if req.group else declared_names).setdefault(name, set()).add(req.name)
        declared_names[name] |= through_meta(view, [r for r in reqs if not r.group])
        if name in group_names:
            group_names[name] |= through_meta(view, [r for r in reqs if r.group])
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
        if edge.imported.startswith("."):  # `from .. import x` above the top-level package: nobody's
            target = f"relative {edge.imported}"
            what = (
                f"`{edge.imported}` (in `{edge.importer}`), a relative import beyond its top-level package "
                "that fails when it runs"
            )
            hint = "import the module by its absolute name"
        elif edge.imported_distribution is None:
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


def _unknown_owners(view: View) -> set[str]:
    """The distributions with an import (of any kind) whose owner is unknown."""
    found: set[str] = set()
    for edge in view.edges:
        if (
            edge.imported_distribution is None
            and edge.imported_origin is Origin.UNKNOWN
            and not edge.imported.startswith(".")
            and not _own_module(view, edge.importer_distribution, edge.imported)
        ):
            found.add(edge.importer_distribution)
    return found


def _names_known(view: View) -> set[str]:
    """Distributions (normalised) whose import names depgraph knows rather than guesses from their name: the
    first-party ones, the table's, those `module-distributions` names, those installed in the named
    environment."""
    from depgraph.discover.import_names_data import TABLE  # noqa: PLC0415 - only with unknown owners
    from depgraph.graph.classify import installed_packages  # noqa: PLC0415 - idem

    known = set(view.by_norm) | set(TABLE) | {_norm(d) for d in view.config.module_distributions.values()}
    env = getattr(view.graph, "environment", None)
    if env is not None and not env.static:
        known |= {_norm(d) for dists in installed_packages(None, env).values() for d in dists}
    return known


def run_unused(view: View, level: Level, _suppressor: Suppressor) -> list[Finding]:
    used: dict[str, set[str]] = {}
    for edge in view.edges:
        names = used.setdefault(edge.importer_distribution, set())
        names.add(_norm(edge.imported.partition(".")[0]))
        if edge.imported_distribution is not None:
            names.add(_norm(edge.imported_distribution))
    unknown = _unknown_owners(view)
    known: set[str] | None = None
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
            brought = through_meta(view, [req], markers_here=True)
            if brought & used.get(name, set()):
                continue  # a first-party meta-package, one of whose distributions is imported
            if name in unknown and not brought:
                if known is None:
                    known = _names_known(view)
                if req.name not in known:
                    continue  # its import names are only guessed: an unknown-owner import may be its
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
                    f"`# depgraph: ignore[{UNUSED}] <reason>` on its line in {req.path}",
                )
            )
    return found
