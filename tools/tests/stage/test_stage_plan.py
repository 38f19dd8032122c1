"""`stage plan` through its command line (a real subprocess once, in this process with cli_inprocess for the
rest) on small monorepos written to temporary folders, committed with git."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, pyproject

STAGE = str(Path(sys.executable).parent / "stage")
ROOT_TOOL = '[tool.depgraph]\nstaging = ["staging/*"]\n'


def run(root: Path, *args: str, process: bool = False) -> subprocess.CompletedProcess[str]:
    return (subprocess.run if process else cli_inprocess.run)(
        [STAGE, "plan", *args, "--root", str(root), "--no-cache"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(root)},
        check=False,
    )


def repo(tmp_path: Path, files: dict[str, str], deps: list[str] | None = None) -> Path:
    """A core `app` (flat, at the root) with the in-tree package `app.providers.foo`, plus `files`."""
    base = {
        "pyproject.toml": pyproject("app", deps or [], tool=ROOT_TOOL),
        "app/__init__.py": "",
        "app/util.py": "def helper() -> None:\n    pass\n",
        "app/base.py": "import app.util\n",
        "app/providers/__init__.py": "",
        "app/providers/foo/__init__.py": "from .impl import run\n",
        "app/providers/foo/impl.py": "def run() -> None:\n    pass\n",
    }
    base.update(files)
    root = make_repo(tmp_path / "repo", base)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "the monorepo"], cwd=root, check=True)
    return root


def plan_json(root: Path, *args: str) -> dict[str, object]:
    done = run(root, "app/providers/foo", "--to", "staging/foo", "--format", "json", *args)
    assert done.returncode in (0, 1), done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    assert data["clean"] is (done.returncode == 0)
    return data


def test_a_package_without_ties_plans_clean(tmp_path: Path, git_env: dict[str, str]) -> None:
    root = repo(tmp_path, {})
    done = run(root, "app/providers/foo", "--to", "staging/foo", process=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(
        "stage plan: app.providers.foo (app/providers/foo, 2 files) -> staging/foo "
        "(distribution foo, import foo)\n"
    )
    assert "Blockers: 0 imports from the package into the rest of the core\n  none\n" in done.stdout
    assert "Carried: 0 core modules" in done.stdout
    assert done.stdout.endswith("clean: nothing of app.providers.foo imports the rest of the core\n")
    # the dotted name is the same package
    dotted = run(root, "app.providers.foo", "--to", "staging/foo")
    assert (dotted.returncode, dotted.stdout) == (0, done.stdout)
    assert not (root / "staging").exists()  # a plan changes nothing


def test_ties_of_each_kind_block_with_file_and_line(tmp_path: Path, git_env: dict[str, str]) -> None:
    impl = (
        "from typing import TYPE_CHECKING\n"  # 1
        "from app.util import helper\n"  # 2: top-level
        "if TYPE_CHECKING:\n"
        "    from app.base import Thing\n"  # 4: type-checking
        "try:\n"
        "    import app.extra\n"  # 6: guarded
        "except ImportError:\n"
        "    pass\n"
        "\n"
        "\n"
        "def run() -> None:\n"
        "    from app import late\n"  # 12: deferred
    )
    root = repo(
        tmp_path,
        {
            "app/providers/foo/impl.py": impl,
            "app/extra.py": "",
            "app/late.py": "from app.providers.foo import run\n",
            "app/deep.py": "",
            "app/util.py": "import app.deep\n",
        },
    )
    done = run(root, "app/providers/foo", "--to", "staging/foo")
    assert done.returncode == 1, done.stdout + done.stderr
    blockers = done.stdout.split("Blockers: ")[1].split("\n\n")[0].splitlines()
    assert blockers == [
        "4 imports from the package into the rest of the core",
        "  app/providers/foo/impl.py:2: top-level: from app.util import helper  -> app.util",
        "  app/providers/foo/impl.py:4: type-checking: from app.base import Thing  -> app.base",
        "  app/providers/foo/impl.py:6: guarded: import app.extra  -> app.extra",
        "  app/providers/foo/impl.py:12: deferred: from app import late  -> app.late",
    ]
    # the blockers' targets and their closure inside the core; the one importing the package back is said
    carried = done.stdout.split("Carried: ")[1].split("\n\n")[0].splitlines()
    assert carried[0] == "5 core modules would have to move with it, or be inverted"
    assert (
        "  app.deep (app/deep.py): app.util -> app.deep (app/util.py:1)" in carried
    )  # reached through app.util
    assert (
        "  app.late (app/late.py): app.providers.foo.impl -> app.late (app/providers/foo/impl.py:12); "
        "imports the package back: invert it" in carried
    )
    assert done.stdout.endswith(
        "blocked: 4 imports into the core; cut each (or move its target along), then run `stage plan` again\n"
    )
    data = plan_json(root)
    assert [(b["path"], b["line"], b["kind"]) for b in data["blockers"]] == [  # type: ignore[index, union-attr]
        ("app/providers/foo/impl.py", 2, "top-level"),
        ("app/providers/foo/impl.py", 4, "type-checking"),
        ("app/providers/foo/impl.py", 6, "guarded"),
        ("app/providers/foo/impl.py", 12, "deferred"),
    ]
    assert [c["module"] for c in data["carried"]] == [  # type: ignore[index, union-attr]
        "app.base",
        "app.deep",
        "app.extra",
        "app.late",
        "app.util",
    ]
    # deterministic: the same plan twice is byte-identical
    again = run(root, "app/providers/foo", "--to", "staging/foo", "--format", "json")
    assert again.stdout == json.dumps(data, indent=2, sort_keys=True) + "\n"


def test_importers_from_the_core_and_another_distribution(tmp_path: Path, git_env: dict[str, str]) -> None:
    root = repo(
        tmp_path,
        {
            "app/main.py": "from app.providers.foo import run\n",
            "tests/test_foo.py": "import app.providers.foo\n",
            "tests/test_mix.py": "from app.providers.foo import impl\nfrom app import util\n",
            "staging/lib/pyproject.toml": pyproject("lib"),
            "staging/lib/lib/__init__.py": (
                "X = 1\n\n\ndef hook() -> None:\n    import app.providers.foo.impl\n"
            ),
        },
    )
    done = run(root, "app/providers/foo", "--to", "staging/foo")
    assert done.returncode == 0, done.stdout + done.stderr
    importers = done.stdout.split("Importers: ")[1].split("\n\n")[0].splitlines()
    assert importers == [
        "4 imports of the package the shim must keep working",
        " from the core (3):",
        "  app/main.py:1: top-level: from app.providers.foo import run  -> app.providers.foo",
        "  tests/test_foo.py:1: top-level: import app.providers.foo  -> app.providers.foo",
        "  tests/test_mix.py:1: top-level: from app.providers.foo import impl  -> app.providers.foo.impl",
        " from other distributions (1):",
        "  staging/lib/lib/__init__.py:5 [lib]: deferred: import app.providers.foo.impl  -> "
        "app.providers.foo.impl",
    ]
    tests = done.stdout.split("Tests: ")[1].split("\n\n")[0].splitlines()
    assert tests == [
        "2 test files",
        "  tests/test_foo.py: can move (imports nothing else of the core)",
        "  tests/test_mix.py: stays; also imports app.util",
    ]


def test_relative_imports_inside_the_package_are_not_ties(tmp_path: Path, git_env: dict[str, str]) -> None:
    files = {
        "app/providers/foo/__init__.py": "from . import impl\nfrom .impl import run\n",
        "app/providers/foo/impl.py": "from .sub import mod\n\n\ndef run() -> None:\n    pass\n",
        "app/providers/foo/sub/__init__.py": "from .. import impl\n",
        "app/providers/foo/sub/mod.py": "from ..impl import run\n",
    }
    root = repo(tmp_path, files)
    done = run(root, "app/providers/foo", "--to", "staging/foo")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(app/providers/foo, 4 files)" in done.stdout
    # a relative import that leaves the package is a tie like any other
    files["app/providers/foo/sub/mod.py"] = "from ..impl import run\nfrom .... import base\n"
    root = repo(tmp_path / "2", files)
    data = plan_json(root)
    blockers = [(b["path"], b["line"], b["kind"], b["imported"]) for b in data["blockers"]]  # type: ignore[index, union-attr]
    assert blockers == [("app/providers/foo/sub/mod.py", 2, "top-level", "app.base")]


def test_a_subpackage_imported_directly(tmp_path: Path, git_env: dict[str, str]) -> None:
    root = repo(
        tmp_path,
        {
            "app/providers/foo/sub/__init__.py": "",
            "app/providers/foo/sub/mod.py": "from app.util import helper\n",
            "app/main.py": "import app.providers.foo.sub.mod\nfrom app.providers.foo.sub import mod\n",
        },
    )
    data = plan_json(root)
    assert [(i["path"], i["line"], i["imported"]) for i in data["importers"]] == [  # type: ignore[index, union-attr]
        ("app/main.py", 1, "app.providers.foo.sub.mod"),
        ("app/main.py", 2, "app.providers.foo.sub.mod"),
    ]
    assert [(b["path"], b["imported"]) for b in data["blockers"]] == [  # type: ignore[index, union-attr]
        ("app/providers/foo/sub/mod.py", "app.util")
    ]
    # the subpackage alone can be planned too: its parent is then part of the rest of the core
    done = run(root, "app/providers/foo/sub", "--to", "staging/foo-sub")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "(distribution foo-sub, import foo_sub)" in done.stdout
    assert (
        "  app/providers/foo/sub/mod.py:1: top-level: from app.util import helper  -> app.util" in done.stdout
    )


def test_requirements_take_the_roots_specifier_or_the_installed_version(
    tmp_path: Path, git_env: dict[str, str]
) -> None:
    impl = (
        "import click\n"
        "import packaging.version\n"
        "import lib\n"
        "try:\n"
        "    import networkx\n"
        "except ImportError:\n"
        "    networkx = None\n"
        "\n"
        "\n"
        "def run() -> None:\n"
        "    pass\n"
    )
    root = repo(
        tmp_path,
        {
            "app/providers/foo/impl.py": impl,
            "app/providers/foo/tests/__init__.py": "",
            "app/providers/foo/tests/test_impl.py": "import pytest\nfrom app.providers.foo import run\n",
            "staging/lib/pyproject.toml": pyproject("lib"),
            "staging/lib/lib/__init__.py": "",
        },
        deps=["click>=8.0,<9", "lib"],
    )
    data = plan_json(root)
    assert [(r["name"], r["requirement"], r["source"], r["use"]) for r in data["requirements"]] == [  # type: ignore[index, union-attr]
        ("click", "click>=8.0,<9", "root", "runtime"),
        ("lib", "lib", "root", "runtime"),
        ("networkx", f"networkx>={version('networkx')}", "installed", "optional"),
        ("packaging", f"packaging>={version('packaging')}", "installed", "runtime"),
        ("pytest", f"pytest>={version('pytest')}", "installed", "test"),
    ]
    assert data["tests"] == [
        {"path": "app/providers/foo/tests/__init__.py", "inside": True, "others": []},
        {"path": "app/providers/foo/tests/test_impl.py", "inside": True, "others": []},
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["app/providers/nope", "--to", "staging/foo"], "app/providers/nope: no such package"),
        (["app.nope", "--to", "staging/foo"], "app.nope: no such package"),
        (
            ["staging/lib/lib", "--to", "staging/foo"],
            "a package of distribution 'lib', not of the core 'app'",
        ),
        (["app/providers/foo", "--to", "staging/lib"], "staging/lib: already exists"),
        (["app/providers/foo", "--to", "elsewhere/foo"], "elsewhere/foo: not a staging folder"),
        (["app/providers/foo", "--to", "staging/foo", "--import-name", "lib"], "import name 'lib' is taken"),
        (["app/providers/foo", "--to", "staging/foo", "--import-name", "a-b"], "not a top-level Python"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, git_env: dict[str, str], args: list[str], message: str
) -> None:
    root = repo(
        tmp_path,
        {"staging/lib/pyproject.toml": pyproject("lib"), "staging/lib/lib/__init__.py": ""},
    )
    done = run(root, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("stage: error: ")
    assert message in done.stderr
    assert done.stderr.count("\n") == 1
