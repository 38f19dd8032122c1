"""Inline suppressions: `# depgraph: ignore[check-id, ...] reason` on the line a finding points at.

For Python files the extractor already collected every suppression comment (real comments only, from the
tokenizer); for other files (pyproject.toml, where dependency findings point) the line is read here. The
reason is required: a suppression without one suppresses nothing and is itself reported (check
`suppression`, error), so every silenced finding says why in the code. Suppressions naming an unknown check,
or a check that ran and found nothing there, are reported as warnings so they do not outlive their cause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from depgraph.base import catalog, reads
from depgraph.base.imports import Suppression
from depgraph.base.model import Finding, Level

CHECK = catalog.SUPPRESSION.id
_PATTERN = re.compile(r"#\s*depgraph:\s*ignore\[(?P<checks>[^\]]*)\](?P<reason>.*)$")


def parse(line: str, number: int = 0) -> Suppression | None:
    """The suppression comment on one line of a file that is not Python (or of a Python file, in tests)."""
    match = _PATTERN.search(line)
    if match is None:
        return None
    checks = tuple(sorted({c.strip() for c in match["checks"].split(",") if c.strip()}))
    return Suppression(number, checks, match["reason"].strip())


def _syntax(check: str) -> str:
    return f"`# depgraph: ignore[{check}] <reason>`"


class Suppressor:
    """Answers "is this check silenced at path:line?" and remembers what it was asked, for the report."""

    def __init__(self, root: Path, known: Mapping[str, Sequence[Suppression]] | None = None) -> None:
        self.root = root
        self._known: dict[str, dict[int, Suppression]] = {
            path: {s.line: s for s in sups} for path, sups in (known or {}).items() if sups
        }
        self._python = set(known or ())
        self._read: dict[str, list[str]] = {}
        self._used: set[tuple[str, int, str]] = set()

    def _at(self, path: str, line: int) -> Suppression | None:
        if path in self._python:
            return self._known.get(path, {}).get(line)
        lines = self._read.get(path)
        if lines is None:
            try:
                data = reads.read_bytes(self.root / path)
            except OSError:
                data = b""
            lines = self._read[path] = data.decode("utf-8", errors="replace").splitlines()
        if not 0 < line <= len(lines):
            return None
        found = parse(lines[line - 1], line)
        if found is not None:
            self._known.setdefault(path, {})[line] = found
        return found

    def suppresses(self, check: str, path: str, line: int) -> bool:
        if not path or line <= 0:
            return False
        found = self._at(path, line)
        if found is None or check not in found.checks:
            return False
        if not found.reason:
            return False
        self._used.add((path, line, check))
        return True

    @property
    def used(self) -> int:
        return len(self._used)

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings that no suppression with a reason silences."""
        return [f for f in findings if not self.suppresses(f.check, f.path, f.line)]

    def problems(
        self, ran: Iterable[str], known_checks: Iterable[str], skip: Iterable[str] = ()
    ) -> list[Finding]:
        """Suppressions without a reason (error); naming an unknown check, or a check that ran here and found
        nothing on that line (warn). Files in `skip` (tests left out of the checks) are not judged."""
        ran_set, known_set, skip_set = set(ran), set(known_checks), set(skip)
        found: list[Finding] = []
        for path, by_line in sorted(self._known.items()):
            if path in skip_set:
                continue
            for line, sup in sorted(by_line.items()):
                if not sup.reason:
                    names = ", ".join(sup.checks)
                    message = f"suppression of `{names}` without a reason does not suppress anything"
                    hint = f"say why: {_syntax(names)}"
                    found.append(
                        Finding(CHECK, Level.ERROR, path, line, message, hint=hint, key=f"no reason: {names}")
                    )
                    continue
                for check in sup.checks:
                    if check not in known_set:
                        message = f"suppression names an unknown check `{check}`"
                        hint = f"known checks: {', '.join(sorted(known_set))}"
                    elif check in ran_set and (path, line, check) not in self._used:
                        message = (
                            f"suppression of `{check}` is not needed: the check finds nothing on this line"
                        )
                        hint = "remove the comment"
                    else:
                        continue
                    found.append(Finding(CHECK, Level.WARN, path, line, message, hint=hint, key=message))
        return found
