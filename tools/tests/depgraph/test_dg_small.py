"""Small promises kept through the real CLI: one count of checks everywhere, unknown names refused with exit
2, the cache folder ignored by git on its own."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import cli_inprocess
from dg_fixtures import make_repo, monorepo_files

BIN = Path(sys.executable).parent
ENV = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1"}


def run(root: Path, *args: str, tool: str = "depgraph") -> subprocess.CompletedProcess[str]:
    return cli_inprocess.run(
        [str(BIN / tool), *args], capture_output=True, text=True, env={**ENV, "HOME": str(root)}, check=False
    )


def test_the_number_of_checks_is_the_same_in_text_json_and_html(tmp_path: Path) -> None:
    files = monorepo_files() | {"staging/fw/fw/api.py": "import app\n"}
    root = make_repo(tmp_path / "repo", files)
    text = run(root, "check", "--root", str(root), "--no-cache").stdout
    data = json.loads(run(root, "check", "--root", str(root), "--no-cache", "--format", "json").stdout)
    page = tmp_path / "report.html"
    assert run(root, "report", "--root", str(root), "--no-cache", "-o", str(page)).returncode == 0
    in_text = re.search(r"from (\d+) checks", text.splitlines()[-1])
    in_html = re.search(r"from (\d+) checks", page.read_text(encoding="utf-8"))
    assert in_text is not None and in_html is not None
    assert int(in_text.group(1)) == len(data["summary"]["checks_run"]) == int(in_html.group(1))
    assert len(data["summary"]["by_check"]) < len(data["summary"]["checks_run"])  # not the checks that found


def test_imports_refuses_an_unknown_distribution_or_module(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files())
    done = run(root, "imports", "--root", str(root), "--no-cache", "--distribution", "nope")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "depgraph: error: --distribution nope: no distribution of that name "
        "(known: app, fw, prov-a, prov-b)\n"
    )
    done = run(root, "imports", "--root", str(root), "--no-cache", "--module", "fw.nope")
    assert done.returncode == 2 and done.stdout == ""
    assert (
        done.stderr
        == "depgraph: error: --module fw.nope: no module of that name or under it in the repository\n"
    )
    # names as PEP 503 compares them, and a package prefix, are known
    done = run(
        root, "imports", "--root", str(root), "--no-cache", "--distribution", "Prov_A", "--module", "prov_a"
    )
    assert done.returncode == 0
    assert done.stdout == "staging/prov_a/prov_a/__init__.py:1: prov_a -> fw.api [top-level] (fw, staging)\n"


def test_the_cache_folder_is_ignored_by_git_on_its_own(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files())
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True, env=ENV)
    subprocess.run([*git, "add", "-A"], check=True, env=ENV)
    subprocess.run([*git, "commit", "-qm", "init"], check=True, env=ENV)
    assert run(root, "check", "--root", str(root)).returncode == 0
    assert (root / ".depgraph-cache" / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert any((root / ".depgraph-cache").glob("*.marshal"))
    status = subprocess.run(
        [*git, "status", "--porcelain"], capture_output=True, text=True, check=True, env=ENV
    )
    assert status.stdout == ""
