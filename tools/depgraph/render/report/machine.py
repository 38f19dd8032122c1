"""Reports for machines: `json` (the stable schema in findings.schema.json) and `github` annotations."""

from __future__ import annotations

import json
from typing import Any

from depgraph.base.model import Finding, Level
from depgraph.render.report import Report, summary_line

JSON_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding as the JSON schema has it (shared by `check -f json` and `graph -f json`)."""
    return {
        "check": f.check,
        "level": f.level.value,
        "path": f.path,
        "line": f.line,
        "message": f.message,
        "text": f.text,
        "chain": list(f.chain),
        "hint": f.hint,
        "key": f.key,
    }


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "tool": "depgraph",
        "summary": {
            "errors": report.errors,
            "warnings": report.warnings,
            "suppressed": report.suppressed,
            "baselined": report.baselined,
            "distributions": report.distributions,
            "modules": report.modules,
            "imports": report.imports,
            "checks_run": list(report.checks),
            "by_check": report.by_check,
        },
        "findings": [finding_dict(f) for f in report.findings],
    }


def render_json(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=True) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands: `::error file=...,line=...,title=...::message`, then the summary."""
    lines = []
    for f in report.findings:
        command = "error" if f.level is Level.ERROR else "warning"
        props = []
        if f.path:
            props.append(f"file={_escape_property(f.path)}")
            if f.line:
                props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f'depgraph {f.check}')}")
        body = f.message
        if f.chain:
            body += "\n" + "\n".join(f.chain)
        if f.hint:
            body += f"\nhint: {f.hint}"
        lines.append(f"::{command} {','.join(props)}::{_escape_data(body)}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
