"""`depgraph vendor`: real symlinks in temporary monorepos, broken one way per test, through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, monorepo_files, pyproject

from depgraph.cli import main
from depgraph.discover.workspace import normalize

REPO = Path(__file__).resolve().parents[3]
LINKS = {
    "fw": "../staging/fw/fw",
    "prov_a": "../staging/prov_a/prov_a",
    "prov_b": "../staging/prov_b/src/prov_b",
}


def run(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["vendor", *args, "--root", str(root)])
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def repo(tmp_path: Path, links: dict[str, str] | None = None) -> Path:
    root = make_repo(tmp_path / "repo", monorepo_files())
    (root / "vendor").mkdir()
    for name, target in (LINKS if links is None else links).items():
        (root / "vendor" / name).symlink_to(target)
    return root


def test_clean_tree_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(repo(tmp_path), "verify", capsys=capsys) == (
        0,
        "vendor/ OK: 3 link(s) to 3 staging package(s)\n",
        "",
    )


def verify_lines(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, out, err = run(root, "verify", capsys=capsys)
    assert code == 1, out + err
    lines = out.splitlines()
    assert lines[-1].endswith("problem(s) in vendor/; `depgraph vendor update` fixes links")
    return lines[:-1]


def test_missing_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, {k: v for k, v in LINKS.items() if k != "prov_a"})
    assert verify_lines(root, capsys) == [
        "vendor/prov_a: missing link (expected -> ../staging/prov_a/prov_a)"
    ]


def test_stale_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, LINKS | {"old": "../app"})
    assert verify_lines(root, capsys) == [
        "vendor/old: stale link -> ../app (no staging package provides old)"
    ]


def test_dangling_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, LINKS | {"gone": "../staging/gone/gone"})
    assert verify_lines(root, capsys) == [
        "vendor/gone: dangling link -> ../staging/gone/gone (no staging package provides it)"
    ]


def test_absolute_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, LINKS | {"fw": str(tmp_path / "repo/staging/fw/fw")})
    assert verify_lines(root, capsys) == [
        f"vendor/fw: absolute link -> {tmp_path}/repo/staging/fw/fw (expected relative -> ../staging/fw/fw)"
    ]


def test_wrong_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, LINKS | {"fw": "../staging/prov_a/prov_a"})
    assert verify_lines(root, capsys) == [
        "vendor/fw: link points at the wrong place -> ../staging/prov_a/prov_a (expected -> ../staging/fw/fw)"
    ]


def test_wrong_place_and_dangling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, LINKS | {"fw": "../staging/fw"})
    (root / "vendor/fw").unlink()
    (root / "vendor/fw").symlink_to("../staging/fw/nope")
    assert verify_lines(root, capsys) == [
        "vendor/fw: link points at the wrong place -> ../staging/fw/nope, which does not exist "
        "(expected -> ../staging/fw/fw)"
    ]


def test_link_leaving_the_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "elsewhere/fw").mkdir(parents=True)
    root = repo(tmp_path, LINKS | {"fw": "../../elsewhere/fw"})
    assert verify_lines(root, capsys) == [
        "vendor/fw: link leaves the repository -> ../../elsewhere/fw (expected -> ../staging/fw/fw)"
    ]


def test_real_folder_and_file_where_links_belong(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, {"prov_a": LINKS["prov_a"]})
    (root / "vendor/fw").mkdir()
    (root / "vendor/prov_b").write_text("")
    (root / "vendor/extra.py").write_text("")
    (root / "vendor/README.md").write_text("not importable: left alone\n")
    assert verify_lines(root, capsys) == [
        "vendor/extra.py: unexpected real file (vendor/ holds only links to staging packages)",
        "vendor/fw: a real folder where a link belongs (expected -> ../staging/fw/fw)",
        "vendor/prov_b: a real file where a link belongs (expected -> ../staging/prov_b/src/prov_b)",
    ]


def test_vendor_is_not_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files() | {"vendor": "a file"})
    assert verify_lines(root, capsys) == ["vendor: not a folder (vendor/ must be a real folder of links)"]


def test_staging_package_not_declared_by_the_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path)
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text().replace('b = ["prov-b"]', 'b = ["requests"]')
    )
    assert verify_lines(root, capsys) == [
        "pyproject.toml: staging distribution 'prov-b' is not declared in [project] dependencies "
        "or optional-dependencies"
    ]


def test_update_fixes_everything_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, {"fw": "../staging/prov_a/prov_a", "prov_b": "/abs/x", "old": "../gone"})
    before = {p.name: str(p.readlink()) for p in (root / "vendor").iterdir()}
    code, out, _ = run(root, "update", "--dry-run", capsys=capsys)
    assert code == 0
    assert out.splitlines()[0] == "would have removed vendor/fw -> ../staging/prov_a/prov_a"
    assert out.splitlines()[-1] == "would have created vendor/prov_b -> ../staging/prov_b/src/prov_b"
    assert len(out.splitlines()) == 6
    assert {p.name: str(p.readlink()) for p in (root / "vendor").iterdir()} == before
    code, out, err = run(root, "update", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "removed vendor/fw -> ../staging/prov_a/prov_a",
        "removed vendor/old -> ../gone",
        "removed vendor/prov_b -> /abs/x",
        "created vendor/fw -> ../staging/fw/fw",
        "created vendor/prov_a -> ../staging/prov_a/prov_a",
        "created vendor/prov_b -> ../staging/prov_b/src/prov_b",
    ]
    assert {p.name: str(p.readlink()) for p in (root / "vendor").iterdir()} == LINKS
    assert run(root, "verify", capsys=capsys)[0] == 0
    assert run(root, "update", capsys=capsys) == (0, "vendor/ is up to date\n", "")
    # The links work: the packages import through vendor/.
    probe = "import fw.api, prov_b.impl; print(fw.api.__file__.split('/repo/')[1])"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(root / "vendor")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "vendor/fw/api.py\n"


def test_update_creates_the_vendor_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path / "repo", monorepo_files())
    code, out, _ = run(root, "update", capsys=capsys)
    assert code == 0
    assert len(out.splitlines()) == 3
    assert {p.name: str(p.readlink()) for p in (root / "vendor").iterdir()} == LINKS


def test_update_never_deletes_real_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repo(tmp_path, {"prov_a": LINKS["prov_a"]})
    (root / "vendor/fw").mkdir()
    (root / "vendor/fw/keep.py").write_text("precious\n")
    code, out, err = run(root, "update", capsys=capsys)
    assert code == 1
    assert out.splitlines() == ["created vendor/prov_b -> ../staging/prov_b/src/prov_b"]
    assert err.splitlines() == ["vendor/fw: real folder left alone; move it away and run update again"]
    assert (root / "vendor/fw/keep.py").read_text() == "precious\n"


def test_namespace_package_shared_by_two_staging_packages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "pyproject.toml": pyproject("core", ["acme-one", "acme-two"])
        + "[tool.depgraph]\nstaging = ['libs/*']\n",
        "libs/one/pyproject.toml": pyproject("acme-one"),
        "libs/one/src/acme/one/__init__.py": "",
        "libs/two/pyproject.toml": pyproject("acme-two"),
        "libs/two/acme/two/__init__.py": "",
        "libs/two/acme/helpers.py": "",
    }
    root = make_repo(tmp_path / "repo", files)
    code, out, _ = run(root, "update", capsys=capsys)
    assert code == 0
    assert out.splitlines() == [
        "created folder vendor/acme/",
        "created vendor/acme/helpers.py -> ../../libs/two/acme/helpers.py",
        "created vendor/acme/one -> ../../libs/one/src/acme/one",
        "created vendor/acme/two -> ../../libs/two/acme/two",
    ]
    assert run(root, "verify", capsys=capsys)[0] == 0
    # Importing through the links writes bytecode beside the linked module of the namespace folder.
    done = subprocess.run(
        [sys.executable, "-c", "import acme.helpers, acme.one, acme.two"],
        env={**os.environ, "PYTHONPATH": str(root / "vendor"), "PYTHONDONTWRITEBYTECODE": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert (root / "vendor/acme/__pycache__").is_dir(), done.stderr
    assert run(root, "verify", capsys=capsys)[0] == 0
    assert run(root, "update", capsys=capsys) == (0, "vendor/ is up to date\n", "")
    (root / "vendor/acme/two").unlink()
    assert verify_lines(root, capsys) == [
        "vendor/acme/two: missing link (expected -> ../../libs/two/acme/two)"
    ]


def test_requirements(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = monorepo_files()
    files["staging/fw/pyproject.toml"] = pyproject(
        "fw", ["requests>=2", "PyYAML"], {"test": ["pytest>=8", "moto[ec2]>=5"], "docs": ["sphinx"]}
    )
    files["staging/prov_a/pyproject.toml"] = pyproject(
        "prov-a", ["fw>=0.1", "boto3>=1.34", "requests>=2", "app"], {"test": ["pytest>=8"]}
    )
    root = make_repo(tmp_path / "repo", files)
    code, out, _ = run(root, "requirements", capsys=capsys)
    assert (code, out.splitlines()) == (0, ["boto3>=1.34", "PyYAML", "requests>=2"])
    code, out, _ = run(root, "requirements", "--extras", "test", capsys=capsys)
    assert out.splitlines() == ["boto3>=1.34", "moto[ec2]>=5", "pytest>=8", "PyYAML", "requests>=2"]
    code, out, _ = run(root, "requirements", "--extras", "docs,test", capsys=capsys)
    assert "sphinx" in out.splitlines()


def test_bad_requirement_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = monorepo_files()
    files["staging/fw/pyproject.toml"] = pyproject("fw", ["requests >>> 2"])
    root = make_repo(tmp_path / "repo", files)
    code, _, err = run(root, "requirements", capsys=capsys)
    assert code == 2
    assert err.startswith(f"depgraph: error: {root}/staging/fw/pyproject.toml: project.dependencies: ")
    assert len(err.splitlines()) == 1


def test_this_repository_vendor_tree() -> None:
    """The real command on this repository: its vendor/ matches its staging packages."""
    done = cli_inprocess.run(
        [str(Path(sys.executable).parent / "depgraph"), "vendor", "verify", "--root", str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("vendor/ OK: ")


def test_root_declares_a_staging_like_name_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path)
    text = (root / "pyproject.toml").read_text()
    extra = 'b = ["prov-b"]\ngce = ["fw-gce>=1"]'
    (root / "pyproject.toml").write_text(text.replace('b = ["prov-b"]', extra))
    assert verify_lines(root, capsys) == [
        "pyproject.toml: project.optional-dependencies.gce declares 'fw-gce', which looks like a staging "
        "distribution, but there is none by that name (name the environment where it is installed with "
        "--python or the `python` key)"
    ]
    code, out, _ = run(root, "verify", "--python", sys.executable, capsys=capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "pyproject.toml: project.optional-dependencies.gce declares 'fw-gce', which looks like a staging "
        f"distribution, but there is none by that name (it is not installed in {sys.executable})"
    )


def test_installed_third_party_extending_a_staging_name_is_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An `a-b` (say `pytest-xdist`) installed in the repository's environment beside a staging package `a`
    is third-party, not a ghost."""
    installed = sorted(
        normalize(d.metadata["Name"]) for d in distributions() if "-" in normalize(d.metadata["Name"] or "")
    )
    if not installed:
        pytest.skip("no installed distribution with a dash in its name")
    extended = installed[0]
    base = extended.rsplit("-", 1)[0]
    files = monorepo_files()
    files["pyproject.toml"] = files["pyproject.toml"].replace('["fw"]', f'["fw", "{base}", "{extended}"]')
    files[f"staging/{base}/pyproject.toml"] = pyproject(base)
    files[f"staging/{base}/{base.replace('-', '_')}/__init__.py"] = ""
    root = make_repo(tmp_path / "repo", files)
    code, out, _ = run(root, "update", capsys=capsys)
    assert code == 0, out
    # installed in the environment named: third-party; depgraph's own environment is never asked
    assert run(root, "verify", "--python", sys.executable, capsys=capsys)[0] == 0
    assert f"declares {extended!r}, which looks like a staging distribution" in verify_lines(root, capsys)[0]


def namespace_repo(tmp_path: Path) -> Path:
    files = {
        "pyproject.toml": pyproject("core", ["acme-one", "acme-two"])
        + "[tool.depgraph]\nstaging = ['libs/*']\n",
        "libs/one/pyproject.toml": pyproject("acme-one"),
        "libs/one/src/acme/one/__init__.py": "",
        "libs/two/pyproject.toml": pyproject("acme-two"),
        "libs/two/acme/two/__init__.py": "",
    }
    return make_repo(tmp_path / "repo", files)


def test_update_turns_a_namespace_link_into_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Once only acme-one had `acme`, so vendor/acme was a link; now acme-two shares the namespace."""
    root = namespace_repo(tmp_path)
    (root / "vendor").mkdir()
    (root / "vendor/acme").symlink_to("../libs/one/src/acme")
    code, out, _ = run(root, "update", "--dry-run", capsys=capsys)
    assert "would have created folder vendor/acme/" in out.splitlines()
    code, out, _ = run(root, "update", capsys=capsys)
    assert (code, out.splitlines()) == (
        0,
        [
            "removed vendor/acme -> ../libs/one/src/acme",
            "created folder vendor/acme/",
            "created vendor/acme/one -> ../../libs/one/src/acme/one",
            "created vendor/acme/two -> ../../libs/two/acme/two",
        ],
    )
    assert run(root, "verify", capsys=capsys)[0] == 0


def test_update_with_a_file_where_a_namespace_folder_belongs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = namespace_repo(tmp_path)
    (root / "vendor").mkdir()
    (root / "vendor/acme").write_text("in the way\n")
    code, out, err = run(root, "update", capsys=capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == ["vendor/acme: real file left alone; move it away and run update again"]
    assert verify_lines(root, capsys) == [
        "vendor/acme/one: missing link (expected -> ../../libs/one/src/acme/one)",
        "vendor/acme/two: missing link (expected -> ../../libs/two/acme/two)",
        "vendor/acme: should be a real folder (namespace package shared by staging packages)",
    ]
