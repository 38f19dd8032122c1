"""A value deep in a parsed TOML table, by its dotted key (None when any part is missing or not a table)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def dotted(data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
