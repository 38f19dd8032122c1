"""Rendering a check run: text (default), json, github (workflow annotations), sarif.

Every renderer takes a `Report` and returns the whole output as one string; the order is the findings'
sorted order (check, level, path, line, ...), so the output is the same on every run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from depgraph.base.model import Finding, Level

FORMATS = ("text", "json", "github", "sarif")


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]  # sorted, suppressed and baselined ones left out
    checks: tuple[str, ...]  # the checks that ran
    distributions: int = 0
    modules: int = 0
    imports: int = 0
    suppressed: int = 0
    baselined: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level is Level.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.level is Level.WARN)

    @property
    def by_check(self) -> dict[str, int]:
        return dict(sorted(Counter(f.check for f in self.findings).items()))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    """`depgraph: 2 errors, 1 warning from 9 checks (5 distributions, 120 modules, 340 imports)`: the checks
    that ran, the same count as the JSON's `checks_run` and the HTML report."""
    if not report.findings:
        return (
            f"depgraph: no findings from {_plural(len(report.checks), 'check')} "
            f"({_plural(report.distributions, 'distribution')}, {_plural(report.modules, 'module')}, "
            f"{_plural(report.imports, 'import')})"
        ) + _extra(report)
    line = (
        f"depgraph: {_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')} "
        f"from {_plural(len(report.checks), 'check')} ({_plural(report.distributions, 'distribution')}, "
        f"{_plural(report.modules, 'module')}, {_plural(report.imports, 'import')})"
    )
    return line + _extra(report)


def _extra(report: Report) -> str:
    extra = []
    if report.baselined:
        extra.append(f"{report.baselined} in the baseline")
    if report.suppressed:
        extra.append(f"{report.suppressed} suppressed")
    return f"; {', '.join(extra)}" if extra else ""


def render(fmt: str, report: Report, *, color: bool = False) -> str:
    if fmt == "text":
        from depgraph.render.report.text import render_text  # noqa: PLC0415 - one renderer per run

        return render_text(report, color=color)
    if fmt == "json":
        from depgraph.render.report.machine import render_json  # noqa: PLC0415

        return render_json(report)
    if fmt == "github":
        from depgraph.render.report.machine import render_github  # noqa: PLC0415

        return render_github(report)
    if fmt == "sarif":
        from depgraph.render.report.sarif import render_sarif  # noqa: PLC0415

        return render_sarif(report)
    raise ValueError(f"unknown format {fmt!r}")
