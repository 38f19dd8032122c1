"""The conformance matrix: which provider passes which check of the conformance suite.

A pytest plugin (``-p cloud_provider.matrix --conformance-results FILE``) keeps only the tests of
``ProviderConformance`` subclasses and writes each one's outcome to FILE (JSON): ``pass``, ``fail`` or
``unsupported`` (skipped because the provider does not declare the capability). ``cloud-provider
conformance`` runs it and prints the table; this module also turns the results into that table.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import Any

import pytest

from cloud_provider.conformance import ProviderConformance

# Rows of the table: each capability, then the checks of the suite that judge it. A check of the suite
# missing here is shown under "general" (the kit's own tests insist that none is).
CAPABILITY_LABELS = {
    "general": "general",
    "instances": "instances",
    "instances_v2": "instances v2",
    "zones": "zones",
    "load_balancer": "load balancers",
    "routes": "routes",
    "clusters": "clusters",
}
CHECKS: dict[str, str] = {
    "test_registered_under_its_name": "general",
    "test_capabilities_match_accessors": "general",
    "test_instance_lookups_by_name_and_provider_id_agree": "instances",
    "test_instances_are_told_apart": "instances",
    "test_unknown_instance_is_not_found": "instances",
    "test_shutdown_and_removed_instances": "instances",
    "test_instances_v2": "instances_v2",
    "test_zones_by_provider_id_and_node_name": "zones",
    "test_current_zone_is_a_zone_or_unsupported": "zones",
    "test_load_balancer_lifecycle": "load_balancer",
    "test_load_balancer_ports_change": "load_balancer",
    "test_load_balancer_names": "load_balancer",
    "test_deleting_a_missing_load_balancer_is_not_an_error": "load_balancer",
    "test_routes_create_list_delete": "routes",
    "test_route_to_a_node_without_instance_is_refused": "routes",
    "test_clusters": "clusters",
}
PASS, FAIL, UNSUPPORTED, SKIP = "pass", "fail", "unsupported", "skipped"
_UNSUPPORTED_PREFIX = "provider does not support"


def suite_checks() -> list[str]:
    """The test methods of the conformance suite, in the order they are defined."""
    return [name for name in vars(ProviderConformance) if name.startswith("test_")]


def capability_of(check: str) -> str:
    return CHECKS.get(check, "general")


# -- the pytest plugin ---------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--conformance-results", metavar="FILE", help="write each conformance check's outcome to FILE (JSON)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("conformance_results"):
        return
    keep = [i for i in items if _provider_of(i) is not None]
    config.hook.pytest_deselected(items=[i for i in items if _provider_of(i) is None])
    items[:] = keep


def _provider_of(item: pytest.Item) -> str | None:
    cls = getattr(item, "cls", None)
    if cls is None or not issubclass(cls, ProviderConformance) or not cls.provider_name:
        return None
    return str(cls.provider_name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    provider = _provider_of(item)
    path = item.config.getoption("conformance_results")
    if provider is None or not path:
        return
    store: dict[tuple[str, str], list[tuple[str, str]]] = item.config.stash.setdefault(_KEY, {})
    check = getattr(item, "originalname", None) or item.name
    if report.skipped:
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
        result = UNSUPPORTED if _UNSUPPORTED_PREFIX in reason else SKIP
        store.setdefault((provider, check), []).append((result, reason.removeprefix("Skipped: ")))
    elif report.failed:
        line = report.longreprtext.strip().splitlines()[-1] if report.longreprtext.strip() else ""
        store.setdefault((provider, check), []).append((FAIL, f"{item.nodeid} ({report.when}): {line}"))
    elif report.when == "call":
        store.setdefault((provider, check), []).append((PASS, ""))


_KEY = pytest.StashKey[dict[tuple[str, str], list[tuple[str, str]]]]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("conformance_results")
    if not path:
        return
    store = session.config.stash.get(_KEY, {})
    results: dict[str, dict[str, dict[str, str]]] = {}
    for (provider, check), outcomes in sorted(store.items()):
        results.setdefault(provider, {})[check] = combine(outcomes)
    Path(path).write_text(json.dumps({"providers": results}, indent=1, sort_keys=True) + "\n")


def combine(outcomes: list[tuple[str, str]]) -> dict[str, str]:
    """One check run by several test classes of one provider (e.g. two configurations): fail if any fails."""
    for wanted in (FAIL, PASS, UNSUPPORTED, SKIP):
        for result, detail in outcomes:
            if result == wanted:
                return {"result": result, "detail": detail}
    return {"result": SKIP, "detail": ""}


# -- the table -----------------------------------------------------------------------------------------
def table(results: Mapping[str, Mapping[str, Mapping[str, str]]]) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per capability followed by one row per check of it; one column per provider.

    A capability is ``unsupported`` when every check of it is, ``fail`` when one fails, else ``pass``.
    """
    providers = sorted(results)
    checks = suite_checks() + sorted({c for r in results.values() for c in r} - set(suite_checks()))
    rows: list[list[str]] = []
    for capability, label in CAPABILITY_LABELS.items():
        mine = [c for c in checks if capability_of(c) == capability]
        if not mine:
            continue
        cells = [summary({results[p].get(c, {}).get("result", "") for c in mine} - {""}) for p in providers]
        rows.append([label, *cells])
        for c in mine:
            rows.append(
                [
                    "  " + c.removeprefix("test_"),
                    *(results[p].get(c, {}).get("result", "") for p in providers),
                ]
            )
    return ["capability / check", *providers], rows


def summary(got: set[str]) -> str:
    """A capability's cell from the results of its checks."""
    if not got:
        return ""
    if FAIL in got:
        return FAIL
    if got == {UNSUPPORTED}:
        return UNSUPPORTED
    return PASS if PASS in got else SKIP


def render_text(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines) + "\n"


def section(header: list[str], rows: list[list[str]]) -> dict[str, Any]:
    """The table as a generic report section (title, columns, rows, and a style per cell value), the format
    ``depgraph report --section FILE`` reads: the report stays ignorant of cloud providers."""
    return {
        "title": "Conformance matrix",
        "intro": "Each provider's run of the cloud_provider conformance suite (make conformance):"
        " a capability passes when every check of it passes;"
        " unsupported means the provider does not declare it.",
        "columns": header,
        "rows": rows,
        "styles": {PASS: "good", FAIL: "bad", UNSUPPORTED: "muted", SKIP: "muted"},
    }
