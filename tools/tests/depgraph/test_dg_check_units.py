"""Each check on small graphs built from model objects (the end-to-end runs are in test_dg_check_cli.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from depgraph.base.imports import ImportKind
from depgraph.base.model import Distribution, Edge, Finding, Level, Module, Origin
from depgraph.checks import conflicts, run_checks
from depgraph.checks.base import View, requirement_line
from depgraph.checks.cycles import shortest_cycles
from depgraph.checks.restriction import module_matches, violates
from depgraph.checks.suppress import parse
from depgraph.discover.config import Config, Restriction

TOP, DEFERRED, GUARDED, TYPING = (
    ImportKind.TOP_LEVEL,
    ImportKind.DEFERRED,
    ImportKind.GUARDED,
    ImportKind.TYPE_CHECKING,
)


@dataclass
class G:
    distributions: tuple[Distribution, ...] = ()
    modules: tuple[Module, ...] = ()
    edges: tuple[Edge, ...] = ()
    findings: tuple[Finding, ...] = ()

    def dist(
        self,
        name: str,
        origin: Origin,
        root: str,
        packages: tuple[str, ...],
        *,
        requires: tuple[str, ...] = (),
        extras: tuple[tuple[str, tuple[str, ...]], ...] = (),
    ) -> G:
        d = Distribution(
            name,
            origin,
            root,
            (root,),
            packages,
            "1.0",
            requires,
            extras,
            f"{root}/pyproject.toml" if root != "." else "pyproject.toml",
        )
        self.distributions = (*self.distributions, d)
        return self

    def mod(self, name: str, dist: str, path: str, *, package: bool = False, test: bool = False) -> G:
        self.modules = (*self.modules, Module(name, path, dist, package, test))
        return self

    def imp(
        self,
        importer: str,
        imported: str,
        line: int = 1,
        kind: ImportKind = TOP,
        *,
        dist: str | None = "",
        origin: Origin | None = None,
        text: str = "",
    ) -> G:
        mods = {m.name: m for m in self.modules}
        dists = {d.name: d for d in self.distributions}
        src = mods[importer]
        if dist == "":
            target = mods.get(imported)
            dist = target.distribution if target else None
        if origin is None:
            origin = dists[dist].origin if dist in dists else Origin.UNKNOWN
        edge = Edge(
            src.path,
            line,
            importer,
            imported,
            kind,
            text or f"import {imported}",
            src.distribution,
            dist,
            origin,
        )
        self.edges = tuple(sorted((*self.edges, edge)))
        return self


def cfg(root: Path, **kwargs: object) -> Config:
    return Config(root=root, pyproject=root / "pyproject.toml", project={}, **kwargs)  # type: ignore[arg-type]


def checks(graph: G, config: Config, only: str) -> list[Finding]:
    return [f for f in run_checks(graph, config, only=(only,)).findings if f.check == only]


def monorepo() -> G:
    g = G()
    g.dist("app", Origin.CORE, ".", ("app",), requires=("fw",), extras=(("a", ("prov-a",)),))
    g.dist("fw", Origin.STAGING, "staging/fw", ("fw",))
    g.dist("prov-a", Origin.STAGING, "staging/prov_a", ("prov_a",), requires=("fw>=0.1",))
    g.mod("app", "app", "app/__init__.py", package=True).mod("app.main", "app", "app/main.py")
    g.mod("fw", "fw", "staging/fw/fw/__init__.py", package=True).mod("fw.api", "fw", "staging/fw/fw/api.py")
    g.mod("fw.tests.test_api", "fw", "staging/fw/tests/test_api.py", test=True)
    g.mod("prov_a", "prov-a", "staging/prov_a/prov_a/__init__.py", package=True)
    g.imp("app.main", "fw").imp("prov_a", "fw.api")
    return g


def test_clean_graph_has_no_findings(tmp_path: Path) -> None:
    assert run_checks(monorepo(), cfg(tmp_path, checks={"unused-dependency": Level.OFF})).findings == ()


def test_staging_imports_core_in_any_kind_but_not_the_other_way(tmp_path: Path) -> None:
    g = (
        monorepo()
        .imp("fw.api", "app.main", 7, DEFERRED, text="from app import main")
        .imp("app.main", "prov_a", 3)
    )
    [found] = checks(g, cfg(tmp_path), "staging-imports-core")
    assert (found.path, found.line, found.level, found.text) == (
        "staging/fw/fw/api.py",
        7,
        Level.ERROR,
        "from app import main",
    )
    assert "deferred" in found.message and "`fw`" in found.message


def test_tests_of_staging_packages_count_only_with_include_tests(tmp_path: Path) -> None:
    g = monorepo().imp("fw.tests.test_api", "app.main", 2)
    assert checks(g, cfg(tmp_path), "staging-imports-core") == []
    [found] = checks(g, cfg(tmp_path, include_tests=True), "staging-imports-core")
    assert found.path == "staging/fw/tests/test_api.py"


def test_distribution_cycle_is_its_shortest_path_with_one_import_per_hop(tmp_path: Path) -> None:
    g = monorepo().imp("fw.api", "prov_a", 9).imp("fw", "prov_a", 4).imp("app.main", "prov_a", 2)
    [found] = checks(g, cfg(tmp_path), "distribution-cycle")
    assert found.message.endswith("fw -> prov-a -> fw")
    assert (found.path, found.line) == ("staging/fw/fw/__init__.py", 4)  # the smallest path:line of the hop
    assert found.chain == (
        "fw -> prov-a (import): fw -> prov_a (staging/fw/fw/__init__.py:4): import prov_a",
        "prov-a -> fw (import): prov_a -> fw.api (staging/prov_a/prov_a/__init__.py:1): import fw.api",
    )


def test_shortest_cycles_one_per_component_deterministic() -> None:
    pairs = [("a", "b"), ("b", "c"), ("c", "a"), ("b", "a"), ("x", "y"), ("y", "x"), ("c", "c"), ("q", "r")]
    assert shortest_cycles(pairs) == [(("a", "b", "c"), ("a", "b", "a")), (("x", "y"), ("x", "y", "x"))]
    assert shortest_cycles(reversed(pairs)) == shortest_cycles(pairs)


def test_import_cycle_only_through_top_level_imports(tmp_path: Path) -> None:
    g = monorepo().mod("fw.impl", "fw", "staging/fw/fw/impl.py")
    g.imp("fw", "fw.impl", 1, text="from . import impl")  # a package importing its submodule: no cycle
    assert checks(g, cfg(tmp_path), "import-cycle") == []
    g.imp("fw.impl", "fw", 5, DEFERRED)  # imports the package back, but only when called
    assert checks(g, cfg(tmp_path), "import-cycle") == []
    g.imp("fw.impl", "fw", 3, TOP, text="from fw import api")
    [found] = checks(g, cfg(tmp_path), "import-cycle")
    assert found.message == "import cycle at import time: fw -> fw.impl -> fw"
    assert (found.path, found.line) == ("staging/fw/fw/__init__.py", 1)
    assert found.chain[1] == "fw.impl -> fw (staging/fw/fw/impl.py:3): from fw import api"


def test_undeclared_sibling_third_party_and_unknown(tmp_path: Path) -> None:
    g = monorepo().dist("prov-b", Origin.STAGING, "staging/prov_b", ("prov_b",))
    g.mod("prov_b", "prov-b", "staging/prov_b/prov_b/__init__.py", package=True)
    g.imp("prov_b", "prov_a", 2)  # sibling, undeclared
    g.imp("prov_b", "requests.adapters", 3, dist="requests", origin=Origin.THIRD_PARTY)
    g.imp("prov_b", "requests", 4, dist="requests", origin=Origin.THIRD_PARTY)  # same file, same target: once
    g.imp("prov_b", "ujson", 5, GUARDED, dist="ujson", origin=Origin.THIRD_PARTY)  # optional by construction
    g.imp("prov_b", "nowhere", 6, dist=None)  # provided by nothing installed
    g.imp("prov_b", "maybe", 7, DEFERRED, dist=None)  # unknown, deferred: reported all the same
    g.imp("prov_b", "os", 8, dist=None, origin=Origin.STDLIB)
    g.imp("prov_b", "maybe.sub", 9, DEFERRED, dist=None)  # the same unknown top-level name: once per file
    found = checks(g, cfg(tmp_path), "undeclared-dependency")
    assert [(f.line, f.key) for f in found] == [
        (2, "prov-a"),
        (3, "requests"),
        (6, "module nowhere"),
        (7, "module maybe"),
    ]
    assert "which no declared requirement provides (its owner is unknown)" in found[2].message
    assert "`--python PATH`" in found[3].hint


def test_declared_through_extras_normalised_and_missing_installs(tmp_path: Path) -> None:
    g = G().dist(
        "core",
        Origin.CORE,
        ".",
        ("core",),
        requires=("Typing_Extensions", "tomli; python_version < '3.0'"),
        extras=(("yaml", ("PyYAML>=6",)),),
    )
    g.mod("core", "core", "core/__init__.py", package=True)
    g.imp("core", "yaml", 1, dist="PyYAML", origin=Origin.THIRD_PARTY)
    g.imp("core", "typing_extensions", 2, dist="typing-extensions", origin=Origin.THIRD_PARTY)
    g.imp("core", "tomli", 3, dist=None)  # not installed here, but declared
    assert checks(g, cfg(tmp_path), "undeclared-dependency") == []


def test_unused_dependency_points_at_the_requirement_line(tmp_path: Path) -> None:
    (tmp_path / "staging/prov_a").mkdir(parents=True)
    (tmp_path / "staging/prov_a/pyproject.toml").write_text(
        '[project]\nname = "prov-a"\ndependencies = [\n    "fw>=0.1",\n    "requests>=2",\n'
        '    "tomli; python_version < \'3.0\'",\n]\n[project.optional-dependencies]\nx = ["boto3"]\n'
    )
    g = monorepo()
    g.distributions = tuple(
        d._replace(
            requires=("fw>=0.1", "requests>=2", "tomli; python_version < '3.0'"),
            extras=(("x", ("boto3",)),),
        )
        if d.name == "prov-a"
        else d
        for d in g.distributions
    )
    [found] = checks(g, cfg(tmp_path), "unused-dependency")
    assert (found.path, found.line, found.level, found.key) == (
        "staging/prov_a/pyproject.toml",
        5,
        Level.WARN,
        "requests",
    )


def test_requirement_line_matches_quoted_entries_only() -> None:
    text = 'name = "fw"\ndependencies = ["fw-extra", "fw"]\n'
    assert requirement_line(text, "fw") == 1
    assert requirement_line(text, "fw-extra") == 2
    assert requirement_line(text, "nope") == 0


@pytest.mark.parametrize(
    ("module", "prefix", "expected"),
    [
        ("cloud_provider.api", "cloud_provider", True),
        ("cloud_provider", "cloud_provider", True),
        ("cloud_provider_aws", "cloud_provider", False),
        ("cloud_provider_aws.lb", "cloud_provider_*", True),
        ("a.b.c", "a.*.c", True),
        ("a", "a.b", False),
    ],
)
def test_module_prefixes_match_segment_wise(module: str, prefix: str, expected: bool) -> None:
    assert module_matches(module, (prefix,)) is expected


def test_restrictions_deny_allow_and_allow_only(tmp_path: Path) -> None:
    g = monorepo().imp("app.main", "prov_a", 4).imp("app.main", "os", 5, dist=None, origin=Origin.STDLIB)
    g.imp("app.main", "app", 6)
    deny = Restriction("core-no-providers", from_distributions=("APP",), deny=("prov_*",))
    allow_only = Restriction("core-only-framework", from_modules=("app",), allow=("fw",))
    typing_only = Restriction(
        "no-typing-deny", from_distributions=("app",), deny=("prov-*",), kinds=(TYPING,)
    )
    config = cfg(tmp_path, restrictions=(deny, allow_only, typing_only))
    found = checks(g, config, "restriction")
    assert [(f.line, f.key) for f in found] == [
        (4, "core-no-providers: prov_a"),
        (4, "core-only-framework: prov_a"),
    ]
    assert "restriction `core-no-providers`" in found[0].message
    exempt = Restriction("x", from_distributions=("app",), deny_modules=("prov_a",), allow=("prov-a",))
    assert not any(violates(exempt, e) for e in g.edges)


def test_deny_never_matches_the_importers_own_distribution_but_deny_modules_does(tmp_path: Path) -> None:
    g = monorepo().imp("prov_a", "prov_a.impl", 2, dist="prov-a", origin=Origin.STAGING)
    g.imp("prov_a", "fw", 3, dist="fw", origin=Origin.STAGING)
    siblings = Restriction("providers-stand-alone", from_distributions=("prov-*",), deny=("prov-*", "fw"))
    layering = Restriction("layers", from_modules=("prov_a",), deny_modules=("prov_a.impl",))
    own = [e for e in g.edges if e.imported == "prov_a.impl"]
    assert own and not any(violates(siblings, e) for e in own)
    assert all(violates(layering, e) for e in own)
    assert sorted(e.imported for e in g.edges if violates(siblings, e)) == ["fw", "fw.api"]


@pytest.mark.parametrize(
    ("specs", "ok"),
    [
        ([">=1", "<2"], True),
        ([">=2", "<2"], False),
        ([">1.2", "<1.3"], True),
        (["==1.2.*", "!=1.2"], True),
        (["==1.2.*", ">=1.3"], False),
        (["~=1.4.5", "<1.4.5"], False),
        ([">=2.0rc1", "<2.0"], False),
        ([">=2.0rc1", "<=2.0rc1"], True),
        (["==1.0", "===1.0"], True),
        (["", ">=3"], True),
    ],
)
def test_satisfiable_by_boundary_candidates(specs: list[str], ok: bool) -> None:
    assert conflicts.satisfiable([SpecifierSet(s) for s in specs]) is ok


def test_conflicting_requirements_between_distributions(tmp_path: Path) -> None:
    for rel, deps in {"staging/fw": '["requests>=3"]', "staging/prov_a": '["fw>=0.1", "requests<2"]'}.items():
        (tmp_path / rel).mkdir(parents=True)
        (tmp_path / rel / "pyproject.toml").write_text(f'[project]\nname = "x"\ndependencies = {deps}\n')
    g = monorepo()
    g.distributions = tuple(
        d._replace(
            requires={"fw": ("requests>=3",), "prov-a": ("fw>=0.1", "requests<2")}.get(d.name, d.requires)
        )
        for d in g.distributions
    )
    [found] = checks(g, cfg(tmp_path), "conflicting-requirements")
    assert (found.path, found.line) == ("staging/prov_a/pyproject.toml", 3)
    assert found.message == "no version of `requests` satisfies `>=3` (fw) and `<2` (prov-a)"
    assert found.chain == (
        "fw requires `requests>=3` (staging/fw/pyproject.toml:3)",
        "prov-a requires `requests<2` (staging/prov_a/pyproject.toml:3)",
    )


def test_levels_and_off(tmp_path: Path) -> None:
    g = monorepo().imp("fw.api", "app.main", 7)
    warn = cfg(tmp_path, checks={"staging-imports-core": Level.WARN})
    assert [f.level for f in checks(g, warn, "staging-imports-core")] == [Level.WARN]
    off = cfg(tmp_path, checks={"staging-imports-core": Level.OFF})
    result = run_checks(g, off)
    assert "staging-imports-core" not in result.checks
    assert "staging-imports-core" not in {f.check for f in result.findings}


def test_parse_errors_pass_through_at_their_level(tmp_path: Path) -> None:
    g = monorepo()
    g.findings = (Finding("parse-error", Level.ERROR, "app/bad.py", 3, "invalid syntax", key="syntax"),)
    assert [f.path for f in run_checks(g, cfg(tmp_path)).findings if f.check == "parse-error"] == [
        "app/bad.py"
    ]
    off = cfg(tmp_path, checks={"parse-error": Level.OFF})
    assert not [f for f in run_checks(g, off).findings if f.check == "parse-error"]


def test_suppression_needs_a_reason(tmp_path: Path) -> None:
    assert parse("import x  # depgraph: ignore[import-cycle, restriction]  legacy, see #12") is not None
    sup = parse("import x  # depgraph: ignore[import-cycle, restriction]  legacy, see #12")
    assert (
        sup is not None and sup.checks == ("import-cycle", "restriction") and sup.reason == "legacy, see #12"
    )
    assert parse("import x  # a comment") is None
    (tmp_path / "staging/fw/fw").mkdir(parents=True)
    api = tmp_path / "staging/fw/fw/api.py"
    g = monorepo().imp("fw.api", "app.main", 1).imp("fw.api", "app", 2)
    api.write_text(
        "import app.main  # depgraph: ignore[staging-imports-core] moved out in #42\n"
        "import app  # depgraph: ignore[staging-imports-core]\n"
    )
    result = run_checks(g, cfg(tmp_path), only=("staging-imports-core",))
    assert [(f.check, f.line) for f in result.findings] == [("staging-imports-core", 2), ("suppression", 2)]
    assert result.suppressed == 1


def test_suppressed_hop_breaks_a_cycle(tmp_path: Path) -> None:
    g = (
        monorepo()
        .mod("fw.impl", "fw", "staging/fw/fw/impl.py")
        .imp("fw", "fw.impl", 1)
        .imp("fw.impl", "fw", 2)
    )
    (tmp_path / "staging/fw/fw").mkdir(parents=True)
    (tmp_path / "staging/fw/fw/impl.py").write_text(
        "x = 1\nimport fw  # depgraph: ignore[import-cycle] set up by fw\n"
    )
    assert checks(g, cfg(tmp_path), "import-cycle") == []


def test_view_leaves_tests_out_unless_asked(tmp_path: Path) -> None:
    g = monorepo().imp("fw.tests.test_api", "fw", 1)
    assert len(View(g, cfg(tmp_path)).edges) == 2
    assert len(View(g, cfg(tmp_path, include_tests=True)).edges) == 3


def test_suppressing_one_of_two_imports_keeps_the_hop(tmp_path: Path) -> None:
    g = monorepo().mod("fw.impl", "fw", "staging/fw/fw/impl.py").imp("fw", "fw.impl", 1)
    g.imp("fw.impl", "fw", 1).imp("fw.impl", "fw", 2, text="from fw import api")
    (tmp_path / "staging/fw/fw").mkdir(parents=True)
    (tmp_path / "staging/fw/fw/impl.py").write_text(
        "import fw  # depgraph: ignore[import-cycle] ok\nfrom fw import api\n"
    )
    [found] = checks(g, cfg(tmp_path), "import-cycle")
    assert found.chain[1] == "fw.impl -> fw (staging/fw/fw/impl.py:2): from fw import api"


def test_prefix_exclusions_and_whole_group_conflicts() -> None:
    assert conflicts.satisfiable([SpecifierSet(">=2,<4"), SpecifierSet("!=2.*")])  # 3 does
    group = [SpecifierSet(">=1,<3"), SpecifierSet(">=2,<4"), SpecifierSet("!=2.*")]
    assert not conflicts.satisfiable(group)
    assert all(conflicts.satisfiable([a, b]) for i, a in enumerate(group) for b in group[i + 1 :])
