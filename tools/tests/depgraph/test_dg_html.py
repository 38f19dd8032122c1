"""`depgraph report`: one self-contained page, opened in a real headless Chromium (DOM and screenshot)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from dg_fixtures import make_repo, monorepo_files, pyproject

from depgraph.cli import main

pytestmark = pytest.mark.xdist_group("dg-html")  # the report, built once for every test here

TOOL = """
[tool.depgraph]
staging = ["staging/*"]

[[tool.depgraph.restrictions]]
name = "a-stands-alone"
from = ["prov-a"]
deny-modules = ["prov_b"]
"""
WINDOW = (1280, 1800)


def files() -> dict[str, str]:
    """The clean monorepo with one planted restriction: prov-a imports prov-b (and does not declare it)."""
    result = monorepo_files()
    result["pyproject.toml"] = pyproject("app", ["fw"], {"a": ["prov-a"], "b": ["prov-b"]}, TOOL)
    result["staging/prov_a/prov_a/__init__.py"] = "from fw.api import load\nimport prov_b\n"
    return result


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("no headless Chromium: `make setup` installs it (apt-get install chromium)")


def browse(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    ]
    return subprocess.run(
        [chromium(), *flags, *args, page.as_uri()], capture_output=True, timeout=120, check=True
    )


class Outline(HTMLParser):
    """What the DOM holds: section ids, tables by class, SVG text, anything that would need the network."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.sections: list[str] = []
        self.tables: list[str] = []
        self.svg_in: list[str] = []
        self.svg_text: list[str] = []
        self.external: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.sections.append(values.get("id") or "")
        if tag == "table":
            self.tables.append(values.get("class") or "")
        if tag == "svg":
            self.svg_in.append(self.sections[-1] if self.sections else "")
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href", "xlink:href"):
            value = values.get(key) or ""
            if value and not value.startswith("#"):
                self.external.append(value)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if "svg" in self.stack and self.stack[-1] == "text" and data.strip():
            self.svg_text.append(data.strip())


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("repo"), files())
    page = root / "_output" / "report.html"
    with pytest.raises(SystemExit) as info:
        main(["report", "--root", str(root), "--no-cache", "-o", str(page)])
    assert info.value.code == 0  # the report does not fail on findings; `depgraph check` does
    return page


def test_page_is_self_contained_and_deterministic(report: Path, tmp_path: Path) -> None:
    html = report.read_text(encoding="utf-8")
    outline = Outline()
    outline.feed(html)
    assert outline.sections == ["graph", "findings", "footprint", "distributions"]
    # inline only: the explore data (JSON) and its script, nothing fetched (test_dg_explore drives them)
    assert outline.external == [] and outline.scripts == 2 and "<link" not in html and "@import" not in html
    assert "staging/prov_a/prov_a/__init__.py:2" in html  # the findings, with file:line
    assert html.count('<h3 id="check-') == 2  # grouped by check: restriction, undeclared-dependency
    again = tmp_path / "again.html"
    with pytest.raises(SystemExit):
        main(["report", "--root", str(report.parent.parent), "-o", str(again)])
    assert again.read_bytes() == report.read_bytes()


def test_chromium_loads_the_page(report: Path, tmp_path: Path) -> None:
    dom = browse(report, tmp_path / "profile-dom", "--dump-dom").stdout.decode("utf-8")
    outline = Outline()
    outline.feed(dom)
    assert outline.sections == ["graph", "findings", "footprint", "distributions"]
    assert outline.svg_in == ["graph"]  # the drawing, inline, in its section
    assert {"app", "fw", "prov-a", "prov-b"} <= set(outline.svg_text)
    assert outline.tables == ["findings", "findings", "footprint", "distributions"]
    rows = re.findall(r"<tr><td>(app|fw|prov-a|prov-b)</td><td>(all|no extras|without [a-z-]+)</td>", dom)
    assert ("app", "all") in rows and ("app", "no extras") in rows and ("app", "without prov-a") in rows

    shot = tmp_path / "report.png"
    browse(report, tmp_path / "profile-shot", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == WINDOW
    assert len(data) > 50_000  # a rendered page, not a blank one (a blank 1280x1800 PNG is a few KB)


def test_without_graphviz_the_page_says_so_and_keeps_the_mermaid_source(report: Path, tmp_path: Path) -> None:
    # A PATH without Graphviz's `dot` (it cannot be uninstalled here, so it is hidden instead).
    page = tmp_path / "nodot.html"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "depgraph"), "report", "-o", str(page)],
        cwd=report.parent.parent,
        env={**os.environ, "PATH": str(tmp_path / "empty-bin")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "<svg" not in html and "apt-get install graphviz" in html
    assert '<pre class="mermaid">%% depgraph: distributions\nflowchart LR\n' in html
    assert '<table class="footprint">' in html
