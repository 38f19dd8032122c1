"""The baseline: today's findings, recorded so a big repository can adopt depgraph and fail only on new ones.

The file is sorted JSON: `{"version": 1, "entries": [{"check", "path", "key", "count"}, ...]}`. An entry has
no line numbers (the `key` names what the finding is about: the imported module, the cycle, the
requirement...), so code moving up or down a file does not invalidate it; `count` is how many findings share
that identity. `check` lets through, per identity, as many findings as the baseline counts (the first ones
by line; any more are new) and reports entries that no longer occur, fully or in part, as `stale-baseline`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from depgraph.base import catalog
from depgraph.base.errors import ConfigError
from depgraph.base.model import Finding, Level
from depgraph.base.schema import LIST, STRING, Kind, Phrasing, Table

VERSION = 1
STALE = catalog.STALE_BASELINE.id
Identity = tuple[str, str, str]  # check, path, key


def identity(f: Finding) -> Identity:
    return (f.check, f.path, f.key or f.message)


def dumps(findings: Iterable[Finding]) -> str:
    counts = Counter(identity(f) for f in findings if f.level is not Level.OFF and f.check != STALE)
    entries = [{"check": c, "path": p, "key": k, "count": n} for (c, p, k), n in sorted(counts.items())]
    return json.dumps({"version": VERSION, "entries": entries}, indent=2, sort_keys=True) + "\n"


def write(path: Path, findings: Iterable[Finding]) -> int:
    """Write the baseline; returns the number of findings it holds."""
    text = dumps(findings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the baseline: {exc.strerror}") from None
    return sum(e["count"] for e in json.loads(text)["entries"])


def _phrased(message: str) -> Phrasing:
    """The same line for every problem: a baseline is written by depgraph, not by hand."""
    line = "{where}: " + message.replace("{", "{{").replace("}", "}}")
    return Phrasing(unknown=line, missing=line, wrong=line)


# The schema of the file and of each entry (keys other than these are left alone).
_DOCUMENT = {"version": Kind(f"version {VERSION}", "int", lambda v: v == VERSION), "entries": LIST}
_ENTRY = {
    "check": STRING,
    "path": STRING,
    "key": STRING,
    "count": Kind("a count (>= 1)", "int", lambda v: isinstance(v, int) and v >= 1),
}
_DOCUMENT_PHRASING = _phrased(
    f'not a depgraph baseline (expected {{"version": {VERSION}, "entries": [...]}})'
)
_ENTRY_PHRASING = _phrased("expected check, path, key (strings) and count (>= 1)")


def load(path: Path) -> Counter[Identity]:
    """Read a baseline file; anything but the documented shape is a ConfigError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the baseline: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    document = Table(data if isinstance(data, dict) else {}, _DOCUMENT, str(path), _DOCUMENT_PHRASING)
    document.get("version")
    counts: Counter[Identity] = Counter()
    for index, entry in enumerate(document.get("entries")):
        fields = Table(
            entry if isinstance(entry, dict) else {}, _ENTRY, f"{path}: entries[{index}]", _ENTRY_PHRASING
        )
        check, where, key, count = (fields.get(k) for k in ("check", "path", "key", "count"))
        counts[(check, where, key)] += count
    return counts


@dataclass(frozen=True, slots=True)
class Applied:
    findings: tuple[Finding, ...]  # new findings, plus stale-baseline ones; sorted
    baselined: int  # findings the baseline let through


def apply(findings: Iterable[Finding], baseline: Counter[Identity], stale_level: Level) -> Applied:
    groups: dict[Identity, list[Finding]] = {}
    for f in sorted(findings):
        groups.setdefault(identity(f), []).append(f)
    kept: list[Finding] = []
    baselined = 0
    for ident, group in groups.items():
        allowed = min(baseline.get(ident, 0), len(group))
        baselined += allowed
        kept.extend(sorted(group, key=lambda f: (f.line, f))[allowed:])
    if stale_level is not Level.OFF:
        for (check, path, key), count in sorted(baseline.items()):
            now = len(groups.get((check, path, key), ()))
            if now >= count:
                continue
            kept.append(
                Finding(
                    STALE,
                    stale_level,
                    path,
                    0,
                    f"baseline entry no longer occurs ({count - now} of {count}): [{check}] {key}",
                    hint="run `depgraph baseline` to record the current findings",
                    key=f"{check}: {key}",
                )
            )
    return Applied(tuple(sorted(kept)), baselined)
