"""Reading a cloud-config file (TOML or JSON) into the mapping a provider factory takes.

``read_data_file`` is the one reader of the TOML and JSON files the framework and its providers take (a
provider's inventory too); ``check_table`` checks a table against its declared schema (key -> type, and
the keys it requires), one line naming the file and the key at fault.

The mapping is a ``CloudConfig``: a dict that remembers the file it came from, so that a provider names
that file in its errors (``config_source``) and resolves relative paths against its folder
(``resolve_path``), wherever the command runs from.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cloud_provider.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


class CloudConfig(dict[str, Any]):
    """A provider's configuration; ``path`` is the file it was read from (None when built in code)."""

    def __init__(self, data: Mapping[str, Any] | None = None, path: Path | None = None) -> None:
        super().__init__(data or {})
        self.path = path


def config_source(config: Mapping[str, Any]) -> str:
    """What an error about this configuration names: its file, or 'cloud config' when it has none."""
    path = getattr(config, "path", None)
    return str(path) if path is not None else "cloud config"


def resolve_path(config: Mapping[str, Any], value: str) -> Path:
    """A path from the configuration: relative ones are relative to the configuration file's folder
    (to the working directory when the configuration was built in code)."""
    path = getattr(config, "path", None)
    return Path(value) if path is None else Path(path).parent / value


def check_table(
    table: Mapping[str, Any],
    schema: Mapping[str, type | tuple[type, ...]],
    where: str,
    *,
    required: Iterable[str] = (),
    owner: str = "",
) -> None:
    """Refuse unknown keys, values of the wrong type and missing (or empty) required keys; the ConfigError
    names ``where`` and the key (and ``owner``, the provider whose schema it is, when given)."""
    for key in table:
        if key not in schema:
            known = ", ".join(sorted(schema))
            of = f" for {owner}" if owner else ""
            raise ConfigError(f"{where}: unknown key {key!r}{of} (known: {known})")
        kind = schema[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        value = table[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            raise ConfigError(f"{where}: key {key!r} must be {expected}, got {type(value).__name__}")
    for key in required:
        if table.get(key) in (None, ""):
            by = f" (required by the {owner} provider)" if owner else ""
            raise ConfigError(f"{where}: missing key {key!r}{by}")


_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}


def read_data_file(path: Path, what: str) -> Any:
    """The data of a JSON file (name ending in .json) or else a TOML one; ConfigError naming the file and
    ``what`` it holds when it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else None
        raise ConfigError(f"{path}: cannot read {what}: {reason or exc}") from exc
    try:
        return json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: invalid {what}: {exc}") from exc


def load_cloud_config(path: str | Path) -> CloudConfig:
    """The file's top-level table; JSON when the name ends in .json, TOML otherwise.

    Raises ConfigError with one line naming the file when it cannot be read or parsed.
    """
    path = Path(path)
    data = read_data_file(path, "cloud config")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: cloud config must be a table/object at the top level")
    return CloudConfig(data, path)
