"""Reading a cloud-config file (TOML or JSON) into the mapping a provider factory takes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cloud_provider.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def load_cloud_config(path: str | Path) -> dict[str, Any]:
    """The file's top-level table; JSON when the name ends in .json, TOML otherwise.

    Raises ConfigError with one line naming the file when it cannot be read or parsed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read cloud config: {exc.strerror or exc}") from exc
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: invalid cloud config: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: cloud config must be a table/object at the top level")
    return data


def require(
    config: dict[str, Any] | Any, key: str, kind: type, *, default: Any = ..., where: str = "cloud config"
) -> Any:
    """config[key] checked to be of ``kind``; ConfigError naming the key otherwise (or when missing)."""
    if key not in config:
        if default is ...:
            raise ConfigError(f"{where}: missing key {key!r}")
        return default
    value = config[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: key {key!r} must be a {kind.__name__}, got {type(value).__name__}")
    return value
