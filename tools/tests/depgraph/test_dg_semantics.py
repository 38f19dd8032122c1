"""Import-time semantics that match Python, through the real CLI: `__main__` blocks are not import-time, an
import has every kind that applies, guarded optional imports are never undeclared.

Each test asserts the exact set of (check, file:line) found.
"""

from __future__ import annotations

from pathlib import Path

from dg_fixtures import make_repo, pyproject
from test_dg_backends_cli import messages
from test_dg_identity import findings

TOOL = '[tool.depgraph]\nstaging = ["pkgs/*"]\n'


def _repo(tmp_path: Path, files: dict[str, str], tool: str = "") -> Path:
    base = {
        "pyproject.toml": pyproject("core", ["pkg-b"]) + TOOL + tool,
        "core/__init__.py": "import pkg_b\n",
        "pkgs/b/pyproject.toml": pyproject("pkg-b"),
    }
    return make_repo(tmp_path, base | files)


def test_main_block_makes_no_import_cycle(tmp_path: Path) -> None:
    files = {
        "pkgs/b/pkg_b/__init__.py": "",
        "pkgs/b/pkg_b/x.py": "import pkg_b.y\n",
        "pkgs/b/pkg_b/y.py": 'X = 1\nif __name__ == "__main__":\n    import pkg_b.x\n',
        # the same pair with the back edge at top level is a cycle
        "pkgs/b/pkg_b/p.py": "import pkg_b.q\n",
        "pkgs/b/pkg_b/q.py": "import pkg_b.p\n",
    }
    assert findings(_repo(tmp_path, files)) == {("import-cycle", "pkgs/b/pkg_b/p.py:1")}


def test_guarded_imports_are_never_undeclared_deferred_or_not(tmp_path: Path) -> None:
    body = (
        "def load():\n"
        "    try:\n"
        "        import zzz_optional_one\n"
        "    except ImportError:\n"
        "        return None\n"
        "    return zzz_optional_one\n"
        "try:\n"
        "    import zzz_optional_two\n"
        "except ModuleNotFoundError:\n"
        "    pass\n"
        "def plain():\n"
        "    import core\n"  # deferred, not guarded: undeclared (and the core)
        "try:\n"
        "    def later():\n"
        "        import zzz_needed\n"  # the def's body runs outside the try: deferred only
        "except ImportError:\n"
        "    pass\n"
    )
    found = findings(_repo(tmp_path, {"pkgs/b/pkg_b/__init__.py": body}))
    assert found == {
        ("staging-imports-core", "pkgs/b/pkg_b/__init__.py:12"),
        ("undeclared-dependency", "pkgs/b/pkg_b/__init__.py:12"),
        ("undeclared-dependency", "pkgs/b/pkg_b/__init__.py:15"),  # deferred, owner unknown: reported
        ("distribution-cycle", "core/__init__.py:1"),
    }


def test_a_restriction_on_one_kind_matches_imports_with_it_among_others(tmp_path: Path) -> None:
    rule = (
        "[[tool.depgraph.restrictions]]\n"
        'name = "no-deferred-json"\n'
        'from = ["pkg-b"]\n'
        'deny-modules = ["json"]\n'
        'kinds = ["deferred"]\n'
    )
    body = "import json\ndef f():\n    try:\n        import json\n    except ImportError:\n        pass\n"
    root = _repo(tmp_path, {"pkgs/b/pkg_b/__init__.py": body}, rule)
    assert findings(root) == {("restriction", "pkgs/b/pkg_b/__init__.py:4")}


def test_a_relative_import_above_the_top_level_package_is_reported_as_such(tmp_path: Path) -> None:
    """`from .. import x` in a top-level package names no module at all (Python raises ImportError): one
    finding per file and statement target, worded as what it is, never an unknown distribution `..`."""
    files = {
        "pkgs/b/pkg_b/__init__.py": "from .. import x\nfrom ... import y\nfrom . import sub\n",
        "pkgs/b/pkg_b/sub.py": "from ... import w\nfrom .. import sub\nfrom . import sub as me\n",
    }
    root = _repo(tmp_path, files)
    said = messages(root)
    assert set(said) == {
        ("undeclared-dependency", "pkgs/b/pkg_b/__init__.py:1"),
        ("undeclared-dependency", "pkgs/b/pkg_b/__init__.py:2"),
        ("undeclared-dependency", "pkgs/b/pkg_b/sub.py:1"),
        ("undeclared-dependency", "pkgs/b/pkg_b/sub.py:2"),  # `..` of a module (not a package) is above too
    }
    assert said["undeclared-dependency", "pkgs/b/pkg_b/sub.py:1"].startswith(
        "`pkg-b` imports `...` (in `pkg_b.sub`), a relative import beyond its top-level package that fails "
        "when it runs | import the module by its absolute name"
    )
