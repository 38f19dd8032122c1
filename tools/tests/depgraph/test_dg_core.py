"""The core may be any distribution, or none; staging packages must not import it, and it must not import its
plugins. Through the real CLI; each test asserts the exact set of (check, file:line) found."""

from __future__ import annotations

import sys
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, pyproject
from test_dg_identity import findings

DEPGRAPH = str(Path(sys.executable).parent / "depgraph")
WORKSPACE = '[project]\nname = "workspace"\nversion = "0"\n'


def _plugins(tool: str) -> dict[str, str]:
    """A library in libs/core with plugins that import it; the core names one plugin three ways."""
    return {
        "pyproject.toml": "[tool.depgraph]\n" + tool,
        "libs/core/pyproject.toml": pyproject("corelib"),
        "libs/core/corelib/__init__.py": (
            "import importlib\n"
            "def load(name):\n"
            "    return importlib.import_module(name)\n"  # the plugin way: by name, nothing to find
            "def fast():\n"
            "    try:\n"
            "        import plug_a\n"  # deferred+guarded: still names a plugin
            "    except ImportError:\n"
            "        return None\n"
        ),
        "libs/core/corelib/extra.py": "from plug_b import thing\n",
        "plugins/a/pyproject.toml": pyproject("plug-a", ["corelib"]),
        "plugins/a/plug_a/__init__.py": "import corelib\n",
        "plugins/b/pyproject.toml": pyproject("plug-b", ["corelib"]),
        "plugins/b/plug_b/__init__.py": "from corelib import load\nthing = load\n",
    }


def test_core_in_a_subfolder_never_imports_its_plugins(tmp_path: Path) -> None:
    root = make_repo(tmp_path, _plugins('core = "libs/core"\nplugins = ["plugins/*"]\n'))
    assert findings(root) == {
        ("core-imports-plugin", "libs/core/corelib/__init__.py:6"),
        ("core-imports-plugin", "libs/core/corelib/extra.py:1"),
        # corelib does not declare plug-b (the guarded plug-a is optional); the plugins import corelib back
        ("undeclared-dependency", "libs/core/corelib/extra.py:1"),
        ("distribution-cycle", "libs/core/corelib/__init__.py:6"),
    }
    done = cli_inprocess.run(
        [DEPGRAPH, "check", "--root", str(root), "--no-cache", "--only", "core-imports-plugin"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (
        "libs/core/corelib/__init__.py:6: [error] the core `corelib` imports plugin `plug-a`: `plug_a` "
        "(deferred+guarded import)"
    ) in done.stdout


def test_the_plugin_check_has_its_own_level(tmp_path: Path) -> None:
    tool = (
        'core = "libs/core"\nplugins = ["plugins/*"]\n[tool.depgraph.checks]\ncore-imports-plugin = "off"\n'
    )
    assert findings(make_repo(tmp_path, _plugins(tool))) == {
        ("undeclared-dependency", "libs/core/corelib/extra.py:1"),
        ("distribution-cycle", "libs/core/corelib/__init__.py:6"),
    }


def test_core_in_a_subfolder_is_what_staging_may_not_import(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": WORKSPACE + '[tool.depgraph]\ncore = "libs/main"\nstaging = ["staging/*"]\n',
        "tools_pkg/__init__.py": "",  # the root is a distribution too, and no longer the core
        "libs/main/pyproject.toml": pyproject("mainlib", ["helper"]),
        "libs/main/mainlib/__init__.py": "import helper\n",
        "staging/helper/pyproject.toml": pyproject("helper"),
        "staging/helper/helper/__init__.py": "def f():\n    import mainlib\n",
    }
    assert findings(make_repo(tmp_path, files)) == {
        ("staging-imports-core", "staging/helper/helper/__init__.py:2"),
        ("undeclared-dependency", "staging/helper/helper/__init__.py:2"),
        ("distribution-cycle", "staging/helper/helper/__init__.py:2"),
    }


def test_no_core_at_all(tmp_path: Path) -> None:
    """`core = false`: the root distribution is one first-party distribution among others; a staging
    package importing it is no staging-imports-core finding (only undeclared)."""
    files = {
        "pyproject.toml": WORKSPACE
        + 'dependencies = []\n[tool.depgraph]\ncore = false\nstaging = ["staging/*"]\n',
        "workspace/__init__.py": "",
        "staging/helper/pyproject.toml": pyproject("helper"),
        "staging/helper/helper/__init__.py": "import workspace\n",
    }
    assert findings(make_repo(tmp_path, files)) == {
        ("undeclared-dependency", "staging/helper/helper/__init__.py:1"),
    }


@pytest.mark.parametrize(
    ("tool", "message"),
    [
        ('core = "libs/nope"', "tool.depgraph.core: libs/nope/ has no pyproject.toml"),
        ("core = 3", "tool.depgraph.core: expected a folder of the repository"),
        ('core = "../x"', "tool.depgraph.core: '../x' must be a path inside the repository"),
    ],
)
def test_a_bad_core_is_one_line_and_exit_2(tmp_path: Path, tool: str, message: str) -> None:
    root = make_repo(tmp_path, {"pyproject.toml": f"[tool.depgraph]\n{tool}\n", "libs/.keep": ""})
    done = cli_inprocess.run(
        [DEPGRAPH, "check", "--root", str(root), "--no-cache"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and message in done.stderr, done.stderr
