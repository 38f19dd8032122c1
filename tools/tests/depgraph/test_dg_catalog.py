"""The check catalog: every check written once, and every place that names checks agrees with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dg_fixtures import make_repo, monorepo_files

from depgraph.base import catalog
from depgraph.base.imports import ImportKind
from depgraph.checks import REGISTRY, api
from depgraph.discover.config import DEFAULT_LEVELS, find_config
from depgraph.render.draw.model import REASON_GROUPS, VIOLATION_CHECKS

SCHEMA = Path(__file__).parents[2] / "depgraph" / "render" / "report" / "findings.schema.json"


def test_ids_are_unique_and_every_place_agrees_with_the_catalog() -> None:
    ids = [c.id for c in catalog.CATALOG]
    assert len(ids) == len(set(ids))
    # what the configuration accepts: every check but the suppression one, at the catalog's level
    assert dict(DEFAULT_LEVELS) == {c.id: c.level for c in catalog.CATALOG if c.id != "suppression"}
    # what runs over the graph: every check but those the graph, the baseline and the comments make
    assert set(REGISTRY) == set(ids) - {"parse-error", "stale-baseline", "suppression"}
    assert all(r.check is catalog.BY_ID[i] and i in r.docs.split(":")[0] for i, r in REGISTRY.items())
    # the JSON schema's enum of check ids (a file: spelled there too, so compared here)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    enums = [v["enum"] for v in _walk(schema) if isinstance(v, dict) and "enum" in v]
    assert ids in enums, enums
    assert set(VIOLATION_CHECKS) <= set(ids) and set(REASON_GROUPS) - {"cycle"} <= set(ids)


def _walk(node: object) -> list[object]:
    found = [node]
    if isinstance(node, dict):
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


@pytest.mark.parametrize(
    ("check", "kind", "counted"),
    [
        (catalog.IMPORT_CYCLE, ImportKind.TOP_LEVEL, True),
        (catalog.IMPORT_CYCLE, ImportKind.DEFERRED, False),
        (catalog.IMPORT_CYCLE, ImportKind.GUARDED, False),
        (catalog.UNDECLARED_DEPENDENCY, ImportKind.DEFERRED, True),
        (catalog.UNDECLARED_DEPENDENCY, ImportKind.DEFERRED | ImportKind.GUARDED, False),
        (catalog.UNDECLARED_DEPENDENCY, ImportKind.TYPE_CHECKING, False),
        (catalog.STAGING_IMPORTS_CORE, ImportKind.TYPE_CHECKING | ImportKind.DEFERRED, True),
        (catalog.CONFLICTING_REQUIREMENTS, ImportKind.TOP_LEVEL, False),
    ],
)
def test_an_import_counts_when_every_kind_it_has_is_counted(
    check: catalog.Check, kind: ImportKind, counted: bool
) -> None:
    assert check.counts(kind) is counted


def test_the_check_api_gives_what_the_cli_reports(tmp_path: Path) -> None:
    files = monorepo_files()
    files["staging/fw/fw/bad.py"] = "import app\n"
    root = make_repo(tmp_path, files)
    config = find_config(root)
    done = api.check(config, use_cache=False, jobs=1)
    assert ("staging-imports-core", "staging/fw/fw/bad.py") in [(f.check, f.path) for f in done.findings]
    assert done.baselined == 0 and "import-cycle" in done.result.checks
    only = api.check(config, use_cache=False, jobs=1, only=("import-cycle",))
    assert only.findings == () and only.result.checks == ("import-cycle",)
    path, count = api.write_baseline(config, use_cache=False, jobs=1)
    assert (path, count) == (root / "depgraph-baseline.json", len(done.findings))
    again = api.check(config, use_cache=False, jobs=1)
    assert (again.findings, again.baselined) == ((), len(done.findings))
    assert api.unknown_checks(("import-cycle", "cycles", "bogus")) == ["bogus", "cycles"]
