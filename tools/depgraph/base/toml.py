"""Reading TOML, the one place that does: `tomllib` (Python 3.11+) or its backport `tomli`.

`read` gives a file's table or one error line naming the file (missing, unreadable, not UTF-8, invalid
TOML, with the parser's line and column); `parse` is for text already in hand; `dotted` finds a value
deep in a parsed table.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from depgraph.base import reads
from depgraph.base.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

TOMLDecodeError = tomllib.TOMLDecodeError


def parse(text: str) -> dict[str, Any]:
    """The table a TOML text holds; raises `TOMLDecodeError`."""
    data: dict[str, Any] = tomllib.loads(text)
    return data


def read(path: Path, error: type[Exception] = ConfigError) -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable or invalid file raises `error` naming it (and the line)."""
    try:
        data = reads.read_bytes(path)
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return parse(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not valid UTF-8 at byte {exc.start}") from None
    except TOMLDecodeError as exc:
        raise error(f"{path}: invalid TOML: {exc}") from None


def dotted(data: Mapping[str, Any], key: str) -> Any:
    """A value deep in a parsed table by its dotted key (None when any part is missing or not a table)."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
