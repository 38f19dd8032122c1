"""`depgraph footprint`: import closures and installed closures, with and without each staging package."""

from __future__ import annotations

import json
import sys
import venv
from importlib import metadata
from pathlib import Path

import pytest
from dg_fixtures import make_repo, pyproject

from depgraph.cli import main
from depgraph.discover.config import find_config
from depgraph.graph.graph import build_graph
from depgraph.render.footprint import Row, compute, human

TOOL = '[tool.depgraph]\nstaging = ["staging/*"]\n'


def files() -> dict[str, str]:
    """Core `app` (needs fw; providers a and b as extras, never imported; a `test` extra, for development
    only); provider b needs `packaging` and a distribution that is not installed."""
    return {
        "pyproject.toml": pyproject(
            "app", ["fw"], {"a": ["prov-a"], "b": ["prov-b"], "test": ["only-for-tests-dist"]}, TOOL
        ),
        "app/__init__.py": "",
        "app/main.py": "import fw\n\n\ndef run() -> None:\n    import fw.registry\n",  # 5 lines
        "app/types.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import prov_a\n",
        "staging/fw/pyproject.toml": pyproject("fw"),
        "staging/fw/fw/__init__.py": "X = 1\n",
        "staging/fw/fw/registry.py": "import importlib\n\n\nNAMES = []\n",
        "staging/fw/tests/test_fw.py": "import fw\n",
        "staging/prov_a/pyproject.toml": pyproject("prov-a", ["fw"]),
        "staging/prov_a/prov_a/__init__.py": "import fw\n",
        "staging/prov_b/pyproject.toml": pyproject(
            "prov-b", ["fw", "packaging", "surely-not-installed-dist"]
        ),
        "staging/prov_b/prov_b/__init__.py": "import fw.registry\nimport packaging.version\n",
    }


def source_bytes(root: Path, *paths: str) -> int:
    return sum(len((root / p).read_bytes()) for p in paths)


def test_rows_of_the_core_and_a_provider(tmp_path: Path) -> None:
    root = make_repo(tmp_path, files())
    # this interpreter's environment, named: `packaging` is installed there
    graph = build_graph(root, find_config(root, sys.executable), use_cache=False, jobs=1)
    rows = {(r.distribution, r.variant): r for r in compute(graph)}
    assert list(rows)[:4] == [
        ("app", "all"),
        ("app", "no extras"),
        ("app", "without fw"),
        ("app", "without prov-a"),
    ]
    app = source_bytes(root, "app/__init__.py", "app/main.py", "app/types.py")
    fw = source_bytes(root, "staging/fw/fw/__init__.py", "staging/fw/fw/registry.py")  # tests are not shipped
    prov_a = source_bytes(root, "staging/prov_a/prov_a/__init__.py")
    prov_b = source_bytes(root, "staging/prov_b/prov_b/__init__.py")
    packaging_files = metadata.distribution("packaging").files or []
    packaging = sum(f.size or 0 for f in packaging_files)
    assert packaging > 10_000

    # import closure: app's 3 modules + fw + fw.registry (deferred counts; type-checking does not)
    assert (rows["app", "all"].modules, rows["app", "all"].lines) == (5, 0 + 5 + 4 + 1 + 4)
    # installed closure with every extra: app, fw, prov-a, prov-b, packaging; one requirement missing
    assert rows["app", "all"] == Row(
        "app", "all", 5, 14, 5, app + fw + prov_a + prov_b + packaging, ("surely-not-installed-dist",)
    )
    assert rows["app", "no extras"] == Row("app", "no extras", 5, 14, 2, app + fw)
    assert rows["app", "without prov-b"] == Row("app", "without prov-b", 5, 14, 3, app + fw + prov_a)
    assert rows["app", "without fw"] == Row(
        "app", "without fw", 3, 9, 4, app + prov_a + prov_b + packaging, ("surely-not-installed-dist",)
    )
    assert (
        rows["prov-b", "all"].modules == 3
    )  # prov_b, fw.registry... and nothing of packaging (not first-party)
    assert ("prov-b", "no extras") not in rows  # no extras, no such row


def test_cli_text_json_and_unknown_distribution(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path, files())
    with pytest.raises(SystemExit) as info:
        main(["footprint", "--root", str(root), "--no-cache", "-d", "app", "--python", sys.executable])
    out, _ = capsys.readouterr()
    assert info.value.code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "distribution",
        "variant",
        "modules",
        "lines",
        "installed",
        "dists",
        "size",
        "size",
        "vs",
        "all",
    ]
    assert lines[2].split()[:5] == ["app", "all", "5", "14", "5"]
    assert "(+1 not installed)" in lines[2]
    assert lines[3].split()[:6] == ["app", "no", "extras", "5", "14", "2"]
    assert lines[3].rstrip().endswith(" MiB") or lines[3].rstrip().endswith(" KiB")  # the delta against all
    assert len([line for line in lines if line.startswith("app ")]) == 5
    assert (
        "requirement closure from pyproject.toml and the installed metadata\n  of the environment named"
        in out
    )

    with pytest.raises(SystemExit) as info:
        main(["footprint", "--root", str(root), "-f", "json", "-d", "prov-a", "--python", sys.executable])
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert [
        (r["distribution"], r["variant"], r["modules"], r["distributions"]) for r in data["footprint"]
    ] == [
        ("prov-a", "all", 2, 2),
        ("prov-a", "without fw", 1, 1),
    ]

    with pytest.raises(SystemExit) as info:
        main(["footprint", "--root", str(root), "-d", "nope"])
    _, err = capsys.readouterr()
    assert info.value.code == 2
    assert (
        err.strip() == "depgraph: error: --distribution nope: not a distribution of the repository "
        "(app, fw, prov-a, prov-b)"
    )


def test_a_requirement_that_is_not_pep_508_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = files()
    tree["staging/prov_a/pyproject.toml"] = pyproject("prov-a", ["fw", "not a requirement!"])
    root = make_repo(tmp_path, tree)
    with pytest.raises(SystemExit) as info:
        main(["footprint", "--root", str(root), "--no-cache"])
    out, err = capsys.readouterr()
    assert (info.value.code, out) == (2, "")
    assert err.startswith(
        f"depgraph: error: {root / 'staging/prov_a/pyproject.toml'}: project.dependencies:"
        " invalid requirement 'not a requirement!'"
    )
    assert len(err.splitlines()) == 1


def test_human_sizes() -> None:
    assert [human(n) for n in (0, 1023, 1024, 1536, 5 * 1024 * 1024, 3 * 1024**3)] == [
        "0 B",
        "1023 B",
        "1.0 KiB",
        "1.5 KiB",
        "5.0 MiB",
        "3072.0 MiB",
    ]


def test_installed_closures_come_from_the_named_environment_never_from_depgraphs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without an environment, third-party requirements count as not installed (though `packaging` is
    installed beside depgraph); with one, its metadata decides: here a venv whose only distribution is a
    `packaging` of 1,234 bytes that requires `not-there` on this platform."""
    root = make_repo(tmp_path / "repo", files())
    with pytest.raises(SystemExit):
        main(["footprint", "--root", str(root), "--no-cache", "-f", "json", "-d", "prov-b"])
    rows = json.loads(capsys.readouterr().out)["footprint"]
    assert [(r["variant"], r["distributions"], r["missing"]) for r in rows] == [
        ("all", 2, ["packaging", "surely-not-installed-dist"]),
        ("without fw", 1, ["packaging", "surely-not-installed-dist"]),
    ]
    with pytest.raises(SystemExit):
        main(["footprint", "--root", str(root), "--no-cache", "-d", "prov-b"])
    assert "no environment named\n  (--python PATH or the `python` key)" in capsys.readouterr().out

    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    site = next(env.glob("lib/python*/site-packages"))
    info = site / "packaging-99.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: packaging\nVersion: 99.0\n"
        f"Requires-Dist: not-there; sys_platform == '{sys.platform}'\n"
        "Requires-Dist: never-here; sys_platform == 'no-such-platform'\n"
    )
    (info / "RECORD").write_text("packaging/__init__.py,,1000\npackaging/x.py,,234\n")
    with pytest.raises(SystemExit):
        main(
            [
                "footprint",
                "--root",
                str(root),
                "--no-cache",
                "-f",
                "json",
                "-d",
                "prov-b",
                "--python",
                str(env),
            ]
        )
    rows = json.loads(capsys.readouterr().out)["footprint"]
    prov_b = source_bytes(root, "staging/prov_b/prov_b/__init__.py")
    fw = source_bytes(root, "staging/fw/fw/__init__.py", "staging/fw/fw/registry.py")
    assert [(r["variant"], r["distributions"], r["size"], r["missing"]) for r in rows] == [
        ("all", 3, prov_b + fw + 1234, ["not-there", "surely-not-installed-dist"]),
        ("without fw", 2, prov_b + 1234, ["not-there", "surely-not-installed-dist"]),
    ]
