"""SARIF 2.1.0: one run, one rule per check, one result per finding (paths relative to %SRCROOT%)."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from depgraph.base.model import Finding, Level
from depgraph.render.report import Report

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVELS = {Level.ERROR: "error", Level.WARN: "warning", Level.OFF: "none"}


def _tool_version() -> str:
    try:
        return version("monorepo-staging-tools")
    except PackageNotFoundError:
        return "0"


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    text = f.message
    if f.chain:
        text += "\n" + "\n".join(f.chain)
    result: dict[str, Any] = {
        "ruleId": f.check,
        "ruleIndex": index[f.check],
        "level": _LEVELS[f.level],
        "message": {"text": text},
        "partialFingerprints": {
            "depgraphIdentity/v1": hashlib.sha256(f"{f.check}\0{f.path}\0{f.key}".encode()).hexdigest()
        },
    }
    if f.path:
        location: dict[str, Any] = {"artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"}}
        if f.line:
            location["region"] = {"startLine": f.line}
            if f.text:
                location["region"]["snippet"] = {"text": f.text}
        result["locations"] = [{"physicalLocation": location}]
    if f.hint:
        result["properties"] = {"hint": f.hint}
    return result


def render_sarif(report: Report) -> str:
    from depgraph.base.catalog import TITLES  # noqa: PLC0415 - the rule descriptions

    rule_ids = sorted(set(report.checks) | {f.check for f in report.findings})
    index = {rule: i for i, rule in enumerate(rule_ids)}
    rules = [
        {
            "id": rule,
            "name": "".join(part.capitalize() for part in rule.split("-")),
            "shortDescription": {"text": TITLES.get(rule, rule)},
        }
        for rule in rule_ids
    ]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "depgraph",
                        "version": _tool_version(),
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root"}}},
                "results": [_result(f, index) for f in report.findings],
            }
        ],
    }
    return json.dumps(log, indent=2, sort_keys=True) + "\n"
