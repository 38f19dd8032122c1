"""Local files a controller or a provider keeps state in: refused before anything changes when they cannot
be written, and replaced atomically (a new file beside the old one, renamed over it) keeping their mode.

A file without any write bit (mode 444) is the user's way of saying "do not change this": it is refused,
never replaced, even when the process could replace it (as root can).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from cloud_provider.errors import CloudProviderError


class NotWritable(CloudProviderError):
    """The file, or its folder, cannot be written; the message names it and says why."""


def check_writable(path: str | Path, what: str) -> None:
    """Raise NotWritable unless ``write_text_atomic(path, ...)`` can succeed: the file, when it exists,
    is not read-only, and its folder accepts a new file (tried by creating and removing one)."""
    path = Path(path)
    _refuse_read_only(path, what)
    folder = path.parent
    if not folder.is_dir():
        raise NotWritable(f"{path}: cannot write the {what}: folder {folder} does not exist")
    probe = folder / f".{path.name}.{secrets.token_hex(4)}.probe"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        probe.unlink()
    except OSError as exc:
        raise NotWritable(f"{path}: cannot write the {what} in {folder}: {exc.strerror or exc}") from None


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path`` and rename it over ``path``: readers see the old
    content or the new, never a part. An existing file keeps its mode; a new one gets 666 less the umask."""
    path = Path(path)
    _refuse_read_only(path, "file")
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            if mode is not None:
                os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _refuse_read_only(path: Path, what: str) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise NotWritable(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None
    if not mode & 0o222:
        raise NotWritable(
            f"{path}: the {what} is read-only (mode {mode:o}); it is left as it is"
            " (chmod u+w to allow writing)"
        )
