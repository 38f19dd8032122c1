"""The record of moves in the root pyproject.toml ([[tool.stage.moved]]): written, read back, refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import tomlkit

from stage.errors import StageError
from stage.record import Move, add_move, find_move, mark_finished, read_moves

MOVE = Move("app.providers.foo", "foo", "staging/foo", "app/providers/foo/__init__.py", "2.0")


def test_a_move_is_written_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "app"\n\n[tool.depgraph]\nstaging = ["staging/*"]\n')
    assert read_moves(tmp_path) == []
    doc = tomlkit.parse(path.read_text())
    add_move(doc, MOVE)
    path.write_text(tomlkit.dumps(doc))
    assert path.read_text().endswith(
        '[[tool.stage.moved]]\nold = "app.providers.foo"\nnew = "foo"\ntarget = "staging/foo"\n'
        'shim = "app/providers/foo/__init__.py"\nrelease = "2.0"\n'
    )
    assert read_moves(tmp_path) == [MOVE]
    assert find_move(tmp_path, "app.providers.foo") == MOVE
    assert find_move(tmp_path, "app/providers/foo/") == MOVE
    assert find_move(tmp_path, "app.providers.bar") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tool = 1\n", "[tool] must be a table"),
        ("[tool]\nstage = [1]\n", "[tool.stage] must be a table"),
        ("[tool.stage]\nmoved = 1\n", "[tool.stage] moved must be an array of tables ([[tool.stage.moved]])"),
        ("[tool.stage]\nmoved = [1]\n", "[[tool.stage.moved]] #1: must be a table"),
        (
            '[[tool.stage.moved]]\nold = "a"\n',
            "[[tool.stage.moved]] #1: key 'new' must be a non-empty string",
        ),
    ],
)
def test_a_malformed_record_is_one_line_naming_it(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(StageError) as caught:
        read_moves(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'pyproject.toml'}: {message}"


def test_finish_marks_a_move_finished(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    doc = tomlkit.document()
    add_move(doc, MOVE)
    mark_finished(doc, MOVE)
    path.write_text(tomlkit.dumps(doc))
    assert path.read_text().endswith('release = "2.0"\nfinished = true\n')
    assert read_moves(tmp_path) == [dataclasses.replace(MOVE, finished=True)]
    path.write_text(path.read_text().replace("finished = true", 'finished = "yes"'))
    with pytest.raises(StageError, match=r"#1: key 'finished' must be true or false$"):
        read_moves(tmp_path)
