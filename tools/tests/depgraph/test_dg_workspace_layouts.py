"""Import packages named by each build backend's configuration, and the src/flat guesses without one."""

from __future__ import annotations

from pathlib import Path

import pytest
from dg_fixtures import make_repo, pyproject

from depgraph.base.errors import ConfigError
from depgraph.discover.config import load_config
from depgraph.discover.workspace import load_workspace

ROOT = pyproject("core") + "[tool.depgraph]\nstaging = ['libs/*']\n"


def layout_of(tmp_path: Path, tool: str, files: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    lib = {f"libs/lib/{k}": v for k, v in files.items()}
    root = make_repo(
        tmp_path, {"pyproject.toml": ROOT, "libs/lib/pyproject.toml": pyproject("lib") + tool} | lib
    )
    ws = load_workspace(root, load_config(root))
    dist = ws.distribution("lib")
    assert dist is not None
    return dist.source_roots, dist.import_packages


@pytest.mark.parametrize(
    ("tool", "files", "expected"),
    [
        (  # hatch: explicit package paths
            "[tool.hatch.build.targets.wheel]\npackages = ['src/alpha', 'src/beta']\n",
            {"src/alpha/__init__.py": "", "src/beta/__init__.py": "", "src/gamma/__init__.py": ""},
            (("libs/lib/src",), ("alpha", "beta")),
        ),
        (  # poetry: include + from
            "[tool.poetry]\npackages = [{ include = 'alpha', from = 'lib_src' }, "
            "{ include = 'one.py', from = 'lib_src' }]\n",
            {"lib_src/alpha/__init__.py": "", "lib_src/one.py": "", "lib_src/other.py": ""},
            (("libs/lib/lib_src",), ("alpha", "one")),
        ),
        (  # flit: the module name
            "[tool.flit.module]\nname = 'alpha'\n",
            {"alpha/__init__.py": "", "beta/__init__.py": ""},
            (("libs/lib",), ("alpha",)),
        ),
        (  # pdm: package-dir
            "[tool.pdm.build]\npackage-dir = 'code'\n",
            {"code/alpha/__init__.py": "", "code/tool.py": ""},
            (("libs/lib/code",), ("alpha", "tool")),
        ),
        (  # setuptools find with where + exclude
            "[tool.setuptools.packages.find]\nwhere = ['py']\nexclude = ['beta*']\n",
            {"py/alpha/__init__.py": "", "py/beta/__init__.py": ""},
            (("libs/lib/py",), ("alpha",)),
        ),
        (  # no configuration, src/ present: the src layout (every name under it counts)
            "",
            {"src/alpha/__init__.py": "", "src/tools/__init__.py": "", "src/solo.py": ""},
            (("libs/lib/src",), ("alpha", "solo", "tools")),
        ),
        (  # no configuration, src/ is a package: flat (as in setuptools, `src`, `docs` are no packages)
            "",
            {"src/__init__.py": "", "docs/conf.py": "", "alpha/__init__.py": ""},
            (("libs/lib",), ("alpha",)),
        ),
    ],
)
def test_layouts(
    tmp_path: Path, tool: str, files: dict[str, str], expected: tuple[tuple[str, ...], tuple[str, ...]]
) -> None:
    assert layout_of(tmp_path, tool, files) == expected


def test_missing_source_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"libs/lib/pyproject.toml: source folder 'nope' does not exist"):
        layout_of(tmp_path, "[tool.setuptools.package-dir]\n'' = 'nope'\n", {})


def test_bad_poetry_entry(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"tool.poetry.packages\[0\].include: expected a string"):
        layout_of(tmp_path, "[tool.poetry]\npackages = [{ from = 'src' }]\n", {})
