"""Declarations from every common build backend, read through the real CLI on generated monorepos.

Each test asserts the exact set of findings (check, file:line) of `depgraph check`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cli_inprocess
from dg_fixtures import make_repo

DEPGRAPH = str(Path(sys.executable).parent / "depgraph")


def findings(root: Path, *args: str) -> set[tuple[str, str]]:
    return set(messages(root, *args))


def messages(root: Path, *args: str) -> dict[tuple[str, str], str]:
    """(check, path:line) -> message + hint of every finding of `depgraph check -f json`."""
    done = cli_inprocess.run(
        [DEPGRAPH, "check", "--root", str(root), "--no-cache", "-f", "json", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(root)},
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    found = json.loads(done.stdout)["findings"]
    return {(f["check"], f"{f['path']}:{f['line']}"): f"{f['message']} | {f['hint']}" for f in found}


POETRY_ROOT = """
[tool.poetry]
name = "app"
version = "0.1.0"
packages = [{ include = "app" }]

[tool.poetry.dependencies]
python = "^3.10"
lib-a = { path = "libs/a", develop = true }

[tool.depgraph]
distributions = ["libs/*"]
include-tests = true
"""

POETRY_LIB = """
[tool.poetry]
name = "lib-a"
version = "0.1.0"
packages = [{ include = "lib_a", from = "src" }]

[tool.poetry.dependencies]
python = "^3.10"
packaging = { version = ">=23", markers = "python_version >= '3.8'" }
"networkx" = { version = "^3", optional = true }
click = [{ version = "^8", python = "<3.12" }, { version = "^8.1", python = ">=3.12" }]

[tool.poetry.extras]
graph = ["networkx"]

[tool.poetry.group.test.dependencies]
pytest = "^8"

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
"""

PDM_LIB = """
[project]
name = "lib-b"
version = "0.1.0"
dependencies = ["click>=8"]

[tool.pdm.dev-dependencies]
test = ["pytest>=8"]

[tool.pdm.build]
package-dir = "src"

[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"
"""

SETUPTOOLS_DYNAMIC = """
[project]
name = "lib-c"
version = "0.1.0"
dynamic = ["dependencies"]

[dependency-groups]
test = ["pytest>=8"]

[tool.setuptools.dynamic]
dependencies = { file = ["requirements.txt"] }
"""

UNKNOWN_DYNAMIC = """
[project]
name = "lib-d"
version = "0.1.0"
dynamic = ["dependencies"]

[build-system]
requires = ["some-backend"]
build-backend = "some.backend"
"""


def test_poetry_pdm_setuptools_dynamic_and_groups(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": POETRY_ROOT,
            "app/__init__.py": "import lib_a\n",
            "libs/a/pyproject.toml": POETRY_LIB,
            "libs/a/src/lib_a/__init__.py": "import click\n\nimport lib_b\n",
            "libs/a/src/lib_a/graph.py": "def draw():\n    import networkx\n",
            "libs/a/tests/test_a.py": "import pytest\n\nimport lib_a\nimport lib_c\n",
            "libs/b/pyproject.toml": PDM_LIB,
            "libs/b/src/lib_b/__init__.py": "import click\n",
            "libs/b/tests/test_b.py": "import pytest\n",
            "libs/c/pyproject.toml": SETUPTOOLS_DYNAMIC,
            "libs/c/requirements.txt": "# runtime\nclick>=8\nnetworkx  # drawing\n",
            "libs/c/lib_c/__init__.py": "import click\n",
            "libs/c/tests/test_c.py": "import pytest\n",
            "libs/d/pyproject.toml": UNKNOWN_DYNAMIC,
            "libs/d/lib_d/__init__.py": "import lib_b\nimport click\n",
        },
    )
    said = messages(root)
    assert said[("unused-dependency", "libs/a/pyproject.toml:8")].startswith(
        "`lib-a` declares `packaging; python_version >= '3.8'` in [tool.poetry.dependencies], but"
    )
    assert (
        "add `lib-b` to [tool.poetry.dependencies] (or an extra) in libs/a/pyproject.toml"
        in (said[("undeclared-dependency", "libs/a/src/lib_a/__init__.py:3")])
    )
    assert (
        "in libs/c/requirements.txt (dynamic dependencies), but"
        in said[("unused-dependency", "libs/c/requirements.txt:3")]
    )
    assert said[("unused-dependency", "libs/c/requirements.txt:3")].endswith(
        "on its line in libs/c/requirements.txt"
    )
    assert set(said) == {
        # a Poetry-only distribution: its sibling import is undeclared; `packaging` (markers kept) unused
        ("undeclared-dependency", "libs/a/src/lib_a/__init__.py:3"),
        ("unused-dependency", "libs/a/pyproject.toml:8"),
        # a test may import what a development group declares (pytest), not an undeclared sibling
        ("undeclared-dependency", "libs/a/tests/test_a.py:4"),
        # setuptools dynamic dependencies: the requirement's line in requirements.txt
        ("unused-dependency", "libs/c/requirements.txt:3"),
        # lib-d's dependencies come from a backend depgraph cannot read: not judged
    }


def test_flit_metadata_hatch_hooks_include_groups_and_poetry_optionals(tmp_path: Path) -> None:
    """flit's legacy `requires`/`requires-extra`; hatch's requirements_txt hook and a hook's `dependencies`
    list (its `=={{ version }}` template dropped); a PEP 735 group that includes another; Poetry's
    `optional = true` requirement, in the extra that names it. With `include-tests = true`, so that the
    groups count for the tests."""
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": '[tool.depgraph]\ndistributions = ["libs/*"]\ninclude-tests = true\n',
            # flit legacy metadata: click a runtime requirement, rich an extra, yaml (PyYAML's) neither
            "libs/f/pyproject.toml": '[tool.flit.metadata]\nmodule = "fl"\ndist-name = "fl-lib"\n'
            'requires = ["click>=8", "packaging"]\n[tool.flit.metadata.requires-extra]\nfancy = ["rich"]\n',
            "libs/f/fl/__init__.py": "import click\nimport rich\nimport yaml\n",
            # hatch requirements_txt hook: dependencies from a file, its second line unused
            "libs/h/pyproject.toml": '[project]\nname = "h-lib"\nversion = "0"\ndynamic = ["dependencies"]\n'
            '[tool.hatch.metadata.hooks.requirements_txt]\nfiles = ["requirements.txt"]\n',
            "libs/h/requirements.txt": "click\ntomli\n",
            "libs/h/h_lib/__init__.py": "import click\n",
            # a custom hook's dependencies: the sibling's version template is the hook's
            "libs/k/pyproject.toml": '[project]\nname = "k-lib"\nversion = "0"\ndynamic = ["dependencies"]\n'
            '[tool.hatch.metadata.hooks.custom]\ndependencies = ["h-lib=={{ version }}"]\n',
            "libs/k/k_lib/__init__.py": "import h_lib\nimport fl\n",
            # PEP 735: dev includes lint; tests may import both groups' names, nothing else
            "libs/g/pyproject.toml": '[project]\nname = "g-lib"\nversion = "0"\ndependencies = []\n'
            '[dependency-groups]\nlint = ["ruff"]\ndev = ["pytest", { include-group = "lint" }]\n',
            "libs/g/g_lib/__init__.py": "",
            "libs/g/tests/test_g.py": "import pytest\nimport ruff\nimport hypothesis\n",
            # Poetry optional requirement in an extra: imported, so neither undeclared nor unused
            "libs/p/pyproject.toml": '[tool.poetry]\nname = "p-lib"\nversion = "0"\n'
            '[tool.poetry.dependencies]\npython = "^3.10"\nclick = { version = "^8", optional = true }\n'
            '[tool.poetry.extras]\ncli = ["click"]\n',
            "libs/p/p_lib/__init__.py": "import click\n",
        },
    )
    said = messages(root)
    assert set(said) == {
        ("undeclared-dependency", "libs/f/fl/__init__.py:3"),  # yaml: declared nowhere
        ("unused-dependency", "libs/f/pyproject.toml:4"),  # packaging
        ("unused-dependency", "libs/h/requirements.txt:2"),  # tomli
        ("undeclared-dependency", "libs/k/k_lib/__init__.py:2"),  # fl-lib is not what the hook declares
        ("undeclared-dependency", "libs/g/tests/test_g.py:3"),  # hypothesis: in no group
    }
    assert (
        "`k-lib` imports `fl` from distribution `fl-lib`"
        in said["undeclared-dependency", "libs/k/k_lib/__init__.py:2"]
    )
