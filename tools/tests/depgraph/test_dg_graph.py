"""build_graph on temporary monorepos: resolution, classification, parse errors, determinism, the cache."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from dg_fixtures import make_repo, monorepo_files, pyproject

import depgraph.graph.graph as graph_module
from depgraph.base.imports import ImportKind, SourceFile
from depgraph.base.model import Level, Origin
from depgraph.discover.config import load_config
from depgraph.discover.environment import STATIC, load_environment
from depgraph.graph.classify import installed_packages
from depgraph.graph.graph import Graph, build_graph


def graph(root: Path, *, use_cache: bool = False, python: str | None = None) -> Graph:
    """The graph; with `python`, third-party owners come from that interpreter (this test's own: a real
    environment where click and packaging are installed)."""
    config = replace(load_config(root), python=python, python_where="test")
    return build_graph(root, config, use_cache=use_cache, jobs=1)


def rows(g: Graph) -> list[tuple[str, int, str, str, str | None, str, str]]:
    return [
        (
            e.path,
            e.line,
            e.importer,
            e.imported,
            e.imported_distribution,
            e.imported_origin.value,
            e.kind.label,
        )
        for e in g.edges
    ]


def test_monorepo_edges(tmp_path: Path) -> None:
    g = graph(make_repo(tmp_path, monorepo_files()))
    assert rows(g) == [
        ("app/main.py", 1, "app.main", "fw", "fw", "staging", "top-level"),
        ("app/main.py", 2, "app.main", "fw.api", "fw", "staging", "top-level"),
        ("staging/fw/fw/__init__.py", 1, "fw", "fw.api", "fw", "staging", "top-level"),
        ("staging/fw/fw/api.py", 1, "fw.api", "importlib", None, "stdlib", "top-level"),
        ("staging/fw/tests/test_fw.py", 1, "tests.test_fw", "fw", "fw", "staging", "top-level"),
        ("staging/prov_a/prov_a/__init__.py", 1, "prov_a", "fw.api", "fw", "staging", "top-level"),
        (
            "staging/prov_b/src/prov_b/__init__.py",
            1,
            "prov_b",
            "prov_b.impl",
            "prov-b",
            "staging",
            "top-level",
        ),
        ("staging/prov_b/src/prov_b/impl.py", 1, "prov_b.impl", "fw.api", "fw", "staging", "top-level"),
    ]
    assert g.edges[0].text == "import fw"
    assert g.edges[1].text == "from fw import api"
    assert g.edges[1].importer_distribution == "app"
    assert g.findings == ()
    assert g.dependency_counts() == {("app", "fw"): 2, ("prov-a", "fw"): 1, ("prov-b", "fw"): 1}
    assert g.adjacency() == {
        "app.main": ("fw", "fw.api"),
        "fw": ("fw.api",),
        "prov_a": ("fw.api",),
        "prov_b": ("prov_b.impl",),
        "prov_b.impl": ("fw.api",),
        "tests.test_fw": ("fw",),
    }


def test_from_import_names_submodules_or_the_package(tmp_path: Path) -> None:
    files = monorepo_files()
    files["app/main.py"] = (
        "from fw import api, load_all\n"  # a module and a name: two edges
        "from fw import *\n"
        "from fw.api import load\n"
        "import fw.missing\n"
        "from . import main\n"
        "from .. import beyond\n"
    )
    edges = graph(make_repo(tmp_path, files)).edges
    got = [
        (e.line, e.imported, e.imported_distribution, e.imported_origin.value)
        for e in edges
        if e.importer == "app.main"
    ]
    assert got == [
        (1, "fw", "fw", "staging"),
        (1, "fw.api", "fw", "staging"),
        (2, "fw", "fw", "staging"),
        (3, "fw.api", "fw", "staging"),
        (4, "fw.missing", "fw", "staging"),  # not a file, but the fw package is the distribution's
        (5, "app.main", "app", "core"),
        (6, "..", None, "unknown"),  # climbs past the top-level package
    ]


def test_kinds_reach_the_edges(tmp_path: Path) -> None:
    files = monorepo_files()
    files["staging/fw/fw/api.py"] = (
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "try:\n"
        "    import yaml\n"
        "except ImportError:\n"
        "    yaml = None\n"
        "if TYPE_CHECKING:\n"
        "    import app\n"
        "def load() -> None:\n"
        "    import prov_a\n"
        "    importlib.import_module('prov_b.impl')\n"
    )
    kinds = {e.imported: e.kind for e in graph(make_repo(tmp_path, files)).edges if e.path.endswith("api.py")}
    assert kinds == {
        "typing": ImportKind.TOP_LEVEL,
        "importlib": ImportKind.TOP_LEVEL,
        "yaml": ImportKind.GUARDED,
        "app": ImportKind.TYPE_CHECKING,
        "prov_a": ImportKind.DEFERRED,
        "prov_b.impl": ImportKind.DYNAMIC | ImportKind.DEFERRED,
    }


def test_classification(tmp_path: Path) -> None:
    files = monorepo_files()
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        'vendor = "vendor"', 'module-distributions = { "weird.sub" = "Weird-Dist", jwt = "PyJWT" }'
    )
    files["staging/fw/fw/api.py"] = (
        "import os.path\n"
        "import click\n"
        "import packaging.version\n"
        "import weird.sub.deep\n"
        "import weird.other\n"
        "import jwt\n"
        "import no_such_module_anywhere\n"
        "import __future__\n"
        "import __main__\n"
    )
    edges = graph(make_repo(tmp_path, files), python=sys.executable).edges
    got = {
        e.imported: (e.imported_distribution, e.imported_origin) for e in edges if e.path.endswith("api.py")
    }
    assert got == {
        "os.path": (None, Origin.STDLIB),
        "click": ("click", Origin.THIRD_PARTY),
        "packaging.version": ("packaging", Origin.THIRD_PARTY),
        "weird.sub.deep": ("Weird-Dist", Origin.THIRD_PARTY),
        "weird.other": (None, Origin.UNKNOWN),
        "jwt": ("PyJWT", Origin.THIRD_PARTY),
        "no_such_module_anywhere": (None, Origin.UNKNOWN),
        "__future__": (None, Origin.STDLIB),
        "__main__": (None, Origin.STDLIB),
    }


def test_first_party_wins_over_installed_metadata(tmp_path: Path) -> None:
    """`depgraph` is installed (editable) in this interpreter; a repository of its own still owns the name."""
    files = {
        "pyproject.toml": pyproject("mono") + "[tool.depgraph]\nstaging = ['staging/*']\n",
        "mono/__init__.py": "import depgraph\nimport click\n",
        "staging/dg/pyproject.toml": pyproject("my-depgraph"),
        "staging/dg/depgraph/__init__.py": "",
    }
    got = {
        e.imported: (e.imported_distribution, e.imported_origin)
        for e in graph(make_repo(tmp_path, files), python=sys.executable).edges
    }
    assert got == {"depgraph": ("my-depgraph", Origin.STAGING), "click": ("click", Origin.THIRD_PARTY)}


def test_override_naming_a_workspace_distribution(tmp_path: Path) -> None:
    files = monorepo_files()
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        'vendor = "vendor"', 'module-distributions = { generated = "fw" }'
    )
    files["app/main.py"] = "import generated.stubs\n"
    (edge,) = [e for e in graph(make_repo(tmp_path, files)).edges if e.importer == "app.main"]
    assert (edge.imported_distribution, edge.imported_origin) == ("fw", Origin.STAGING)


def test_namespace_package_targets(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": pyproject("core") + "[tool.depgraph]\nstaging = ['libs/*']\n",
        "core/__init__.py": "from acme import one, two\nimport acme.one.api\n",
        "libs/one/pyproject.toml": pyproject("acme-one"),
        "libs/one/src/acme/one/__init__.py": "",
        "libs/one/src/acme/one/api.py": "from acme import two\n",
        "libs/two/pyproject.toml": pyproject("acme-two"),
        "libs/two/src/acme/two/__init__.py": "",
    }
    got = [(e.importer, e.imported, e.imported_distribution) for e in graph(make_repo(tmp_path, files)).edges]
    assert got == [
        ("core", "acme.one", "acme-one"),
        ("core", "acme.two", "acme-two"),
        ("core", "acme.one.api", "acme-one"),
        ("acme.one.api", "acme.two", "acme-two"),
    ]


def test_test_modules_with_the_same_name_resolve_to_their_own_distribution(tmp_path: Path) -> None:
    files = monorepo_files() | {
        "staging/fw/tests/__init__.py": "",
        "staging/fw/tests/helpers.py": "",
        "staging/fw/tests/test_x.py": "from tests import helpers\n",
        "staging/prov_a/tests/__init__.py": "",
        "staging/prov_a/tests/helpers.py": "",
        "staging/prov_a/tests/test_y.py": "from . import helpers\n",
    }
    g = graph(make_repo(tmp_path, files))
    got = {(e.path, e.imported, e.imported_distribution) for e in g.edges if "helpers" in e.imported}
    assert got == {
        ("staging/fw/tests/test_x.py", "tests.helpers", "fw"),
        ("staging/prov_a/tests/test_y.py", "tests.helpers", "prov-a"),
    }
    assert {m.path for m in g.modules if m.is_test} >= {
        "staging/fw/tests/test_x.py",
        "staging/prov_a/tests/test_y.py",
    }


def test_parse_errors_are_findings_and_the_rest_goes_on(tmp_path: Path) -> None:
    files = monorepo_files()
    # A syntax error the extractor sees (above an import; one far from every import it may not: see
    # depgraph.extract.extractor.extract, and depgraph.extract.syntax for `check`); the graph turns it into a
    # finding.
    files["staging/fw/fw/api.py"] = 'import os\nname = "unterminated\nimport sys\n'
    root = make_repo(tmp_path, files)
    (root / "staging/prov_a/prov_a/latin.py").write_bytes(b"import sys\nx = '\xff'\n")
    g = graph(root)
    assert [(f.check, f.level, f.path, f.line) for f in g.findings] == [
        ("parse-error", Level.ERROR, "staging/fw/fw/api.py", 2),
        ("parse-error", Level.ERROR, "staging/prov_a/prov_a/latin.py", 2),
    ]
    assert all(f.message.startswith("cannot read imports: ") and "\n" not in f.message for f in g.findings)
    assert ("app/main.py", 1) in {(e.path, e.line) for e in g.edges}


def test_parse_error_level_follows_config(tmp_path: Path) -> None:
    files = monorepo_files()
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        'vendor = "vendor"', 'checks = { parse-error = "warn" }'
    )
    files["app/bad.py"] = "from x import (a,\n"
    (finding,) = graph(make_repo(tmp_path, files)).findings
    assert finding.level is Level.WARN


def test_deterministic_and_cache_gives_the_same_graph(tmp_path: Path) -> None:
    root = make_repo(tmp_path, monorepo_files())
    cold = graph(root, use_cache=True)
    warm = graph(root, use_cache=True)
    uncached = graph(root)
    assert cold.edges == warm.edges == uncached.edges
    assert cold.modules == warm.modules
    (root / "app/main.py").write_text("import prov_a\n")
    changed = graph(root, use_cache=True)
    assert [(e.path, e.imported) for e in changed.edges if e.path == "app/main.py"] == [
        ("app/main.py", "prov_a")
    ]


def test_installed_packages_cache(tmp_path: Path) -> None:
    env = load_environment(sys.executable, "test", None)
    assert installed_packages(None, STATIC) == {}  # no environment named: nothing installed decides
    fresh = installed_packages(None, env)
    assert fresh["click"] == ("click",)
    first = installed_packages(tmp_path, env)
    assert sorted(p.name.startswith("installed-") for p in tmp_path.iterdir()) == [False, True]
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "*\n"  # the cache folder's own
    assert installed_packages(tmp_path, env) == first == fresh
    # A corrupt cache file is ignored and rewritten.
    (cache_file,) = tmp_path.glob("installed-*")
    cache_file.write_bytes(b"garbage")
    assert installed_packages(tmp_path, env) == fresh
    # A map from another environment is dropped when this one is written.
    (tmp_path / "installed-0123.pickle").write_bytes(b"old")
    cache_file.unlink()
    installed_packages(tmp_path, env)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", cache_file.name]


def test_this_repository(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    g = build_graph(root, load_config(root), use_cache=False, jobs=1)
    names = {d.name: d.origin for d in g.distributions}
    assert names["monorepo-staging-tools"] is Origin.FIRST_PARTY
    assert names["cloud-provider"] is Origin.STAGING
    edge = next(
        e
        for e in g.edges
        if e.path == "tools/depgraph/graph/graph.py" and e.imported == "depgraph.discover.workspace"
    )
    assert (edge.imported_distribution, edge.imported_origin) == (
        "monorepo-staging-tools",
        Origin.FIRST_PARTY,
    )
    assert len(g.edges) > 100


def test_helpers_filter_tests_and_kinds(tmp_path: Path) -> None:
    files = monorepo_files()
    files["staging/prov_a/prov_a/__init__.py"] = (
        "from fw.api import load\ndef later():\n    import prov_b.impl\n"
    )
    files["staging/prov_a/tests/test_a.py"] = "import prov_b\nimport click\n"
    g = graph(make_repo(tmp_path, files), python=sys.executable)
    assert g.dependency_counts() == {
        ("app", "fw"): 2,
        ("prov-a", "click"): 1,
        ("prov-a", "fw"): 1,
        ("prov-a", "prov-b"): 2,
        ("prov-b", "fw"): 1,
    }
    assert g.dependency_counts(include_tests=False) == {
        ("app", "fw"): 2,
        ("prov-a", "fw"): 1,
        ("prov-a", "prov-b"): 1,
        ("prov-b", "fw"): 1,
    }
    assert g.adjacency({ImportKind.TOP_LEVEL})["prov_a"] == ("fw.api",)
    assert g.adjacency()["prov_a"] == ("fw.api", "prov_b.impl")
    assert g.distribution("prov-b") is not None and g.distribution("nope") is None


def test_a_file_the_extractor_skips_is_not_silently_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defensive: an extraction result missing a file must not silently drop that file's imports.

    The real extractor never does this; the test replaces `extract_resolved` (only here) to make it happen.
    """
    real = graph_module.extract_resolved

    def forgetful(files: list[tuple[SourceFile, object, object]], **kwargs: object) -> list[object]:
        found = real(files, **kwargs)  # type: ignore[arg-type]
        return [
            one
            for (source, _, _), one in zip(files, found, strict=True)
            if not source.path.endswith("impl.py")
        ]

    monkeypatch.setattr(graph_module, "extract_resolved", forgetful)
    with pytest.raises(ValueError, match="zip"):
        graph(make_repo(tmp_path, monorepo_files()))


def _install_fake_distribution(site: Path, name: str, files: list[str]) -> None:
    """A real (if tiny) installed distribution: a .dist-info with METADATA and RECORD, files on disk."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    record = [f"{f},," for f in files] + [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(record) + "\n")
    for f in files:
        (site / f).parent.mkdir(parents=True, exist_ok=True)
        (site / f).write_text("")


def test_third_party_namespace_package_shared_by_two_distributions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _install_fake_distribution(site, "zzacme-one", ["zzacme/one/__init__.py", "zzacme/one/core.py"])
    _install_fake_distribution(site, "zzacme-two", ["zzacme/two/__init__.py", "zzacme/helpers.py"])
    _install_fake_distribution(site, "zzacme-three", ["zzacme/deep/three/__init__.py", "zzacme/deep/x.py"])
    _install_fake_distribution(site, "zzacme-four", ["zzacme/deep/four.py"])
    monkeypatch.setenv("PYTHONPATH", str(site))  # the interpreter named with --python sees it
    files = monorepo_files()
    files["app/main.py"] = (
        "import zzacme.one.core\n"
        "from zzacme import two, helpers\n"
        "from zzacme.deep import four\n"
        "from zzacme.deep.three import something\n"
        "import zzacme.deep\n"
    )
    edges = graph(make_repo(tmp_path / "repo", files), python=sys.executable).edges
    got = [(e.line, e.imported, e.imported_distribution) for e in edges if e.importer == "app.main"]
    assert got == [
        (1, "zzacme.one.core", "zzacme-one"),
        (2, "zzacme.helpers", "zzacme-two"),
        (2, "zzacme.two", "zzacme-two"),
        (3, "zzacme.deep.four", "zzacme-four"),
        (4, "zzacme.deep.three.something", "zzacme-three"),
        (5, "zzacme.deep", "zzacme-four"),  # held by two: the first, in name order
    ]


@pytest.mark.parametrize("use_cache", [False, True])
def test_a_build_in_worker_processes_equals_one_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_cache: bool
) -> None:
    """Workers extract and resolve; their results arrive frozen and are thawed only when read."""
    from depgraph.extract import pool  # noqa: PLC0415

    files = monorepo_files()
    for i in range(30):
        files[f"app/gen{i}.py"] = (
            f"import os\nfrom app import gen{(i + 1) % 30}\n\n\ndef f():\n    import json\n"
            "    # depgraph: ignore[import-cycle] generated\n"
        )
    files["app/broken.py"] = 'x = "unterminated\nimport os\n'
    root = make_repo(tmp_path / "repo", files)
    serial = build_graph(root, load_config(root), use_cache=False, jobs=1)
    monkeypatch.setattr(pool, "PARALLEL_MIN_BYTES", 0)
    real = pool._local

    def slow(item: tuple[str, str, bool, int], data: object = None) -> object:
        time.sleep(0.005)  # so that the forked child surely takes some of the chunks
        return real(item, data)  # type: ignore[arg-type]

    monkeypatch.setattr(pool, "_local", slow)
    parallel = build_graph(root, load_config(root), use_cache=use_cache, jobs=2)
    assert any(isinstance(one, tuple) for one in parallel.imports._ready.values())  # type: ignore[attr-defined]
    assert parallel == serial
    assert dict(parallel.imports) == dict(serial.imports)
    assert [f.path for f in parallel.findings] == ["app/broken.py"]
    assert parallel.imports["app/gen3.py"].suppressions[0].checks == ("import-cycle",)
