"""A monorepo of 150 distributions (generated here) renders quickly and stays legible when drawn to PNG."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from dg_fixtures import make_repo, pyproject

from depgraph.cli import main

PROVIDERS = 140
UTILS = 8  # 2 (core, framework) + 8 + 140 = 150 distributions

TOOL = """
[tool.depgraph]
staging = ["staging/*"]

[[tool.depgraph.restrictions]]
name = "providers-stand-alone"
from = ["prov-*"]
deny-modules = ["prov_*"]
"""


def big_repo_files() -> dict[str, str]:
    """Core `app`, framework `fw`, shared libraries util-N and providers prov-N, each importing fw and a util.

    Planted: prov-7 imports prov-8 (a restriction); util-1 and util-2 import each other (a cycle).
    """
    extras = {f"p{i}": [f"prov-{i}"] for i in range(PROVIDERS)}
    files = {
        "pyproject.toml": pyproject("app", ["fw", "util-0"], extras, TOOL),
        "app/__init__.py": "",
        "app/main.py": "import fw\nimport util_0\n",
        "staging/fw/pyproject.toml": pyproject("fw", ["util-0"]),
        "staging/fw/fw/__init__.py": "import util_0\n",
    }
    for u in range(UTILS):
        other = {1: 2, 2: 1}.get(u)
        files[f"staging/util_{u}/pyproject.toml"] = pyproject(f"util-{u}", [f"util-{other}"] if other else [])
        files[f"staging/util_{u}/util_{u}/__init__.py"] = f"import util_{other}\n" if other else ""
    for p in range(PROVIDERS):
        body, deps = f"import fw\nimport util_{p % UTILS}\n", ["fw", f"util-{p % UTILS}"]
        if p == 7:
            body, deps = body + "import prov_8\n", [*deps, "prov-8"]
        files[f"staging/prov_{p}/pyproject.toml"] = pyproject(f"prov-{p}", deps)
        files[f"staging/prov_{p}/prov_{p}/__init__.py"] = body
    return files


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("big"), big_repo_files())


def graph(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(["graph", *args])
    out, err = capsys.readouterr()
    assert info.value.code == 0, err
    return out


def test_150_distributions_json(big_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(graph(capsys, "--root", str(big_repo), "-f", "json"))
    assert data["counts"]["nodes"] == 150
    assert data["counts"]["edges"] == 2 * PROVIDERS + 1 + 2 + 1 + 2  # providers, prov-7, app, fw, util cycle
    red = {(e["source"], e["target"]): e["reasons"] for e in data["edges"] if e["red"]}
    assert red == {
        ("prov-7", "prov-8"): ["restriction"],
        ("util-1", "util-2"): ["cycle"],
        ("util-2", "util-1"): ["cycle"],
    }


def test_150_distributions_render_legibly(
    big_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png, svg = tmp_path / "big.png", tmp_path / "big.svg"
    graph(capsys, "--root", str(big_repo), "-o", str(png))
    graph(capsys, "--root", str(big_repo), "-o", str(svg))
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    # One row of 150 boxes would be ~15,000 px wide; leaves importing the same distributions are stacked in
    # boxes, so the whole fits a few screens at full size (text stays at its 11 pt, nothing is scaled down).
    assert 1500 < width < 5000 and 400 < height < 2000, (width, height)
    assert width / height < 8
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    titles = {t.text for t in root.iter(f"{ns}title")}
    names = {"app", "fw"} | {f"util-{u}" for u in range(UTILS)} | {f"prov-{p}" for p in range(PROVIDERS)}
    assert names <= titles  # every distribution is drawn, by name
    bundles = sorted(t.text or "" for t in root.iter(f"{ns}text") if " importing " in (t.text or ""))
    # providers stacked by what they import; prov-8 (imported) and prov-7 (a red edge) are drawn on their own
    assert len(bundles) == UTILS
    assert {"17 importing fw, util-0", "16 importing fw, util-7", "18 importing fw, util-1"} <= set(bundles)
    sizes = {float(t.get("font-size", "0")) for t in root.iter(f"{ns}text")}
    assert min(sizes) >= 9.0
