"""This repository's own [tool.depgraph] restrictions, on a small copy of its shape with planted imports."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from dg_fixtures import make_repo, pyproject

from depgraph.checks import run_checks
from depgraph.checks.restriction import dist_matches
from depgraph.discover.config import load_config
from depgraph.discover.workspace import load_workspace
from depgraph.graph.graph import build_graph

REPO = Path(__file__).resolve().parents[3]


def shaped_like_this_repo(tmp_path: Path, extra: dict[str, str]) -> Path:
    files = {
        "pyproject.toml": (REPO / "pyproject.toml").read_text(encoding="utf-8"),
        "cloud_controller_manager/__init__.py": "",
        "cloud_controller_manager/main.py": "import cloud_provider\n",
        "tools/pyproject.toml": pyproject("monorepo-staging-tools")
        + "[tool.setuptools.packages.find]\ninclude = ['depgraph*', 'publish*']\n",
        "tools/depgraph/__init__.py": "",
        "tools/publish/__init__.py": "",
        "staging/cloud_provider/pyproject.toml": pyproject("cloud-provider"),
        "staging/cloud_provider/cloud_provider/__init__.py": "",
    }
    for vendor in ("aws", "baremetal", "fake"):
        files[f"staging/cloud_provider_{vendor}/pyproject.toml"] = pyproject(
            f"cloud-provider-{vendor}", ["cloud-provider"]
        )
        files[f"staging/cloud_provider_{vendor}/src/cloud_provider_{vendor}/__init__.py"] = (
            f"import cloud_provider\nfrom cloud_provider_{vendor} import __name__ as me\n"
        )
    return make_repo(tmp_path, files | extra)


def violations(root: Path) -> list[tuple[str, int, str]]:
    config = load_config(root)
    result = run_checks(build_graph(root, config, use_cache=False, jobs=1), config, only=("restriction",))
    return [(f.path, f.line, f.message.rsplit("restriction ", 1)[-1]) for f in result.findings]


def test_clean_shape_has_no_violation(tmp_path: Path) -> None:
    assert violations(shaped_like_this_repo(tmp_path, {})) == []


@pytest.mark.parametrize(
    ("path", "text", "rule"),
    [
        ("cloud_controller_manager/pick.py", "import cloud_provider_aws\n", "`vendor-neutral-core`"),
        (
            "cloud_controller_manager/lazy.py",
            "def f():\n    import importlib\n    return importlib.import_module('cloud_provider_fake')\n",
            "`vendor-neutral-core`",
        ),
        (
            "staging/cloud_provider/cloud_provider/x.py",
            "from cloud_provider_baremetal import y\n",
            "`vendor-neutral-core`",
        ),
        (
            "staging/cloud_provider_aws/src/cloud_provider_aws/x.py",
            "import cloud_provider_fake\n",
            "`providers-stand-alone`",
        ),
        (
            "staging/cloud_provider_fake/src/cloud_provider_fake/x.py",
            "import cloud_provider_aws.lb\n",
            "`providers-stand-alone`",
        ),
        (
            "staging/cloud_provider_baremetal/src/cloud_provider_baremetal/x.py",
            "import cloud_provider_aws\n",
            "`providers-stand-alone`",
        ),
        (
            "staging/cloud_provider/cloud_provider/y.py",
            "from depgraph import graph\n",
            "`no-tools-in-the-product`",
        ),
        ("cloud_controller_manager/z.py", "import publish\n", "`no-tools-in-the-product`"),
    ],
)
def test_planted_violation(tmp_path: Path, path: str, text: str, rule: str) -> None:
    root = shaped_like_this_repo(tmp_path, {path: text})
    line = 3 if "import_module" in text else 1
    assert violations(root) == [(path, line, rule)]


def test_every_provider_of_this_repository_is_held_by_the_stand_alone_rule() -> None:
    """A provider added to staging/ outside the rule could import its siblings unnoticed."""
    config = load_config(REPO)
    providers = sorted(
        d.name for d in load_workspace(REPO, config).staging if d.name.startswith("cloud-provider-")
    )
    assert providers, "this repository has providers in staging/"
    (rule,) = [r for r in config.restrictions if r.name == "providers-stand-alone"]
    assert [p for p in providers if not dist_matches(p, rule.from_distributions)] == []
    assert [p for p in providers if not dist_matches(p, rule.deny)] == []


# depgraph's own stages, bottom to top (the `depgraph-layers-*` rules of this repository's pyproject.toml).
STAGES = ["base", "discover", "extract", "graph", "checks", "render"]


def _depgraph_stages(extra: dict[str, str]) -> dict[str, str]:
    return {f"tools/depgraph/{s}/__init__.py": "" for s in [*STAGES, "vendor", "cli"]} | extra


@pytest.mark.parametrize(("lower", "upper"), list(itertools.pairwise(STAGES)))
def test_depgraph_stage_imports_down_never_up(tmp_path: Path, lower: str, upper: str) -> None:
    planted = {
        f"tools/depgraph/{upper}/down.py": f"from depgraph.{lower} import x\n",
        f"tools/depgraph/{lower}/x.py": f"def f():\n    from depgraph.{upper} import down\n",
    }
    root = shaped_like_this_repo(tmp_path, _depgraph_stages(planted))
    assert violations(root) == [(f"tools/depgraph/{lower}/x.py", 2, f"`depgraph-layers-{lower}`")]


def test_depgraph_vendor_stands_beside_the_flow(tmp_path: Path) -> None:
    planted = {
        "tools/depgraph/vendor/tree.py": "from depgraph.discover import w\nfrom depgraph.graph import g\n",
        "tools/depgraph/render/page.py": "import depgraph.vendor.tree\n",
        "tools/depgraph/cli/run.py": "from depgraph.vendor import tree\nfrom depgraph.render import page\n",
    }
    root = shaped_like_this_repo(tmp_path, _depgraph_stages(planted))
    assert violations(root) == [
        ("tools/depgraph/render/page.py", 1, "`depgraph-layers-render`"),
        ("tools/depgraph/vendor/tree.py", 2, "`depgraph-layers-vendor`"),
    ]


def test_every_depgraph_stage_but_the_cli_is_held_by_a_layer_rule() -> None:
    """A stage added to tools/depgraph outside the rules could import upwards unnoticed."""
    stages = sorted(p.parent.name for p in (REPO / "tools/depgraph").glob("*/__init__.py"))
    rules = {r.from_modules for r in load_config(REPO).restrictions if r.name.startswith("depgraph-layers-")}
    assert sorted(m.removeprefix("depgraph.") for (m,) in rules) == [s for s in stages if s != "cli"]
