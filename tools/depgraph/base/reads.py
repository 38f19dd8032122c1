"""The files a run reads besides its modules (manifests, requirements files, the lines a suppression may
be on), each with its stat taken before reading and the digest of the bytes read.

`depgraph.checks.replay` stores them with a run's findings: the findings are replayed only while every
such file is unchanged. Reading goes through `read_bytes`; while no `Log` is active it is a plain read.
"""

from __future__ import annotations

import os
from hashlib import blake2b
from pathlib import Path

StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
# path -> (its stat before reading, BLAKE2b-128 of the bytes read), or (None, b"") when it could not be read
Stamp = tuple[StatKey | None, bytes]


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def digest(data: bytes) -> bytes:
    return blake2b(data, digest_size=16).digest()


class Log:
    """What one run read: path -> stamp; `stable` turns False when a file changed between two reads."""

    def __init__(self) -> None:
        self.stamps: dict[str, Stamp] = {}
        self.stable = True

    def add(self, path: str, stamp: Stamp) -> None:
        if self.stamps.setdefault(path, stamp)[1] != stamp[1]:
            self.stable = False


_active: Log | None = None


def start() -> Log:
    """Record every `read_bytes` from now on, until `stop`."""
    global _active  # noqa: PLW0603 - one run at a time records
    _active = Log()
    return _active


def stop() -> None:
    global _active  # noqa: PLW0603
    _active = None


def read_bytes(path: Path) -> bytes:
    """`path.read_bytes()`, recorded when a log is active (OSError is raised as it would be)."""
    log = _active
    if log is None:
        return path.read_bytes()
    key = os.path.abspath(path)  # noqa: PTH100 - one call per manifest
    try:
        before = stat_key(os.stat(key))  # noqa: PTH116
        data = path.read_bytes()
    except OSError:
        log.add(key, (None, b""))
        raise
    log.add(key, (before, digest(data)))
    return data
