"""Checking a parsed configuration table against its declared schema: the one validator of the tools'
configuration (depgraph's `[tool.depgraph]` table and its baseline file, publish's `[tool.publish]` table
and rules file).

A schema maps each key of a table to a `Kind`: what its value must be, in words and as a test. A `Table`
refuses keys the schema does not name and values of the wrong kind, one line each, phrased as each
configuration has always phrased them (`Phrasing`): the file, the key, what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from depgraph.base.errors import ConfigError

REQUIRED: Any = object()  # a `Table.get` default: the key must be there


@dataclass(frozen=True, slots=True)
class Kind:
    expected: str  # in words: "a non-empty string"
    type_name: str  # as Python names it: "str"
    test: Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


STRING = Kind("a string", "str", lambda v: isinstance(v, str))
NONEMPTY = Kind("a non-empty string", "str", lambda v: isinstance(v, str) and bool(v))
BOOL = Kind("true or false", "bool", lambda v: isinstance(v, bool))
INT = Kind("an integer", "int", _is_int)
NUMBER = Kind("a number", "int/float", lambda v: _is_int(v) or isinstance(v, float))
LIST = Kind("a list", "list", lambda v: isinstance(v, list))
STRINGS = Kind(
    "a list of non-empty strings",
    "list",
    lambda v: isinstance(v, list) and all(isinstance(s, str) and s for s in v),
)
MAPPING = Kind("a table", "dict", lambda v: isinstance(v, dict))
ARRAY_OF_TABLES = Kind(
    "an array of tables", "list", lambda v: isinstance(v, list) and all(isinstance(t, dict) for t in v)
)


@dataclass(frozen=True, slots=True)
class Phrasing:
    """How one configuration words its errors; the fields `where`, `key`, `known` (the schema's keys,
    sorted), `expected`, `type` (Kind.type_name; both also in `missing`) and `value` (its repr, only in
    `wrong`) fill them."""

    unknown: str
    missing: str
    wrong: str


class Table:
    """One table of a configuration, its values taken by key and checked against the schema."""

    def __init__(
        self,
        data: Mapping[str, Any],
        schema: Mapping[str, Kind],
        where: str,
        phrasing: Phrasing,
        error: type[Exception] = ConfigError,
    ) -> None:
        self.data, self.schema, self.where, self.phrasing, self.error = data, schema, where, phrasing, error

    def _fail(self, template: str, key: str, **fields: Any) -> Exception:
        known = ", ".join(sorted(self.schema))
        return self.error(template.format(where=self.where, key=key, known=known, **fields))

    def closed(self) -> Table:
        """Refuse the first key (in sorted order) the schema does not name."""
        for key in sorted(set(self.data) - set(self.schema)):
            raise self._fail(self.phrasing.unknown, key)
        return self

    def get(self, key: str, default: Any = REQUIRED) -> Any:
        """The value at `key`, of its kind; `default` when it is absent (refused when there is none)."""
        kind = self.schema[key]
        if key not in self.data:
            if default is REQUIRED:
                raise self._fail(self.phrasing.missing, key, expected=kind.expected, type=kind.type_name)
            return default
        value = self.data[key]
        if not kind.test(value):
            raise self._fail(
                self.phrasing.wrong, key, expected=kind.expected, type=kind.type_name, value=repr(value)
            )
        return value
