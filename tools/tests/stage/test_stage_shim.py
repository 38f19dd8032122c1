"""The shim at a moved package's old path, run in a real interpreter: every old spelling, one warning."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from stage.shim import shim_source

CHECK = """
import importlib, pickle, warnings
from importlib.metadata import EntryPoint

warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import app.providers.foo
    from app.providers.foo import run, Thing
    import app.providers.foo.sub.mod
    from app.providers.foo.sub.mod import value
    import foo, foo.sub.mod
    assert app.providers.foo is foo
    assert app.providers.foo.sub.mod is foo.sub.mod
    assert importlib.import_module("app.providers.foo.sub") is foo.sub
    assert importlib.import_module("app.providers.foo") is foo
    assert foo.sub.mod.__spec__.name == "foo.sub.mod", foo.sub.mod.__spec__
    assert run() == "ran" and value == 42 and Thing is foo.impl.Thing
    ep = EntryPoint(name="foo", value="app.providers.foo.impl:run", group="console_scripts")
    assert ep.load() is foo.impl.run
    old = OLD_PICKLE
    thing = pickle.loads(old)
    assert type(thing) is foo.impl.Thing and thing.n == 7
    assert pickle.loads(pickle.dumps(thing)).n == 7
messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
print("\\n".join(messages))
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def package(name: str) -> dict[str, str]:
    return {
        f"{name}/__init__.py": "from .impl import Thing, run\n",
        f"{name}/impl.py": (
            "class Thing:\n    def __init__(self, n):\n        self.n = n\n\n\ndef run():\n    return 'ran'\n"
        ),
        f"{name}/sub/__init__.py": "",
        f"{name}/sub/mod.py": "value = 42\n",
    }


def python(path: list[Path], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": ":".join(map(str, path)), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_every_old_spelling_reaches_the_new_modules_with_one_warning(tmp_path: Path) -> None:
    before = tmp_path / "before"  # the package in the core, before the move: pickle a Thing there
    write(before, {"app/__init__.py": "", "app/providers/__init__.py": ""})
    write(before / "app/providers", package("foo"))
    made = python(
        [before],
        "import pickle, sys\nfrom app.providers.foo.impl import Thing\n"
        "sys.stdout.write(repr(pickle.dumps(Thing(7))))",
    )
    assert made.returncode == 0, made.stderr
    assert b"app.providers.foo.impl" in eval(made.stdout)  # pickled under the old module path

    core, staging = tmp_path / "core", tmp_path / "staging/foo"
    write(core, {"app/__init__.py": "", "app/providers/__init__.py": ""})
    write(
        core, {"app/providers/foo/__init__.py": shim_source("app.providers.foo", "foo", "staging/foo", "2.0")}
    )
    write(staging, package("foo"))
    done = python([core, staging], CHECK.replace("OLD_PICKLE", made.stdout))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "app.providers.foo moved to foo: import foo instead; app.providers.foo goes away in release 2.0"
    ]


def test_importing_the_new_path_alone_does_not_warn(tmp_path: Path) -> None:
    core, staging = tmp_path / "core", tmp_path / "staging/foo"
    write(core, {"app/__init__.py": "", "app/providers/__init__.py": ""})
    write(
        core, {"app/providers/foo/__init__.py": shim_source("app.providers.foo", "foo", "staging/foo", "2.0")}
    )
    write(staging, package("foo"))
    done = python([core, staging], "import warnings\nwarnings.simplefilter('error')\nimport foo.sub.mod\n")
    assert done.returncode == 0, done.stderr
    # the shim itself is valid, formatted Python of its own
    compile(shim_source("a.b", "c", "staging/c", "3.1"), "shim", "exec")
