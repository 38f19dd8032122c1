"""Workspace discovery on real temporary trees: layouts, namespaces, tests folders, excludes, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from dg_fixtures import ROOT_TOOL, make_repo, monorepo_files, pyproject

from depgraph.base.errors import ConfigError
from depgraph.base.model import Origin
from depgraph.discover.config import load_config
from depgraph.discover.workspace import Workspace, load_workspace, normalize


def workspace(root: Path) -> Workspace:
    return load_workspace(root, load_config(root))


def test_monorepo_distributions(tmp_path: Path) -> None:
    ws = workspace(make_repo(tmp_path, monorepo_files()))
    summary = [(d.name, d.origin, d.root, d.source_roots, d.import_packages) for d in ws.distributions]
    assert summary == [
        ("app", Origin.CORE, ".", (".",), ("app",)),
        ("fw", Origin.STAGING, "staging/fw", ("staging/fw",), ("fw",)),
        ("prov-a", Origin.STAGING, "staging/prov_a", ("staging/prov_a",), ("prov_a",)),
        ("prov-b", Origin.STAGING, "staging/prov_b", ("staging/prov_b/src",), ("prov_b",)),
    ]
    core = ws.core
    assert core is not None and core.name == "app"
    assert core.requires == ("fw",)
    assert core.extras == (("a", ("prov-a",)), ("b", ("prov-b",)))
    assert core.pyproject == "pyproject.toml"
    assert [d.name for d in ws.staging] == ["fw", "prov-a", "prov-b"]
    assert ws.distribution("PROV_A") is ws.distributions[2]
    assert ws.distribution("nope") is None


def test_monorepo_modules(tmp_path: Path) -> None:
    ws = workspace(make_repo(tmp_path, monorepo_files()))
    rows = [(m.name, m.path, m.distribution, m.is_package, m.is_test) for m in ws.modules]
    assert rows == [
        ("app", "app/__init__.py", "app", True, False),
        ("app.main", "app/main.py", "app", False, False),
        ("fw", "staging/fw/fw/__init__.py", "fw", True, False),
        ("fw.api", "staging/fw/fw/api.py", "fw", False, False),
        ("prov_a", "staging/prov_a/prov_a/__init__.py", "prov-a", True, False),
        ("prov_b", "staging/prov_b/src/prov_b/__init__.py", "prov-b", True, False),
        ("prov_b.impl", "staging/prov_b/src/prov_b/impl.py", "prov-b", False, False),
        ("tests.test_fw", "staging/fw/tests/test_fw.py", "fw", False, True),
    ]
    assert ws.by_name["fw.api"].distribution == "fw"
    assert set(ws.by_distribution["prov-b"]) == {"prov_b", "prov_b.impl"}
    assert dict(ws.namespaces) == {}


def test_vendor_venv_hidden_and_other_distributions_are_not_walked(tmp_path: Path) -> None:
    files = monorepo_files()
    files |= {
        ".venv/lib/site.py": "",
        ".hidden/pkg/__init__.py": "",
        "node_modules/x/__init__.py": "",
        "app/__pycache__/junk.py": "",
        "docs/conf.py": "",
        "scripts/release.py": "",
        "setup.py": "",
        "tool.py": "import os\n",
        "hack/gen.py": "",  # a folder without __init__.py and no regular package beneath: not a package
    }
    root = make_repo(tmp_path, files)
    (root / "vendor").mkdir()
    (root / "vendor/fw").symlink_to("../staging/fw/fw")
    ws = workspace(root)
    core = ws.core
    assert core is not None
    assert core.import_packages == ("app", "tool")
    assert sorted(m.path for m in ws.modules if m.distribution == "app") == [
        "app/__init__.py",
        "app/main.py",
        "tool.py",
    ]


def test_tests_folders_everywhere_and_configurable(tmp_path: Path) -> None:
    files = monorepo_files()
    files |= {
        "tests/test_app.py": "import app\n",
        "staging/fw/fw/tests/__init__.py": "",
        "staging/fw/fw/tests/test_api.py": "",
        "staging/prov_b/tests/conftest.py": "",
        "staging/prov_b/src/prov_b/testing/helpers.py": "",
        "conftest.py": "import pytest\n",
        "staging/prov_b/conftest.py": "",
    }
    root = make_repo(tmp_path, files)
    tests = {(m.path, m.name) for m in workspace(root).modules if m.is_test}
    assert tests == {
        ("tests/test_app.py", "tests.test_app"),
        ("staging/fw/tests/test_fw.py", "tests.test_fw"),
        ("staging/fw/fw/tests/__init__.py", "fw.tests"),
        ("staging/fw/fw/tests/test_api.py", "fw.tests.test_api"),
        ("staging/prov_b/tests/conftest.py", "tests.conftest"),
        ("conftest.py", "conftest"),
        ("staging/prov_b/conftest.py", "conftest"),
    }
    text = (root / "pyproject.toml").read_text().replace('vendor = "vendor"', 'tests = ["testing"]')
    (root / "pyproject.toml").write_text(text)
    tests = {m.path for m in workspace(root).modules if m.is_test}
    assert tests == {
        "staging/prov_b/src/prov_b/testing/helpers.py",
        "conftest.py",
        "staging/prov_b/conftest.py",
        # test folders beside the packages are never shipped: tests whatever the `tests` key says
        "tests/test_app.py",
        "staging/fw/tests/test_fw.py",
        "staging/prov_b/tests/conftest.py",
    }


def test_exclude_globs(tmp_path: Path) -> None:
    files = monorepo_files()
    files["staging/fw/fw/fixtures/bad.py"] = "x = (\n"
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        'vendor = "vendor"', 'exclude = ["staging/*/fw/fixtures", "*/impl.py"]'
    )
    paths = {m.path for m in workspace(make_repo(tmp_path, files)).modules}
    assert "staging/fw/fw/fixtures/bad.py" not in paths
    assert "staging/prov_b/src/prov_b/impl.py" not in paths
    assert "staging/fw/fw/api.py" in paths


def test_exclude_a_whole_staging_folder(tmp_path: Path) -> None:
    files = monorepo_files() | {"staging/wip/README.md": "no pyproject yet"}
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        'vendor = "vendor"', 'exclude = ["staging/wip"]'
    )
    ws = workspace(make_repo(tmp_path, files))
    assert [d.name for d in ws.staging] == ["fw", "prov-a", "prov-b"]


def test_pep420_namespace_shared_by_two_distributions(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": pyproject("root") + "[tool.depgraph]\nstaging = ['libs/*']\n",
        "libs/one/pyproject.toml": pyproject("acme-one"),
        "libs/one/src/acme/one/__init__.py": "",
        "libs/one/src/acme/one/core.py": "",
        "libs/two/pyproject.toml": pyproject("acme-two"),
        "libs/two/acme/two/__init__.py": "",
    }
    ws = workspace(make_repo(tmp_path, files))
    assert [(d.name, d.import_packages) for d in ws.staging] == [
        ("acme-one", ("acme",)),
        ("acme-two", ("acme",)),
    ]
    assert dict(ws.namespaces) == {"acme": ("acme-one", "acme-two")}
    assert ws.by_name["acme.one.core"].distribution == "acme-one"
    assert ws.by_name["acme.two"].distribution == "acme-two"


def test_setuptools_configuration_is_honoured(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": pyproject("core")
        + "[tool.setuptools.packages.find]\ninclude = ['core_pkg*']\n"
        + "[tool.depgraph]\nstaging = ['staging/*']\n",
        "core_pkg/__init__.py": "",
        "other_pkg/__init__.py": "",
        "staging/lib/pyproject.toml": pyproject("lib")
        + "[tool.setuptools]\npackages = ['lib_a', 'lib_a.sub']\npy-modules = ['lib_mod']\n"
        + "[tool.setuptools.package-dir]\n'' = 'python'\n",
        "staging/lib/python/lib_a/__init__.py": "",
        "staging/lib/python/lib_a/sub/__init__.py": "",
        "staging/lib/python/lib_mod.py": "",
        "staging/lib/python/stray.py": "",
    }
    ws = workspace(make_repo(tmp_path, files))
    assert [(d.name, d.source_roots, d.import_packages) for d in ws.distributions] == [
        ("core", (".",), ("core_pkg",)),
        ("lib", ("staging/lib/python",), ("lib_a", "lib_mod")),
    ]


def test_root_without_project_has_no_core(tmp_path: Path) -> None:
    files = monorepo_files()
    files["pyproject.toml"] = ROOT_TOOL
    ws = workspace(make_repo(tmp_path, files))
    assert ws.core is None
    assert [d.name for d in ws.distributions] == ["fw", "prov-a", "prov-b"]


def test_normalize() -> None:
    assert normalize("Cloud_Provider.AWS") == "cloud-provider-aws"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"staging/empty/README.md": "no pyproject"},
            "tool.depgraph.staging: staging/empty/ has no pyproject.toml",
        ),
        ({"staging/noname/pyproject.toml": "[project]\nversion = '1'\n"}, "project.name: missing"),
        (
            {"staging/num/pyproject.toml": "[project]\nname = 3\n"},
            "project.name: expected a non-empty string, got 3",
        ),
        (
            {"pyproject.toml": "[project]\nversion = '1'\n[tool.depgraph]\n"},
            "pyproject.toml: project.name: missing",
        ),
        (
            {"staging/dup/pyproject.toml": pyproject("FW")},
            "staging/fw/pyproject.toml: project.name: 'fw' is also the name of staging/dup/pyproject.toml",
        ),
        ({"staging/bad/pyproject.toml": "[project\n"}, "staging/bad/pyproject.toml: invalid TOML"),
        (
            {"staging/deps/pyproject.toml": "[project]\nname = 'd'\ndependencies = 'fw'\n"},
            "project.dependencies: expected a list of strings",
        ),
    ],
)
def test_bad_distributions(tmp_path: Path, change: dict[str, str], expected: str) -> None:
    root = make_repo(tmp_path, monorepo_files() | change)
    with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace("(", r"\(")):
        workspace(root)


def test_missing_configured_folder(tmp_path: Path) -> None:
    files = monorepo_files()
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        'vendor = "vendor"', 'distributions = ["tools"]'
    )
    root = make_repo(tmp_path, files)
    with pytest.raises(ConfigError, match=r"pyproject.toml: tool.depgraph.distributions: no folder 'tools'"):
        workspace(root)


def test_symlink_loop_is_a_config_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path, monorepo_files())
    (root / "staging/fw/fw/loop").symlink_to("..")
    with pytest.raises(ConfigError, match=r"staging/fw/fw/loop: symlink loop"):
        workspace(root)


def test_self_referencing_symlink_is_a_config_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path, monorepo_files())
    (root / "staging/fw/fw/self").symlink_to("self")
    with pytest.raises(ConfigError, match=r"staging/fw/fw/self: symlink loop"):
        workspace(root)


def test_symlinked_folder_and_dangling_link_inside_a_package(tmp_path: Path) -> None:
    root = make_repo(tmp_path, monorepo_files() | {"shared/extra/__init__.py": ""})
    (root / "staging/fw/fw/extra").symlink_to("../../../shared/extra")
    (root / "staging/fw/fw/gone.py").symlink_to("missing.py")
    names = {m.name for m in workspace(root).modules}
    assert "fw.extra" in names
    assert "fw.gone" not in names


def test_top_level_tests_package_in_a_src_layout_is_a_test(tmp_path: Path) -> None:
    files = monorepo_files() | {
        "staging/prov_b/src/tests/__init__.py": "",
        "staging/prov_b/src/tests/test_b.py": "",
    }
    ws = workspace(make_repo(tmp_path, files))
    flags = {m.path: m.is_test for m in ws.modules if m.distribution == "prov-b"}
    assert flags == {
        "staging/prov_b/src/prov_b/__init__.py": False,
        "staging/prov_b/src/prov_b/impl.py": False,
        "staging/prov_b/src/tests/__init__.py": True,
        "staging/prov_b/src/tests/test_b.py": True,
    }
