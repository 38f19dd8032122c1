"""The one validator of the tools' configuration (depgraph.base.schema): keys, kinds, phrasing."""

from __future__ import annotations

import pytest

from depgraph.base.errors import ConfigError
from depgraph.base.schema import BOOL, INT, NONEMPTY, NUMBER, STRINGS, Phrasing, Table

PHRASING = Phrasing(
    unknown="{where}.{key}: unknown key (known: {known})",
    missing="{where}.{key}: missing",
    wrong="{where}.{key}: expected {expected}, got {value} ({type})",
)
SCHEMA = {"name": NONEMPTY, "on": BOOL, "n": INT, "delay": NUMBER, "globs": STRINGS}


def table(data: dict[str, object]) -> Table:
    return Table(data, SCHEMA, "f.toml: t", PHRASING)


def test_values_of_their_kind_and_defaults() -> None:
    t = table({"name": "x", "on": False, "n": 0, "delay": 1.5, "globs": ["a"]}).closed()
    assert [t.get(k) for k in ("name", "on", "n", "delay", "globs")] == ["x", False, 0, 1.5, ["a"]]
    assert table({}).get("n", 7) == 7 and table({}).get("name", None) is None


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        ({"nmae": "x", "zz": 1}, None, "f.toml: t.nmae: unknown key (known: delay, globs, n, name, on)"),
        ({}, "name", "f.toml: t.name: missing"),
        ({"name": ""}, "name", "f.toml: t.name: expected a non-empty string, got '' (str)"),
        ({"on": 1}, "on", "f.toml: t.on: expected true or false, got 1 (bool)"),
        ({"n": True}, "n", "f.toml: t.n: expected an integer, got True (int)"),  # a bool is no number here
        ({"delay": False}, "delay", "f.toml: t.delay: expected a number, got False (int/float)"),
        (
            {"globs": ["a", ""]},
            "globs",
            "f.toml: t.globs: expected a list of non-empty strings, got ['a', '']",
        ),
    ],
)
def test_one_line_naming_the_file_the_key_and_what_was_expected(
    data: dict[str, object], key: str | None, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        t = table(data)
        t.closed() if key is None else t.get(key)
    assert str(caught.value).startswith(message)


def test_the_error_type_is_the_callers() -> None:
    class Mine(Exception):
        pass

    with pytest.raises(Mine, match="missing"):
        Table({}, SCHEMA, "w", PHRASING, Mine).get("name")
