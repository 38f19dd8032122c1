"""`cloud-provider new` and `cloud-provider conformance`, run as commands in a subprocess.

The new package's entry point is registered the way an install registers it (a .dist-info folder with
entry_points.txt on the path) rather than by `pip install`, which would take ~10 s per test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cloud_provider.matrix import CHECKS, suite_checks

COMMAND = [sys.executable, "-m", "cloud_provider.cli"]


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], cwd=cwd, capture_output=True, text=True, check=False, env=env or dict(os.environ)
    )


def register(package_dir: Path, name: str) -> dict[str, str]:
    """The environment under which `package_dir` is importable and registered as provider `name`."""
    info = package_dir / f"cloud_provider_{name}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: cloud-provider-{name}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        f"[cloud_provider.providers]\n{name} = cloud_provider_{name}:create_provider\n"
    )
    path = os.pathsep.join([str(package_dir), os.environ.get("PYTHONPATH", ""), *sys.path])
    return {**os.environ, "PYTHONPATH": path}


def test_every_check_of_the_suite_has_a_row_in_the_matrix() -> None:
    assert sorted(suite_checks()) == sorted(CHECKS)


def test_new_writes_a_provider_that_passes_the_suite_supporting_nothing(tmp_path: Path) -> None:
    done = cli("new", "acme_cloud", "--into", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pkg = tmp_path / "cloud_provider_acme_cloud"
    assert done.stdout == f"cloud-provider: wrote {pkg} (provider 'acme_cloud', every capability unsupported)\n"
    names = sorted(str(p.relative_to(pkg)) for p in pkg.rglob("*") if p.is_file())
    assert names == [
        "README.md",
        "cloud_provider_acme_cloud/__init__.py",
        "cloud_provider_acme_cloud/provider.py",
        "cloud_provider_acme_cloud/py.typed",
        "pyproject.toml",
        "tests/test_acme_cloud_conformance.py",
    ]
    assert 'name = "cloud-provider-acme-cloud"' in (pkg / "pyproject.toml").read_text()
    assert 'acme_cloud = "cloud_provider_acme_cloud:create_provider"' in (pkg / "pyproject.toml").read_text()

    env = register(pkg, "acme_cloud")
    run = cli("conformance", str(pkg / "tests"), "--json", str(tmp_path / "r.json"), cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((tmp_path / "r.json").read_text())["providers"]["acme_cloud"]
    assert {c: r["result"] for c, r in results.items() if r["result"] == "pass"} == {
        "test_registered_under_its_name": "pass",
        "test_capabilities_match_accessors": "pass",
    }
    assert {r["result"] for c, r in results.items() if CHECKS[c] != "general"} == {"unsupported"}
    lines = run.stdout.splitlines()
    assert lines[1].split() == ["capability", "/", "check", "acme_cloud"]
    assert ["instances", "unsupported"] in [line.split() for line in lines]
    assert ["load", "balancers", "unsupported"] in [line.split() for line in lines]
    assert lines[-1] == "1 providers, 2 checks passed, 0 failed."


def test_conformance_reports_a_failing_check_and_exits_1(tmp_path: Path) -> None:
    assert cli("new", "liar", "--into", str(tmp_path), cwd=tmp_path).returncode == 0
    pkg = tmp_path / "cloud_provider_liar"
    test = pkg / "tests" / "test_liar_conformance.py"
    # it claims instances, but its accessor still returns None
    test.write_text(test.read_text().replace("frozenset()", 'frozenset({"instances"})'))
    env = register(pkg, "liar")
    run = cli("conformance", str(pkg / "tests"), "--section", str(tmp_path / "s.json"), cwd=tmp_path, env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    rows = [line.split() for line in run.stdout.splitlines()]
    assert ["instances", "fail"] in rows and ["capabilities_match_accessors", "fail"] in rows
    assert ["zones", "unsupported"] in rows
    assert any(line.startswith("FAIL liar test_capabilities_match_accessors: ") for line in run.stdout.splitlines())
    section = json.loads((tmp_path / "s.json").read_text())
    assert section["columns"] == ["capability / check", "liar"]
    assert ["instances", "fail"] in section["rows"] and section["styles"]["fail"] == "bad"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Acme", "invalid provider name 'Acme': use lower-case letters"),
        ("acme-cloud", "invalid provider name 'acme-cloud'"),
        ("2cloud", "invalid provider name '2cloud'"),
        ("a__b", "invalid provider name 'a__b'"),
        ("import", "invalid provider name 'import': a Python keyword"),
    ],
)
def test_new_refuses_an_invalid_name_writing_nothing(tmp_path: Path, name: str, message: str) -> None:
    done = cli("new", name, "--into", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"cloud-provider: error: {message}") and done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_an_existing_provider(tmp_path: Path) -> None:
    (tmp_path / "cloud_provider_acme").mkdir()
    (tmp_path / "cloud_provider_acme" / "keep.txt").write_text("mine")
    done = cli("new", "acme", "--into", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        f"cloud-provider: error: {tmp_path / 'cloud_provider_acme'}: already exists (provider 'acme' is taken)\n"
    )
    assert [p.name for p in (tmp_path / "cloud_provider_acme").iterdir()] == ["keep.txt"]


def test_conformance_refuses_a_missing_path(tmp_path: Path) -> None:
    done = cli("conformance", str(tmp_path / "nope"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"cloud-provider: error: {tmp_path / 'nope'}: no such file or folder\n"
