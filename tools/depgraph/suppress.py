"""Inline suppressions: `# depgraph: ignore[check-id, ...] reason` on the line a finding points at.

The reason is required: a suppression without one suppresses nothing and is itself reported (check
`suppression`), so every silenced finding says why in the code. Only the lines findings point at are read,
so this costs nothing on a clean repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from depgraph.model import Finding, Level

CHECK = "suppression"
_PATTERN = re.compile(r"#\s*depgraph:\s*ignore\[(?P<checks>[^\]]*)\](?P<reason>.*)$")


@dataclass(frozen=True, slots=True)
class Suppression:
    checks: tuple[str, ...]
    reason: str


def parse(line: str) -> Suppression | None:
    """The suppression comment on one source line, if there is one."""
    match = _PATTERN.search(line)
    if match is None:
        return None
    checks = tuple(sorted({c.strip() for c in match["checks"].split(",") if c.strip()}))
    return Suppression(checks, match["reason"].strip())


class Suppressor:
    """Answers "is this check silenced at path:line?", reading each file at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str]] = {}
        self._bad: dict[tuple[str, int], Finding] = {}
        self.used = 0

    def _line(self, path: str, line: int) -> str:
        lines = self._lines.get(path)
        if lines is None:
            try:
                data = (self.root / path).read_bytes()
            except OSError:
                data = b""
            lines = self._lines[path] = data.decode("utf-8", errors="replace").splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def suppresses(self, check: str, path: str, line: int) -> bool:
        if not path or line <= 0:
            return False
        found = parse(self._line(path, line))
        if found is None or check not in found.checks:
            return False
        if not found.reason:
            self._bad.setdefault(
                (path, line),
                Finding(
                    CHECK,
                    Level.ERROR,
                    path,
                    line,
                    f"suppression of `{check}` without a reason does not suppress anything",
                    text=self._line(path, line).strip(),
                    hint=f"say why: `# depgraph: ignore[{check}] <reason>`",
                    key=f"no reason: {', '.join(found.checks)}",
                ),
            )
            return False
        self.used += 1
        return True

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings that no suppression with a reason silences."""
        return [f for f in findings if not self.suppresses(f.check, f.path, f.line)]

    def bad(self) -> list[Finding]:
        """Suppressions without a reason met so far, one finding each."""
        return sorted(self._bad.values())


def with_level(findings: Iterable[Finding], level: Level) -> list[Finding]:
    return [replace(f, level=level) for f in findings]
