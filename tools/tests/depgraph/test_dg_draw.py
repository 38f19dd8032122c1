"""`depgraph graph` on temporary monorepos: every format, red edges, module focus, determinism, no `dot`."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, monorepo_files, pyproject

from depgraph.cli import main

DEPGRAPH = str(Path(sys.executable).parent / "depgraph")

RESTRICTED_TOOL = """
[tool.depgraph]
staging = ["staging/*"]

[[tool.depgraph.restrictions]]
name = "a-stands-alone"
from = ["prov-a"]
deny-modules = ["prov_b"]
"""


def planted_files() -> dict[str, str]:
    """The clean monorepo with a distribution cycle fw <-> prov-b and a restriction: prov-a imports prov-b."""
    files = monorepo_files()
    files["pyproject.toml"] = pyproject("app", ["fw"], {"a": ["prov-a"], "b": ["prov-b"]}, RESTRICTED_TOOL)
    files["staging/fw/fw/api.py"] = (
        "import importlib\n\nimport prov_b.impl\n\n\ndef load() -> None:\n    pass\n"
    )
    files["staging/prov_a/prov_a/__init__.py"] = "from fw.api import load\nimport prov_b\n"
    return files


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["graph", *args])
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", planted_files())


def test_distribution_json_red_edges_and_counts(planted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--root", str(planted), "-f", "json", "--no-cache")
    assert (code, err) == (0, "")  # the graph command does not fail on findings
    data = json.loads(out)
    assert data["level"] == "distribution"
    assert [(n["id"], n["kind"], n["modules"]) for n in data["nodes"]] == [
        ("app", "core", 2),
        ("fw", "staging", 2),  # its tests folder is left out (include-tests = false)
        ("prov-a", "staging", 1),
        ("prov-b", "staging", 2),
    ]
    edges = {(e["source"], e["target"]): (e["imports"], e["reasons"]) for e in data["edges"]}
    assert edges == {
        ("app", "fw"): (2, []),
        ("fw", "prov-b"): (1, ["cycle", "undeclared-dependency"]),
        ("prov-a", "fw"): (1, []),
        ("prov-a", "prov-b"): (1, ["restriction", "undeclared-dependency"]),
        ("prov-b", "fw"): (1, ["cycle"]),
    }
    fw_to_b = next(e for e in data["edges"] if e["source"] == "fw")
    assert fw_to_b["examples"] == ["staging/fw/fw/api.py:3"]
    assert data["counts"] == {"nodes": 4, "edges": 5, "imports": 6, "red_edges": 3, "findings": 5}
    assert {f["check"] for f in data["findings"]} == {
        "distribution-cycle",
        "import-cycle",
        "restriction",
        "undeclared-dependency",
    }
    legend = [item["key"] for item in data["legend"]]
    assert legend == ["core", "staging", "cycle", "restriction", "undeclared-dependency"]


def test_text_formats_are_byte_identical_between_runs(planted: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(planted, copy)
    for fmt in ("dot", "mermaid", "json"):  # a child process, then this one: two processes, two hash seeds
        first = subprocess.run(
            [DEPGRAPH, "graph", "-f", fmt], cwd=planted, capture_output=True, check=True
        ).stdout
        again = cli_inprocess.run(
            [DEPGRAPH, "graph", "-f", fmt], cwd=planted, capture_output=True, check=True
        ).stdout
        other = cli_inprocess.run(
            [DEPGRAPH, "graph", "-f", fmt, "--no-cache"], cwd=copy, capture_output=True, check=True
        ).stdout
        assert first == again == other, fmt
        assert len(first) > 200


def test_dot_is_valid_and_marks_red_edges(planted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--root", str(planted), "--no-cache")  # stdout, no suffix: DOT
    assert code == 0
    assert out.startswith("// distributions\ndigraph depgraph {")

    def coloured(colour: str) -> list[str]:  # in the drawing's sorted order
        lines = [line for line in out.splitlines() if "->" in line and f'color="{colour}"' in line]
        return [line.split("[")[0].strip() for line in lines]

    # coloured by reason: forbidden red, undeclared amber, cycle purple (several reasons: the first of these)
    assert coloured("#d62728") == ['"prov-a" -> "prov-b"']
    assert coloured("#c77700") == ['fw -> "prov-b"']  # on the cycle, and undeclared
    assert coloured("#7b3fb5") == ['"prov-b" -> fw']
    assert 'class="dg-edge reason-forbidden"' in out and 'id="edge:prov-a->prov-b"' in out
    # the legend names each colour, in that colour; grey is an import without a finding
    legend = out[out.index("depgraph_legend") :]
    legend = legend[: legend.index("</TABLE>")]
    for colour, words in (
        ("#777777", '&#8594; import</B></FONT></TD><TD ALIGN="LEFT">import without a finding'),
        ("#d62728", '&#8594; forbidden</B></FONT></TD><TD ALIGN="LEFT">forbidden import ('),
        ("#c77700", '&#8594; undeclared</B></FONT></TD><TD ALIGN="LEFT">undeclared dependency'),
        ("#7b3fb5", '&#8594; cycle</B></FONT></TD><TD ALIGN="LEFT">on an import cycle'),
    ):
        assert f'<FONT COLOR="{colour}"><B>{words}' in legend, colour
    assert "&#8594; red" not in legend and "no coloured edge" not in legend
    canon = subprocess.run(["dot", "-Tcanon"], input=out, capture_output=True, text=True, check=True)
    assert "digraph depgraph" in canon.stdout


def test_mermaid_structure(planted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--root", str(planted), "-f", "mermaid", "--no-cache")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == ["%% depgraph: distributions", "flowchart LR"]
    assert '  n0["app"]:::core' in lines and '  n3["prov-b"]:::staging' in lines
    links = [line.strip() for line in lines if "-->" in line]
    assert links == [
        'n0 -->|"2"| n1',
        'n1 -->|"1"| n3',
        'n2 -->|"1"| n1',
        'n2 -->|"1"| n3',
        'n3 -->|"1"| n1',
    ]
    # coloured by reason as in DOT: forbidden red, undeclared amber, cycle purple; the rest grey
    assert [line for line in lines if line.startswith("  linkStyle")] == [
        "  linkStyle default stroke:#777777",
        "  linkStyle 3 stroke:#d62728,stroke-width:3px,color:#d62728",
        "  linkStyle 1 stroke:#c77700,stroke-width:3px,color:#c77700",
        "  linkStyle 4 stroke:#7b3fb5,stroke-width:3px,color:#7b3fb5",
    ]
    # the legend says what each colour means, in that colour
    legend = lines[lines.index('  subgraph legend["legend: edge colours"]') :]
    assert legend[1:4] == [
        '    legend_forbidden["forbidden: forbidden import (restriction, staging imports the core, the core'
        ' imports a plugin)"]:::legend_forbidden',
        '    legend_undeclared["undeclared: undeclared dependency"]:::legend_undeclared',
        '    legend_cycle["cycle: on an import cycle"]:::legend_cycle',
    ]
    assert "  classDef legend_undeclared fill:#ffffff,stroke:#c77700,color:#c77700" in legend
    assert not any(" red" in line for line in lines)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_images_from_suffix(planted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    for suffix in ("svg", "png", "pdf"):
        code, _, err = run(capsys, "--root", str(planted), "-o", str(out_dir / f"graph.{suffix}"))
        assert code == 0 and err.strip() == f"depgraph: wrote {out_dir / f'graph.{suffix}'}"
    svg = ET.parse(out_dir / "graph.svg").getroot()
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    assert {"app", "fw", "prov-a", "prov-b", "fw->prov-b"} <= titles
    width, height = _png_size((out_dir / "graph.png").read_bytes())
    assert 200 < width < 3000 and 100 < height < 3000
    assert (out_dir / "graph.pdf").read_bytes().startswith(b"%PDF-")


def test_bad_usage_is_one_line_exit_2(planted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args, expected in (
        (("-o", "graph.txt"), "graph.txt: cannot tell the format from the suffix"),
        (("-f", "png"), "format png is an image: write it to a file with -o FILE.png"),
        (
            ("--focus", "nothing.here"),
            "--focus nothing.here: no module, package or distribution of that name",
        ),
        (("--reverse",), "--reverse and --collapse draw modules: use them with --focus"),
    ):
        code, _, err = run(capsys, "--root", str(planted), *args)
        assert code == 2, args
        assert expected in err and len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err


def test_without_dot_text_works_and_images_say_what_to_install(planted: Path, tmp_path: Path) -> None:
    # A PATH without Graphviz: the real `dot` cannot be uninstalled here, so it is hidden instead.
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    text = cli_inprocess.run(
        [DEPGRAPH, "graph", "-f", "mermaid"],
        cwd=planted,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert text.returncode == 0 and text.stdout.startswith("%% depgraph")
    image = cli_inprocess.run(
        [DEPGRAPH, "graph", "-o", str(tmp_path / "g.svg")],
        check=False,
        cwd=planted,
        env=env,
        capture_output=True,
        text=True,
    )
    assert image.returncode == 2
    assert image.stderr.count("\n") == 1 and "apt-get install graphviz" in image.stderr
    assert not (tmp_path / "g.svg").exists()


def module_files() -> dict[str, str]:
    files = monorepo_files()
    files["app/main.py"] = "import app.cli\nimport fw\n"
    files["app/cli.py"] = "import app.main\nfrom app.sub import deep\n"  # an import-time cycle main <-> cli
    files["app/sub/__init__.py"] = ""
    files["app/sub/deep.py"] = "from app.sub import deeper\n"
    files["app/sub/deeper.py"] = "\n\ndef f() -> None:\n    import app.main\n"  # deferred: not a cycle
    return files


def test_module_focus_depth_reverse_collapse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path, module_files())

    def drawn(*args: str) -> dict[str, object]:
        code, out, err = run(capsys, "--root", str(root), "-f", "json", "--no-cache", *args)
        assert (code, err) == (0, ""), err
        data: dict[str, object] = json.loads(out)
        return data

    data = drawn("--focus", "app.main", "--depth", "1")
    nodes = {n["id"]: n["kind"] for n in data["nodes"]}  # type: ignore[attr-defined]
    assert nodes == {"app.main": "focus", "app.cli": "module", "fw": "module"}
    edges = {(e["source"], e["target"]): e["reasons"] for e in data["edges"]}  # type: ignore[attr-defined]
    assert edges == {
        ("app.main", "app.cli"): ["cycle"],
        ("app.cli", "app.main"): ["cycle"],
        ("app.main", "fw"): [],
    }

    data = drawn("--focus", "app.main", "--depth", "3")
    ids = sorted(n["id"] for n in data["nodes"])  # type: ignore[attr-defined]
    assert ids == ["app.cli", "app.main", "app.sub.deep", "app.sub.deeper", "fw", "fw.api"]
    clusters = {n["id"]: n["cluster"] for n in data["nodes"]}  # type: ignore[attr-defined]
    assert clusters["app.sub.deep"] == ["app", "app.sub"] and clusters["fw"] == clusters["fw.api"] == ["fw"]
    deferred = [e for e in data["edges"] if e["source"] == "app.sub.deeper"]  # type: ignore[attr-defined]
    assert [(e["target"], e["reasons"]) for e in deferred] == [("app.main", [])]  # deferred: not on a cycle

    data = drawn("--focus", "app.main", "--reverse", "--depth", "5")
    ids = sorted(n["id"] for n in data["nodes"])  # type: ignore[attr-defined]
    assert ids == ["app.cli", "app.main", "app.sub.deep", "app.sub.deeper"]  # who depends on app.main

    data = drawn("--focus", "app", "--depth", "0", "--collapse", "2")
    nodes = {n["id"]: (n["kind"], n["modules"]) for n in data["nodes"]}  # type: ignore[attr-defined]
    assert nodes == {
        "app": ("focus", 1),
        "app.cli": ("focus", 1),
        "app.main": ("focus", 1),
        "app.sub": ("focus", 3),
    }
    edges = {(e["source"], e["target"]): e["imports"] for e in data["edges"]}  # type: ignore[attr-defined]
    assert edges == {
        ("app.cli", "app.main"): 1,
        ("app.cli", "app.sub"): 1,
        ("app.main", "app.cli"): 1,
        ("app.sub", "app.main"): 1,
    }


def test_focus_on_a_distribution_and_mermaid_clusters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path, module_files())
    code, out, _ = run(
        capsys, "--root", str(root), "-f", "mermaid", "--no-cache", "--focus", "prov-b", "--depth", "0"
    )
    assert code == 0
    assert out.splitlines()[1:] == [
        "flowchart TB",
        "  classDef focus fill:#ffe08a,stroke:#b38600,color:#222222",
        '  subgraph c0["prov_b"]',
        '    n0["prov_b"]:::focus',
        '    n1["impl"]:::focus',
        "  end",
        '  n0 -->|"1"| n1',
        "  linkStyle default stroke:#777777",
    ]


def test_the_legend_of_a_drawing_without_findings_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path, module_files())
    code, out, _ = run(capsys, "--root", str(root), "--no-cache", "--focus", "prov-b", "--depth", "0")
    assert code == 0
    legend = out[out.index("depgraph_legend") :]
    legend = legend[: legend.index("</TABLE>")]
    assert (
        '<FONT COLOR="#777777"><B>&#8594; import</B></FONT></TD><TD ALIGN="LEFT">import without a finding'
        in (legend)
    )
    assert "no coloured edge: no import cycle, forbidden import or undeclared dependency" in legend
    assert "&#8594; red" not in legend and "#d62728" not in legend


def test_a_thousand_module_package_collapses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"pyproject.toml": pyproject("big", [], None, '[tool.depgraph]\nstaging = ["staging/*"]\n')}
    files["big/__init__.py"] = ""
    for sub in range(20):
        files[f"big/s{sub:02}/__init__.py"] = ""
        for mod in range(50):  # each module imports the next subpackage's first module
            files[f"big/s{sub:02}/m{mod:02}.py"] = f"import big.s{(sub + 1) % 20:02}.m00\n"
    root = make_repo(tmp_path, files)
    code, out, err = run(capsys, "--root", str(root), "-f", "json", "--focus", "big", "--depth", "0")
    assert code == 0 and len(json.loads(out)["nodes"]) == 1021
    assert "1021 modules drawn; `--collapse 2` (or 3) draws one node per package" in err
    code, out, err = run(capsys, "--root", str(root), "-f", "json", "--focus", "big", "--collapse", "2")
    data = json.loads(out)
    assert (code, err) == (0, "")
    assert len(data["nodes"]) == 21 and data["counts"]["edges"] == 20
    s00 = next(e for e in data["edges"] if e["source"] == "big.s00")
    assert (s00["target"], s00["imports"], s00["reasons"]) == ("big.s01", 50, ["cycle"])  # s00 -> ... -> s00
    assert next(n for n in data["nodes"] if n["id"] == "big.s07")["modules"] == 51
    code, _, _ = run(
        capsys, "--root", str(root), "--focus", "big", "--collapse", "2", "-o", str(tmp_path / "c.png")
    )
    assert code == 0 and (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_third_party_distributions_on_demand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = monorepo_files()
    files["staging/fw/pyproject.toml"] = pyproject("fw", ["packaging"])
    files["staging/fw/fw/api.py"] = "import packaging.version\nfrom packaging import specifiers\n"
    root = make_repo(tmp_path, files)
    _, out, _ = run(capsys, "--root", str(root), "-f", "json", "--no-cache")
    assert "packaging" not in {n["id"] for n in json.loads(out)["nodes"]}
    _, out, _ = run(capsys, "--root", str(root), "-f", "json", "--third-party")
    data = json.loads(out)
    assert [n for n in data["nodes"] if n["kind"] == "third-party"] == [
        {
            "id": "packaging",
            "label": "packaging",
            "kind": "third-party",
            "cluster": ["third-party"],
            "modules": 0,
            "lines": 0,
        }
    ]
    assert [(e["source"], e["imports"]) for e in data["edges"] if e["target"] == "packaging"] == [("fw", 2)]
    assert data["clusters"] == [{"id": "third-party", "label": "third-party distributions"}]
