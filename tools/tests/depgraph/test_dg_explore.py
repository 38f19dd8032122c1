"""The report page explored in a real headless Chromium driven through chromium-driver (selenium): search,
focus with a depth, the imports behind an edge, colours by reason, no horizontal overflow at 1280 px, and
the same page whole with script off. Screenshots are kept in the test's temp folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from dg_fixtures import make_repo
from test_dg_html import files

from depgraph.cli import main

pytestmark = [pytest.mark.xdist_group("chromium"), pytest.mark.heavy]  # one browser at a time on 2 cores

SECTION = {
    "title": "Conformance matrix",
    "intro": "made by a test",
    "columns": ["capability / check", "one", "two"],
    "rows": [["instances", "pass", "unsupported"], ["  lookups", "pass", "fail"]],
    "styles": {"pass": "good", "fail": "bad", "unsupported": "muted"},
}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("repo"), files())
    section = root / "matrix.json"
    section.write_text(json.dumps(SECTION))
    out = root / "_output" / "report.html"
    with pytest.raises(SystemExit) as info:
        main(["report", "--root", str(root), "--no-cache", "-o", str(out), "--section", str(section)])
    assert info.value.code == 0
    return out


def driver(script: bool) -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    chromedriver = shutil.which("chromedriver")
    if chromedriver is None:
        pytest.fail("no chromedriver: `make setup` installs it (apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(flag)
    if not script:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    browser = webdriver.Chrome(service=Service(chromedriver), options=options)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from driver(script=True)


def dimmed(browser: object) -> set[str]:
    ids = browser.execute_script(  # type: ignore[attr-defined]
        "return Array.from(document.querySelectorAll('#graph svg .dg-dim')).map(g => g.id)"
    )
    return set(ids)


def click_svg(browser: object, element_id: str) -> None:
    # a click as the user makes it, dispatched on the SVG group (selenium cannot click <g> by coordinates)
    browser.execute_script(  # type: ignore[attr-defined]
        "document.getElementById(arguments[0]).dispatchEvent(new MouseEvent('click', {bubbles: true}))",
        element_id,
    )


def test_search_focus_depth_and_edge_imports(page: Path, browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415
    from selenium.webdriver.support.ui import Select  # noqa: PLC0415

    b = browser
    b.get(page.as_uri())  # type: ignore[attr-defined]
    assert b.find_element(By.ID, "explore").is_displayed()  # type: ignore[attr-defined]
    assert dimmed(b) == set()

    # search: distributions and modules; a module's hit focuses its distribution
    b.find_element(By.ID, "dg-search").send_keys("prov_b")  # type: ignore[attr-defined]
    hits = [h.text for h in b.find_elements(By.CSS_SELECTOR, "#dg-results button")]  # type: ignore[attr-defined]
    assert hits == ["prov_b", "prov_b.impl"]  # modules: the distribution prov-b has a dash
    b.find_element(By.CSS_SELECTOR, "#dg-results button").click()  # type: ignore[attr-defined]
    panel = b.find_element(By.ID, "dg-panel")  # type: ignore[attr-defined]
    assert panel.is_displayed() and panel.get_attribute("data-focus") == "prov-b"
    assert panel.find_element(By.TAG_NAME, "h3").text == "Focus: prov-b"

    # click a distribution: its neighbourhood at depth 1, then wider at depth 2
    click_svg(b, "node:app")
    assert panel.get_attribute("data-focus") == "app"
    near = dimmed(b)
    assert "node:app" not in near and "node:fw" not in near  # app imports fw
    assert {"node:prov-a", "node:prov-b"} <= near and "edge:prov-a->prov-b" in near
    b.save_screenshot(str(tmp_path / "focus-app-depth-1.png"))  # type: ignore[attr-defined]
    Select(b.find_element(By.ID, "dg-depth")).select_by_value("2")  # type: ignore[attr-defined]
    wider = dimmed(b)
    assert wider < near and "node:prov-b" not in wider  # app -> fw -> prov-b
    b.find_element(By.ID, "dg-all").click()  # type: ignore[attr-defined]
    assert dimmed(b) == set() and not panel.is_displayed()

    # click an edge: every import behind it, offending first, with file:line and kind
    click_svg(b, "edge:prov-a->prov-b")
    assert panel.get_attribute("data-edge") == "prov-a->prov-b"
    rows = panel.find_elements(By.CSS_SELECTOR, "table.imports tr")[1:]
    cells = [[td.text for td in r.find_elements(By.TAG_NAME, "td")] for r in rows]
    assert cells[0][:3] == ["staging/prov_a/prov_a/__init__.py:2", "top-level", "import prov_b"]
    assert "restriction" in cells[0][3]
    assert rows[0].get_attribute("class") == "offending"
    assert "edge:prov-a->prov-b" in b.execute_script(  # type: ignore[attr-defined]
        "return Array.from(document.querySelectorAll('.dg-picked')).map(g => g.id)"
    )

    # no horizontal overflow at 1280 px, whatever is open
    width = b.execute_script("return document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    inner = b.execute_script("return window.innerWidth")  # type: ignore[attr-defined]
    assert inner == 1280 and width <= inner
    shot = tmp_path / "edge-imports.png"
    b.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_edges_coloured_by_reason_with_a_legend_and_tooltips_offending_first(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    svg = html[html.index("<svg") : html.index("</svg>")]
    forbidden = svg[svg.index('id="edge:prov&#45;a&#45;&gt;prov&#45;b"') :]
    assert 'class="edge dg&#45;edge reason&#45;forbidden"' in forbidden[:200]
    assert 'stroke="#d62728"' in forbidden[: forbidden.index("</g>")]
    title = forbidden[forbidden.index("xlink:title=") : forbidden.index("</g>")]
    # the tooltip: the edge, then its statements, offending first
    assert "staging/prov_a/prov_a/__init__.py:2 import prov_b [restriction" in title
    legend = html[html.index('id="edge-legend"') :]
    assert "forbidden import" in legend[:1500] and "on an import cycle" in legend[:1500]


def test_page_is_whole_without_script(page: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    for b in driver(script=False):
        b.get(page.as_uri())  # type: ignore[attr-defined]
        sections = [s.get_attribute("id") for s in b.find_elements(By.TAG_NAME, "section")]  # type: ignore[attr-defined]
        assert sections == ["graph", "findings", "footprint", "distributions", "section-conformance-matrix"]
        assert not b.find_element(By.ID, "explore").is_displayed()  # type: ignore[attr-defined]
        assert b.find_element(By.CSS_SELECTOR, "#graph svg").is_displayed()  # type: ignore[attr-defined]
        cells = b.find_elements(By.CSS_SELECTOR, "table.section td.bad")  # type: ignore[attr-defined]
        assert [c.text for c in cells] == ["fail"]
        width = b.execute_script("return document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert width <= 1280
        b.save_screenshot(str(tmp_path / "no-script.png"))  # type: ignore[attr-defined]
