"""A run's check results, replayed while nothing they depend on has changed.

`findings-v<FORMAT>.marshal` in the cache folder holds the results of the last `check` (its findings,
the checks that ran, the suppressed count and the summary's counts) under a key and an index of files:
- the key: this format, the Python version, depgraph's own code and the library whose answers decide
  findings (`packaging`: requirements, markers, versions), by their files' stats, the `--only` checks,
  and the graph cache's context key (`depgraph.graph.snapshot.context_key`: the configuration, the
  distributions with their declared requirements, every module's name and path, the environment named
  with `--python`);
- the index: every module's stat and content digest, and every other file the run read (manifests,
  requirements files, the files a suppression comment was looked for in: `depgraph.base.reads`).
A run whose key is the stored one replays the results when every indexed file is unchanged: its stat is
the stored one and older than the recording run's start by `RACY_NS` (the graph cache's rule), or, failing
that, its content digest is the stored one (then the index is written again with the new stats). Anything
else runs the checks and records their results.
Nothing but the baseline (read on every run) is applied after the replay, so the report is byte-identical.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from depgraph.base import reads
from depgraph.base.model import Finding, Level
from depgraph.checks import CheckResult
from depgraph.discover.config import Config
from depgraph.extract.cachedir import write_atomic
from depgraph.graph.snapshot import RACY_NS, BuildInfo, StatKey

FORMAT = 1
_LEVELS = {level.value: level for level in Level}
ModuleStamp = tuple[StatKey, int, bytes]  # stat, start of the run that hashed it, digest


@dataclass(frozen=True, slots=True)
class Counts:
    """What the summary line counts besides the findings."""

    distributions: int
    modules: int
    imports: int


@dataclass(frozen=True, slots=True)
class Replayed:
    result: CheckResult
    counts: Counts


def path_of(cache_dir: Path) -> Path:
    return cache_dir / f"findings-v{FORMAT}.marshal"


def key(context: bytes, only: tuple[str, ...]) -> bytes:
    # repr, not marshal: marshal's bytes depend on how objects happen to be shared
    return reads.digest(repr((FORMAT, sys.version, reads.code(), tuple(sorted(only)), context)).encode())


def _freeze(finding: Finding) -> tuple[Any, ...]:
    f = finding
    return (f.check, f.level.value, f.path, f.line, f.message, f.text, f.chain, f.hint, f.key)


def _thaw(frozen: tuple[Any, ...]) -> Finding:
    check, level, path, line, message, text, chain, hint, identity = frozen
    return Finding(check, _LEVELS[level], path, line, message, text, tuple(chain), hint, identity)


def _fresh(stat: StatKey, recorded: StatKey | None, since: int) -> bool:
    return stat == recorded and max(stat[1], stat[2]) < since - RACY_NS


def _same_module(absolute: str, stamp: ModuleStamp) -> tuple[bool, ModuleStamp | None]:
    """(unchanged, the new stamp when it had to be read)."""
    try:
        stat = reads.stat_key(os.stat(absolute))  # noqa: PTH116
    except OSError:
        return False, None
    if _fresh(stat, stamp[0], stamp[1]):
        return True, None
    try:
        with open(absolute, "rb") as handle:  # noqa: PTH123
            data = handle.read()
    except OSError:
        return False, None
    return reads.digest(data) == stamp[2], (stat, time.time_ns(), stamp[2])


def _same_other(path: str, stamp: reads.Stamp, since: int) -> tuple[bool, reads.Stamp | None]:
    try:
        stat = reads.stat_key(os.stat(path))  # noqa: PTH116
    except OSError:
        return stamp[0] is None, None
    if stamp[0] is None:
        return False, None
    if _fresh(stat, stamp[0], since):
        return True, None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return False, None
    return reads.digest(data) == stamp[1], (stat, stamp[1])


def load(
    config: Config, context: bytes, modules: Mapping[str, str], only: tuple[str, ...]
) -> Replayed | None:
    """The stored results when they still hold (see the module docstring); `modules` maps each module's
    repository path to its absolute path."""
    store = path_of(config.cache_path)
    try:
        stored = marshal.loads(store.read_bytes())
        fmt, stored_key, since, module_stamps, other_stamps, payload = stored
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if fmt != FORMAT or stored_key != key(context, only) or module_stamps.keys() != modules.keys():
        return None
    renewed_modules: dict[str, ModuleStamp] = {}
    for path, absolute in modules.items():
        same, renewed = _same_module(absolute, module_stamps[path])
        if not same:
            return None
        if renewed is not None:
            renewed_modules[path] = renewed
    renewed_others: dict[str, reads.Stamp] = {}
    for path, stamp in other_stamps.items():
        same, other = _same_other(path, stamp, since)
        if not same:
            return None
        if other is not None:
            renewed_others[path] = other
    findings, checks, suppressed, counts = payload
    if renewed_modules or renewed_others:
        renewed_record = (
            FORMAT,
            stored_key,
            time.time_ns(),
            {**module_stamps, **renewed_modules},
            {**other_stamps, **renewed_others},
            payload,
        )
        write_atomic(store, marshal.dumps(renewed_record))
    result = CheckResult(tuple(map(_thaw, findings)), tuple(checks), suppressed)
    return Replayed(result, Counts(*counts))


def save(  # noqa: PLR0917 - what one run's record is made of
    config: Config,
    only: tuple[str, ...],
    started: int,
    info: BuildInfo,
    modules: Mapping[str, str],
    log: reads.Log,
    result: CheckResult,
    counts: Counts,
) -> bool:
    """Record one run's results (see the module docstring); nothing when the run cannot be replayed
    exactly: a module it could not read, a file that changed while it ran."""
    stamps = info.stamps
    if not info.context or not log.stable or any(path not in stamps for path in modules):
        return False
    if any(stat is not None and max(stat[1], stat[2]) >= started for stat, _ in log.stamps.values()):
        return False  # changed while this run read it: its stat may not match the bytes read
    record = (
        FORMAT,
        key(info.context, only),
        started,
        {path: stamps[path] for path in sorted(modules)},
        dict(sorted(log.stamps.items())),
        (
            tuple(map(_freeze, result.findings)),
            result.checks,
            result.suppressed,
            (counts.distributions, counts.modules, counts.imports),
        ),
    )
    return write_atomic(path_of(config.cache_path), marshal.dumps(record))  # False: a read-only cache folder
