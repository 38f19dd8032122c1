"""Dependency cycles over declared dependencies as well as imports, through the real CLI.

A declares B in [project].dependencies and B imports A: a cycle, each hop saying whether it is a
declaration (at its pyproject.toml line) or an import (at its file:line).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cli_inprocess
from dg_fixtures import make_repo, pyproject

DEPGRAPH = str(Path(sys.executable).parent / "depgraph")
TOOL = '[tool.depgraph]\nstaging = ["libs/*"]\n'


def check(root: Path) -> list[dict[str, object]]:
    done = cli_inprocess.run(
        [DEPGRAPH, "check", "--root", str(root), "--no-cache", "--format", "json"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(root)},
        check=False,
    )
    assert done.returncode in {0, 1}, done.stdout + done.stderr
    found: list[dict[str, object]] = json.loads(done.stdout)["findings"]
    return found


def where(found: list[dict[str, object]]) -> set[tuple[object, str]]:
    return {(f["check"], f"{f['path']}:{f['line']}") for f in found}


def test_a_declaration_and_an_import_back_make_a_cycle(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": pyproject("core") + TOOL,
        "core/__init__.py": "",
        "libs/a/pyproject.toml": pyproject("lib-a", ["lib-b>=1"]),
        "libs/a/lib_a/__init__.py": "X = 1\n",
        "libs/b/pyproject.toml": pyproject("lib-b", ["lib-a"]),
        "libs/b/lib_b/__init__.py": "X = 2\nimport lib_a\n",
    }
    found = check(make_repo(tmp_path, files))
    # lib-a declares lib-b and never imports it: also an unused dependency (a warning), reported apart
    assert where(found) == {
        ("distribution-cycle", "libs/a/pyproject.toml:4"),
        ("unused-dependency", "libs/a/pyproject.toml:4"),
    }
    [cycle] = [f for f in found if f["check"] == "distribution-cycle"]
    assert cycle["message"] == "distributions depend on one another in a cycle: lib-a -> lib-b -> lib-a"
    assert cycle["chain"] == [
        "lib-a -> lib-b (declared): `lib-b>=1` (libs/a/pyproject.toml:4)",
        "lib-b -> lib-a (import): lib_b -> lib_a (libs/b/lib_b/__init__.py:2): import lib_a",
    ]


def test_declarations_alone_make_a_cycle_and_extras_do_not(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": pyproject("core") + TOOL,
        "core/__init__.py": "",
        "libs/a/pyproject.toml": pyproject("lib-a", ["lib-b"]),
        "libs/a/lib_a/__init__.py": "import lib_b\n",
        "libs/b/pyproject.toml": pyproject("lib-b", ["lib-c"]),
        "libs/b/lib_b/__init__.py": "import lib_c\n",
        "libs/c/pyproject.toml": pyproject("lib-c", ["lib-a"]),  # declared, not imported
        "libs/c/lib_c/__init__.py": "",
        # an extra naming lib-a is optional: no cycle through lib-d
        "libs/d/pyproject.toml": pyproject("lib-d", [], {"all": ["lib-a"]}),
        "libs/d/lib_d/__init__.py": "",
    }
    found = check(make_repo(tmp_path, files))
    assert where(found) == {
        ("distribution-cycle", "libs/a/lib_a/__init__.py:1"),
        ("unused-dependency", "libs/c/pyproject.toml:4"),
    }
    [cycle] = [f for f in found if f["check"] == "distribution-cycle"]
    assert cycle["chain"] == [
        "lib-a -> lib-b (import): lib_a -> lib_b (libs/a/lib_a/__init__.py:1): import lib_b",
        "lib-b -> lib-c (import): lib_b -> lib_c (libs/b/lib_b/__init__.py:1): import lib_c",
        "lib-c -> lib-a (declared): `lib-a` (libs/c/pyproject.toml:4)",
    ]


def test_a_suppressed_declaration_makes_no_hop(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": pyproject("core") + TOOL,
        "core/__init__.py": "",
        "libs/a/pyproject.toml": (
            '[project]\nname = "lib-a"\nversion = "0"\ndependencies = [\n'
            '  "lib-b",  # depgraph: ignore[distribution-cycle, unused-dependency] a plugin\n]\n'
        ),
        "libs/a/lib_a/__init__.py": "",
        "libs/b/pyproject.toml": pyproject("lib-b", ["lib-a"]),
        "libs/b/lib_b/__init__.py": "import lib_a\n",
    }
    assert where(check(make_repo(tmp_path, files))) == set()
