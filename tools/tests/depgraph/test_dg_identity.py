"""Module identity is the file: (distribution, path), never the dotted name alone.

Each test runs the real CLI on a generated monorepo and asserts the exact set of (check, file:line) found.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cli_inprocess
from dg_fixtures import make_repo, pyproject

DEPGRAPH = str(Path(sys.executable).parent / "depgraph")


def check_json(root: Path, *args: str) -> list[dict[str, object]]:
    """`depgraph check --format json`'s findings (exit 0 or 1 asserted)."""
    done = cli_inprocess.run(
        [DEPGRAPH, "check", "--root", str(root), "--no-cache", "--format", "json", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(root)},
        check=False,
    )
    assert done.returncode in {0, 1}, done.stdout + done.stderr
    found: list[dict[str, object]] = json.loads(done.stdout)["findings"]
    return found


def findings(root: Path, *args: str) -> set[tuple[str, str]]:
    return {(str(f["check"]), f"{f['path']}:{f['line']}") for f in check_json(root, *args)}


def _colliding(include_tests: bool) -> dict[str, str]:
    tool = f'[tool.depgraph]\nstaging = ["pkgs/*"]\ninclude-tests = {str(include_tests).lower()}\n'
    files = {
        "pyproject.toml": pyproject("core", ["pkg-a", "pkg-b"]) + tool,
        "core/__init__.py": "import pkg_a\nimport pkg_b\n",
        "pkgs/a/pyproject.toml": pyproject("pkg-a"),
        "pkgs/a/pkg_a/__init__.py": "",
        "pkgs/b/pyproject.toml": pyproject("pkg-b"),
        "pkgs/b/pkg_b/__init__.py": "",
        # a's tests.x imports a's tests.y; b's tests.y imports b's tests.x: merged by name, a false cycle
        "pkgs/a/tests/x.py": "import tests.y\n",
        "pkgs/a/tests/y.py": "X = 1\n",
        "pkgs/b/tests/y.py": "import tests.x\n",
        "pkgs/b/tests/x.py": "Y = 1\n",
    }
    for p in "ab":
        files[f"pkgs/{p}/tests/conftest.py"] = "import core\nimport zzz_test_only_thing\n"
        files[f"pkgs/{p}/tests/test_same.py"] = "import core\n"
    return files


def test_colliding_test_names_are_all_excluded_without_include_tests(tmp_path: Path) -> None:
    assert findings(make_repo(tmp_path, _colliding(False))) == set()


def test_colliding_test_names_are_each_judged_with_include_tests(tmp_path: Path) -> None:
    found = findings(make_repo(tmp_path, _colliding(True)))
    assert found == {
        ("staging-imports-core", f"pkgs/{p}/tests/{f}:1")
        for p in "ab"
        for f in ("conftest.py", "test_same.py")
    } | {
        ("undeclared-dependency", f"pkgs/{p}/tests/{f}")
        for p in "ab"
        for f in ("conftest.py:1", "conftest.py:2", "test_same.py:1")
    } | {("distribution-cycle", "core/__init__.py:1")}


def test_same_dotted_name_in_two_distributions_is_two_modules(tmp_path: Path) -> None:
    """Both hold `ns.util` (a PEP 420 namespace `ns` shared by both): a cycle in one is not a cycle in the
    other, and each file is judged against its own distribution's declarations."""
    tool = '[tool.depgraph]\nstaging = ["libs/*"]\n'
    files = {
        "pyproject.toml": pyproject("core", ["ns-one", "ns-two"]) + tool,
        "core/__init__.py": "import ns.one\nimport ns.two\n",
        "libs/one/pyproject.toml": pyproject("ns-one"),
        "libs/one/src/ns/one/__init__.py": "from ns import util\n",
        "libs/one/src/ns/util.py": "import ns.one\n",  # a real cycle inside ns-one
        "libs/two/pyproject.toml": pyproject("ns-two"),
        "libs/two/src/ns/two/__init__.py": "import requests_zzz\n",
        "libs/two/src/ns/util.py": "X = 1\n",
    }
    found = findings(make_repo(tmp_path, files))
    assert found == {
        ("import-cycle", "libs/one/src/ns/one/__init__.py:1"),
        ("undeclared-dependency", "libs/two/src/ns/two/__init__.py:1"),
    }


def test_a_chain_names_a_shared_module_with_its_distribution(tmp_path: Path) -> None:
    """The cycle's message and every hop of its chain write `ns.util [ns-one]`: the name is two files."""
    tool = '[tool.depgraph]\nstaging = ["libs/*"]\n'
    files = {
        "pyproject.toml": pyproject("core", ["ns-one", "ns-two"]) + tool,
        "core/__init__.py": "",
        "libs/one/pyproject.toml": pyproject("ns-one"),
        "libs/one/src/ns/one/__init__.py": "from ns import util\n",
        "libs/one/src/ns/util.py": "import ns.one\n",
        "libs/two/pyproject.toml": pyproject("ns-two"),
        "libs/two/src/ns/util.py": "X = 1\n",
    }
    [cycle] = [f for f in check_json(make_repo(tmp_path, files)) if f["check"] == "import-cycle"]
    assert cycle["message"] == "import cycle at import time: ns.one -> ns.util [ns-one] -> ns.one"
    assert cycle["chain"] == [
        "ns.one -> ns.util [ns-one] (libs/one/src/ns/one/__init__.py:1): from ns import util",
        "ns.util [ns-one] -> ns.one (libs/one/src/ns/util.py:1): import ns.one",
    ]
