"""The files a run reads besides its modules (manifests, requirements files, the lines a suppression may
be on), each with its stat taken before reading and the digest of the bytes read; and the folders whose
entries discovery looked at.

`depgraph.checks.replay` stores the files with a run's findings: the findings are replayed only while every
such file is unchanged; `depgraph.discover.wscache` stores files and folders with the workspace found.
Reading goes through `read_bytes`; discovery says which folders it lists (`listed`, `globbed`) and which
paths it asks about (`probed`: its folder is then as good as listed). While no `Log` is active, these cost
nothing.
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
        self.folders: dict[str, StatKey | None] = {}  # folder listed -> its stat when first listed

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


def active() -> Log | None:
    """The log recording now, if any."""
    return _active


def resume(log: Log | None) -> None:
    """Make `log` (one `active` gave) the recording one again."""
    global _active  # noqa: PLW0603
    _active = log


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


def listed(folder: str | Path) -> None:
    """Discovery is about to read the entries of `folder` (recorded with its stat, before the listing)."""
    log = _active
    if log is None:
        return
    key = os.path.abspath(folder)  # noqa: PTH100
    if key not in log.folders:
        try:
            log.folders[key] = stat_key(os.stat(key))  # noqa: PTH116
        except OSError:
            log.folders[key] = None


def probed(path: str | Path) -> None:
    """Discovery asks whether `path` exists, or what it is: creating, removing or replacing it changes the
    entries of its nearest existing folder, which is therefore recorded as listed."""
    if _active is None:
        return
    folder = os.path.dirname(os.path.abspath(path))  # noqa: PTH100, PTH120
    while not os.path.isdir(folder) and os.path.dirname(folder) != folder:  # noqa: PTH112, PTH120
        folder = os.path.dirname(folder)  # noqa: PTH120
    listed(folder)


def globbed(pattern: str, root: str | Path, *, recursive: bool = False) -> None:
    """Discovery expands `pattern` under `root` with `glob`: every folder glob lists is recorded (those
    matching the pattern's first parts, up to each part with a wildcard; all below a `**`)."""
    if _active is None:
        return
    import glob  # noqa: PLC0415

    parts = pattern.rstrip("/").split("/")
    for k, part in enumerate(parts):
        if not glob.has_magic(part):
            continue
        head = "/".join(parts[:k])
        folders = (
            [os.path.join(root, m) for m in glob.glob(head, root_dir=root, recursive=recursive)]  # noqa: PTH118, PTH207
            if glob.has_magic(head)
            else [os.path.join(root, head)]  # noqa: PTH118
        )
        for folder in folders:
            if part == "**" and recursive:
                for here, _dirs, _files in os.walk(folder):
                    listed(here)
            elif os.path.isdir(folder):  # noqa: PTH112
                listed(folder)
    if not any(glob.has_magic(part) for part in parts):
        probed(os.path.join(root, pattern))  # noqa: PTH118


def listing(folder: str, ignored: str = "") -> bytes | None:
    """A digest of a folder's entries: names, and whether each is a folder, a file or a link (with its
    target); None when it cannot be listed. `__pycache__` folders (which discovery never enters, and which
    running the code creates) and the path `ignored` (the cache folder, created by the first run) are left
    out."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(
                (e.name, e.is_dir(), e.is_file(), os.readlink(e.path) if e.is_symlink() else "")  # noqa: PTH115
                for e in it
                if e.name != "__pycache__" and e.path != ignored
            )
    except OSError:
        return None
    return digest(repr(entries).encode())


def code() -> tuple[tuple[str, int, int], ...]:
    """(file, size, mtime) of depgraph's own modules and of `packaging` (whose answers on requirements,
    markers and versions decide findings): part of the key of every cache that keeps results."""
    from importlib.util import find_spec  # noqa: PLC0415

    here = Path(__file__).resolve().parent.parent
    files = sorted(str(p) for p in here.rglob("*.py"))
    spec = find_spec("packaging")
    if spec is not None and spec.origin:
        files.append(spec.origin)
    found = []
    for name in files:
        try:
            st = os.stat(name)  # noqa: PTH116
        except OSError:
            continue
        found.append((name, st.st_size, st.st_mtime_ns))
    return tuple(found)
