"""The decisions inside a graph build and a scanner structure, each a pure function tested alone."""

from __future__ import annotations

import pytest

from depgraph.base.imports import ImportKind
from depgraph.base.model import Module, Origin
from depgraph.extract.structure import headers, indents, skeleton
from depgraph.graph.graph import FEW_PENDING, edges_of, extraction_cache_pays


@pytest.mark.parametrize(
    ("pending", "files", "graph_cached", "pays"),
    [
        (1, 1000, True, False),  # one edited file: extracting it beats loading the extraction cache
        (1000 // FEW_PENDING, 1000, True, False),  # the boundary: still few
        (1000 // FEW_PENDING + 1, 1000, True, True),  # a branch switch: many files miss the graph cache
        (1, 1000, False, True),  # no graph cache: every file is pending, the extraction cache is all there is
        (3, 3, True, True),
    ],
)
def test_extraction_cache_pays_only_when_many_files_miss_the_graph_cache(
    pending: int, files: int, graph_cached: bool, pays: bool
) -> None:
    assert extraction_cache_pays(pending, files, graph_cached) is pays


def _module(path: str, name: str) -> Module:
    return Module(name=name, distribution="d", path=path, is_package=False, is_test=False)


def test_edges_come_file_by_file_in_path_order_each_file_in_its_row_order() -> None:
    modules = [_module("b.py", "b"), _module("a.py", "a")]
    rows = {
        "b.py": ((1, "os", 0, "import os", None, "stdlib"),),
        "a.py": (
            (1, "b", 0, "import b", "d", "core"),
            (4, "json", int(ImportKind.DEFERRED), "import json", None, "stdlib"),
        ),
    }
    edges = edges_of(modules, rows)
    assert [(e.path, e.line, e.importer, e.imported) for e in edges] == [
        ("a.py", 1, "a", "b"),
        ("a.py", 4, "a", "json"),
        ("b.py", 1, "b", "os"),
    ]
    assert edges[1].kind is ImportKind.DEFERRED and edges[0].imported_origin is Origin.CORE
    assert list(edges) == sorted(edges)  # sorted without sorting
    assert edges_of([], {}) == ()


def test_skeleton_drops_comments_and_stands_in_for_strings() -> None:
    text = 'x = "a\\nb"  # note\nimport os\n'
    string, note = text.index('"'), text.index("#")
    tokens = ([string, note], [text.index("  #"), text.index("\nimport")], [False, True])
    sk, removed = skeleton(text, tokens, 0, len(text))
    assert sk == 'x = ""  \nimport os\n'
    assert removed == [0, len('"a\\nb"') - 2, len('"a\\nb"') - 2 + len("# note")]


def test_headers_are_logical_lines_with_their_keyword_and_indentation() -> None:
    sk = (
        "def f(\n    a,\n):\n    if a:\n        pass\n"
        "async def g():\n\tfor x in y:\n        pass\nx = (\nif\n)\n"
    )
    flat = sk.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")")
    found = headers(sk, flat)
    assert found is not None
    places, words, whites = found
    assert [sk[p : p + 12].split("\n", maxsplit=1)[0] for p in places] == [
        "def f(",
        "    if a:",
        "async def g(",
        "\tfor x in y:",
    ]
    assert words == ["def", "if", "def", "for"]  # `if` inside brackets is no header
    assert whites == ["", "    ", "", "\t"]
    assert headers(")\nif x:\n", ")\nif x:\n") is None  # a bracket closes before it opens


def test_indents_count_tabs_as_the_tokenizer_does_and_as_one() -> None:
    assert indents(["", "    "]) == ([0, 4], [0, 4])
    assert indents(["\t", "  \t", "\f  "]) == ([8, 8, 2], [1, 3, 2])
