"""tools/scripts/new_provider.py (`make new-provider NAME=x`) on a copy of this repository's product files.

The copy is checked afterwards by the real commands of `make verify-deps` (depgraph vendor verify, depgraph
check, publish verify-rules). `--no-install` skips the `pip install -e` step (it would register the copy's
provider in the environment running the tests) and `--no-lock` the `uv lock` one (it resolves from the
index); the whole command, install and lock included, is run by hand on a clone (see the closing note).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import cli_inprocess
import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tools" / "scripts" / "new_provider.py"
BIN = Path(sys.executable).parent


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("pyproject.toml", "publish-rules.toml", "README.md", "uv.lock"):
        shutil.copy(REPO / name, root / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache")
    for folder in ("staging", "cloud_controller_manager", "vendor"):
        shutil.copytree(REPO / folder, root / folder, symlinks=True, ignore=ignore)
    shutil.copytree(
        REPO / "tools", root / "tools", ignore=shutil.ignore_patterns("tests", "bench", "__pycache__")
    )
    return root


def new_provider(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_inprocess.run(
        [sys.executable, str(SCRIPT), *args, "--root", str(root), "--no-install", "--no-lock"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): (p.readlink().as_posix().encode() if p.is_symlink() else p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


def test_wires_the_new_provider_into_the_monorepo(copy: Path) -> None:
    done = new_provider(copy, "acme")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (copy / "staging/cloud_provider_acme/cloud_provider_acme/provider.py").is_file()
    assert (copy / "vendor/cloud_provider_acme").resolve() == (
        copy / "staging/cloud_provider_acme/cloud_provider_acme"
    )
    rules = (copy / "publish-rules.toml").read_text()
    assert rules.endswith(
        '\n\n[[package]]\nname = "cloud-provider-acme"\nsource = "staging/cloud_provider_acme"\n'
        'destination = "_output/published/cloud_provider_acme.git"\ndependencies = ["cloud-provider"]\n'
        + rules.split(
            'destination = "_output/published/cloud_provider_acme.git"\ndependencies = ["cloud-provider"]\n'
        )[1]
    )
    extras = (copy / "pyproject.toml").read_text().split("[project.optional-dependencies]")[1]
    assert '\naws = ["cloud-provider-aws"]' in extras
    assert extras.index('acme = ["cloud-provider-acme"]') < extras.index('aws = ["cloud-provider-aws"]')
    text = (copy / "pyproject.toml").read_text()
    members = text.split("[tool.uv.workspace]")[1].split("]")[0]
    in_order = ["staging/cloud_provider", "staging/cloud_provider_acme", "staging/cloud_provider_aws"]
    assert "".join(f'\n    "{m}",' for m in in_order) in members
    assert text.endswith("\n")
    assert "cloud-provider-acme = { workspace = true }" in text.split("[tool.uv.sources]")[1]
    assert "uv.lock not refreshed: run `uv lock`" in done.stdout
    for cmd in (["depgraph", "vendor", "verify"], ["depgraph", "check"], ["publish", "verify-rules"]):
        check = cli_inprocess.run(
            [str(BIN / cmd[0]), *cmd[1:]], cwd=copy, capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, f"{cmd}: {check.stdout}{check.stderr}"
    assert "5 packages" in check.stdout


def test_adds_the_uv_workspace_member(copy: Path) -> None:
    pyproject = copy / "pyproject.toml"
    pyproject.write_text(  # this repository's workspace, replaced by a shorter one
        pyproject.read_text().split("[tool.uv.workspace]")[0]
        + '\n[tool.uv.workspace]\nmembers = ["staging/cloud_provider", "staging/cloud_provider_fake"]\n'
        + "\n[tool.uv.sources]\ncloud-provider = { workspace = true }\n"
    )
    done = new_provider(copy, "acme")
    assert done.returncode == 0, done.stderr
    text = pyproject.read_text()
    # `depgraph vendor update` (run by new_provider.py) then makes the members every staging package
    members = [
        "staging/cloud_provider",
        "staging/cloud_provider_acme",
        "staging/cloud_provider_aws",
        "staging/cloud_provider_baremetal",
        "staging/cloud_provider_fake",
    ]
    assert "members = [\n" + "".join(f'    "{m}",\n' for m in members) + "]" in text
    assert "cloud-provider-acme = { workspace = true }" in text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "fake",
            "new-provider: error: staging/cloud_provider_fake: already exists (provider 'fake' is taken)",
        ),
        ("My-Cloud", "new-provider: error: invalid provider name 'My-Cloud'"),
    ],
)
def test_refuses_before_writing_anything(copy: Path, name: str, message: str) -> None:
    before = snapshot(copy)
    done = new_provider(copy, name)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1
    assert snapshot(copy) == before


def test_refuses_a_name_the_rules_already_hold(copy: Path) -> None:
    rules = copy / "publish-rules.toml"
    rules.write_text(
        rules.read_text() + '\n[[package]]\nname = "cloud-provider-acme"\nsource = "elsewhere"\n'
    )
    done = new_provider(copy, "acme")
    assert done.returncode == 2
    assert (
        done.stderr
        == "new-provider: error: publish-rules.toml: a package 'cloud-provider-acme' is already there\n"
    )
    assert not (copy / "staging/cloud_provider_acme").exists()
