"""`depgraph report --section FILE`: a malformed section is refused in one line naming file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from depgraph.base.errors import DepgraphError
from depgraph.render.sections import load_section

OK = {"title": "T", "columns": ["a", "b"], "rows": [["1", "2"]]}
STYLES = "styles: an object mapping cell text to one of good, bad, warn, muted"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ([], "a section is a JSON object (title, columns, rows)"),
        ({}, "title: a non-empty string is required"),
        ({"title": ""}, "title: a non-empty string is required"),
        ({"title": None}, "title: a non-empty string is required"),
        ({"title": "T"}, "columns: a non-empty list of strings is required"),
        ({"title": "T", "columns": []}, "columns: a non-empty list of strings is required"),
        ({"title": "T", "columns": ["a", 1]}, "columns: a non-empty list of strings is required"),
        ({"title": "T", "columns": ["a"]}, "rows: a list of rows is required"),
        ({"title": "T", "columns": ["a"], "rows": {}}, "rows: a list of rows is required"),
        ({**OK, "rows": [["1", "2"], ["1"]]}, "rows[1]: a list of 2 strings is required"),
        ({**OK, "styles": []}, STYLES),
        ({**OK, "styles": {"1": "loud"}}, STYLES),
        ({**OK, "intro": 5}, "intro: a string is required"),
    ],
)
def test_a_malformed_section_is_one_line_naming_the_key(tmp_path: Path, data: object, says: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DepgraphError) as raised:
        load_section(path)
    assert str(raised.value) == f"{path}: {says}"


def test_a_section_reads_whole_and_its_styles_sorted(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({**OK, "intro": "hi", "styles": {"2": "bad", "1": "good"}, "other": 1}))
    section = load_section(path)
    assert (section.title, section.intro, section.columns, section.rows, section.styles) == (
        "T",
        "hi",
        ("a", "b"),
        (("1", "2"),),
        (("1", "good"), ("2", "bad")),
    )
