"""stage.codemod on source text (in process: the CLI runs it in test_stage_rewrite_finish.py): the spellings
and layouts a rewrite must keep, each result re-read as Python and rewritten again to nothing."""

from __future__ import annotations

import ast

import pytest

from stage.codemod import rewrite_pyproject, rewrite_python

OLD, NEW = "app.providers.foo", "foo"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # a name split off the last place of an unparenthesised from-import: no trailing comma left
            "from app.providers import other, foo  # both\n",
            "from app.providers import other  # both\nimport foo\n",
        ),
        (  # parenthesised, the moved name last: the comma and the comments of the others kept
            "from app.providers import (\n    other,  # kept\n    foo,\n)\n",
            "from app.providers import (\n    other,  # kept\n)\nimport foo\n",
        ),
        (  # the only name: the comment stays on its line
            "def g():\n    from app.providers import foo as f  # why\n",
            "def g():\n    import foo as f  # why\n",
        ),
        (  # a parent named differently from the new package
            "from app.providers import foo\n",
            "import foo_new as foo\n",
        ),
        (  # the top name used elsewhere and bound by nothing else: the parent stays imported, first
            "# head\nimport app.providers.foo  # the provider\n\napp.providers.foo.run(app.VERSION)\n",
            "# head\nimport app.providers\nimport foo  # the provider\n\nfoo.run(app.VERSION)\n",
        ),
        (  # bound by another import: no parent line
            "import app.util\nimport app.providers.foo.sub\napp.providers.foo.sub.f(app.util)\n",
            "import app.util\nimport foo.sub\nfoo.sub.f(app.util)\n",
        ),
        (  # one line, two statements
            "import os; import app.providers.foo as f\n",
            "import os; import foo as f\n",
        ),
        (  # strings: quotes and prefixes kept; other strings, __import__ and look-alikes left alone
            "import importlib\nfrom importlib import import_module\n"
            "m = importlib.import_module('app.providers.foo')\n"
            'n = import_module("app.providers.foo.sub", package=None)\nx = "app.providers.foo"\n'
            'y = __import__("app.providers.foo")\nz = importlib.import_module("app.providers.foobar")\n',
            "import importlib\nfrom importlib import import_module\nm = importlib.import_module('foo')\n"
            'n = import_module("foo.sub", package=None)\nx = "app.providers.foo"\n'
            'y = __import__("app.providers.foo")\nz = importlib.import_module("app.providers.foobar")\n',
        ),
        (  # patch targets, by every common spelling
            'mocker.patch("app.providers.foo.impl.run")\nmonkeypatch.setattr("app.providers.foo.X", 1)\n'
            'patch.dict("app.providers.foo.TABLE", {})\n',
            'mocker.patch("foo.impl.run")\nmonkeypatch.setattr("foo.X", 1)\npatch.dict("foo.TABLE", {})\n',
        ),
        (  # Windows line endings stay
            "import app.providers.foo.sub as s\r\nx = 1\r\n",
            "import foo.sub as s\r\nx = 1\r\n",
        ),
    ],
)
def test_spellings_and_layouts(before: str, after: str) -> None:
    new = "foo_new" if after.startswith("import foo_new") else NEW
    got, count = rewrite_python(before, OLD, new, "app.main", False)
    assert got == after
    assert count > 0
    ast.parse(got)
    assert rewrite_python(got, OLD, new, "app.main", False) == (got, 0)


def test_relative_imports_inside_the_package_are_left_and_from_outside_made_absolute() -> None:
    inside = "from . import impl\nfrom .sub import mod\nfrom .. import other\n"
    assert rewrite_python(inside, OLD, NEW, "app.providers.foo.sub", True) == (inside, 0)
    outside = "from .foo.sub import mod\nfrom . import foo, other\nfrom .. import providers\n"
    assert rewrite_python(outside, OLD, NEW, "app.providers", True) == (
        "from foo.sub import mod\nfrom . import other\nimport foo\nfrom .. import providers\n",
        2,
    )
    assert rewrite_python(outside, OLD, NEW, None, False) == (outside, 0)  # not a known module


def test_entry_points_are_retargeted_and_the_rest_of_the_toml_kept() -> None:
    text = (
        '[project]\nname = "x"  # the name\n\n[project.scripts]\nrun = "app.providers.foo.cli:main"  # cmd\n'
        "other = 'app.providers.foobar:main'\n\n[project.entry-points.\"app.plugins\"]\n"
        "foo = 'app.providers.foo'\n\n[tool.x]\nold = \"app.providers.foo\"\n"
    )
    got, count = rewrite_pyproject(text, OLD, NEW)
    assert count == 2
    assert got == text.replace('"app.providers.foo.cli:main"', '"foo.cli:main"').replace(
        "'app.providers.foo'\n", "'foo'\n"
    )
