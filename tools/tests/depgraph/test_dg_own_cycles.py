"""tools/scripts/own_import_cycles.py (run by `make verify-deps`): a cycle of any kind among a package's
modules fails it, one through the package's __init__ too; none passes. Run as a command, on real repos."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cli_inprocess
from dg_fixtures import make_repo, pyproject

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "own_import_cycles.py"
TOOL = "[tool.depgraph]\n"


def run(root: Path, *packages: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, str(SCRIPT), "--root", str(root), *packages]
    return cli_inprocess.run(cmd, capture_output=True, text=True, check=False)


def test_a_deferred_cycle_fails_and_none_passes(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": pyproject("app", tool=TOOL),
            "app/__init__.py": "",
            "app/types.py": "X = 1\n",
            "app/engine.py": "from app.types import X\n\n\ndef run():\n    from app import entry\n",
            "app/entry.py": "from app import engine\n",
        },
    )
    proc = run(root, "app")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[0] == "import cycle: app.engine -> app.entry -> app.engine"
    assert "  app/engine.py:5 (deferred): app.engine -> app.entry\n" in proc.stdout
    (root / "app/engine.py").write_text("from app.types import X\n")
    again = run(root, "app")
    assert (again.returncode, again.stdout) == (0, ""), again.stderr


def test_a_cycle_through_a_package_init(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": pyproject("app", tool=TOOL),
            "app/__init__.py": "",
            "app/report/__init__.py": "from app.report.html import page\n",
            "app/report/html.py": "page = 1\n",
            "app/checks/__init__.py": "",
            "app/checks/base.py": "import app.report.html\n",
            "app/report/summary.py": "",
        },
    )
    assert run(root, "app").returncode == 0
    (root / "app/report/html.py").write_text("from app.checks import base\npage = 1\n")
    proc = run(root, "app")
    assert proc.returncode == 1 and "app.checks.base -> app.report" in proc.stdout, proc.stdout
