"""The text report: grouped by check, each finding with its place, import line, chain and hint."""

from __future__ import annotations

from itertools import groupby

import click

from depgraph.base.model import Finding, Level
from depgraph.render.report import Report, summary_line

_COLORS = {Level.ERROR: "red", Level.WARN: "yellow"}


def _where(f: Finding) -> str:
    if not f.path:
        return "<repository>"
    return f"{f.path}:{f.line}" if f.line else f.path


def render_text(report: Report, *, color: bool = False) -> str:
    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]

    lines: list[str] = []
    for check, group in groupby(report.findings, key=lambda f: f.check):
        findings = list(group)
        errors = sum(1 for f in findings if f.level is Level.ERROR)
        counts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
        warnings = len(findings) - errors
        counts += [f"{warnings} warning{'s' * (warnings != 1)}"] if warnings else []
        lines.append(style(f"{check} ({', '.join(counts)})", bold=True))
        for f in findings:
            level = style(f"[{f.level.value}]", fg=_COLORS.get(f.level), bold=True)
            lines.append(f"  {_where(f)}: {level} {f.message}")
            if f.text:
                lines.append(f"      {f.text}")
            if f.chain:
                lines.append("      chain:")
                lines.extend(f"        {step}" for step in f.chain)
            if f.hint:
                lines.append(style(f"      hint: {f.hint}", dim=True))
        lines.append("")
    summary = summary_line(report)
    if report.errors:
        summary = style(summary, fg="red", bold=True)
    elif report.warnings:
        summary = style(summary, fg="yellow")
    lines.append(summary)
    return "\n".join(lines) + "\n"
