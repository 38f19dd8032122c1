"""`stage rewrite-imports` and `stage finish` through the real CLI, after a real `stage apply`, on one
generated monorepo with real git: the whole second half of the story, step by step, each step's output and
the repository after it recorded once (the `story` fixture), then read by the tests.

The core imports the moved package in every spelling (and a test patches it by name, another distribution
imports a subpackage and names it in an entry point; the root's own script naming it moves to the new
distribution with `stage apply`). The core's tests run in a
subprocess after each step, with the shim's DeprecationWarning an error once the imports are rewritten.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, pyproject
from test_stage_apply import BIN, DEPGRAPH_TOOL, apply, environment, git, sh, tool
from test_stage_plan import STAGE, repo

pytestmark = pytest.mark.xdist_group("stage-story")  # one repository, built once, for every test here

ROOT_TOOL = (
    """
[project.scripts]
foo-run = "app.providers.foo.impl:run"  # the provider's command

"""
    + DEPGRAPH_TOOL
)
MAIN = '''\
"""Reaches foo through its old path, in every spelling."""

import os, app.providers.foo  # the provider, by its full path
import app.util
import app.providers.foo.sub.mod as m

from app.providers.foo import (  # what the core uses
    Thing,
    run,  # the entry point
)
from app.providers.foo.sub.mod import value
from app.providers import other, foo as provider


def main() -> str:
    assert os.sep and provider.run() == run() and m.value == value and Thing
    return app.providers.foo.run() + app.util.helper()  # through the package's name
'''
MAIN_AFTER = '''\
"""Reaches foo through its old path, in every spelling."""

import os, foo  # the provider, by its full path
import app.util
import foo.sub.mod as m

from foo import (  # what the core uses
    Thing,
    run,  # the entry point
)
from foo.sub.mod import value
from app.providers import other
import foo as provider


def main() -> str:
    assert os.sep and provider.run() == run() and m.value == value and Thing
    return foo.run() + app.util.helper()  # through the package's name
'''
DIRECT = """\
import app.providers.foo.sub.mod


def total() -> int:
    return app.providers.foo.sub.mod.value + len(app.__name__)
"""
DIRECT_AFTER = """\
import app.providers
import foo.sub.mod


def total() -> int:
    return foo.sub.mod.value + len(app.__name__)
"""
TEST_APP = """\
from unittest import mock

import app.providers.foo.impl
from app.direct import total
from app.loader import load
from app.main import main
from app.providers.registry import foo_run


def test_the_core_reaches_foo() -> None:
    assert main() == "ranhelped" and total() == 45 and load().value == 42 and foo_run() == "ran"


def test_patched_by_name() -> None:
    with mock.patch("app.providers.foo.impl.run", return_value="patched"):
        assert app.providers.foo.impl.run() == "patched"
"""
FILES = {
    "pyproject.toml": pyproject("app", [], {"test": ["pytest"]}, ROOT_TOOL),
    "app/__init__.py": "",
    "app/util.py": "def helper() -> str:\n    return 'helped'\n",
    "app/main.py": MAIN,
    "app/direct.py": DIRECT,
    "app/loader.py": (
        "import importlib\n\n\ndef load():\n    return importlib.import_module('app.providers.foo.sub.mod')\n"
    ),
    "app/providers/__init__.py": "",
    "app/providers/other.py": "NAME = 'other'\n",
    "app/providers/registry.py": (
        "from .foo import run as foo_run  # relative, from outside\nfrom . import other\n"
    ),
    "app/providers/foo/__init__.py": '"""The foo provider."""\n\nfrom .impl import Thing, run\n',
    "app/providers/foo/impl.py": (
        "class Thing:\n    def __init__(self, n):\n        self.n = n\n\n\ndef run():\n    return 'ran'\n"
    ),
    "app/providers/foo/sub/__init__.py": "from .. import impl  # relative, inside: left alone\n",
    "app/providers/foo/sub/mod.py": "value = 42\n",
    "tests/test_app.py": TEST_APP,
    "plug/pyproject.toml": pyproject(
        "plug", ["app"], tool="[project.entry-points.'app.plugins']\nfoo = 'app.providers.foo.impl:run'\n"
    ),
    "plug/plug/__init__.py": (
        "from app.providers.foo.sub import mod  # a subpackage, directly\n\nVALUE = mod.value\n"
    ),
    ".gitignore": "__pycache__/\n",
}
AFTER = {  # every file rewrite-imports changes, whole: what it does not rewrite stays byte for byte
    "app/main.py": MAIN_AFTER,
    "app/direct.py": DIRECT_AFTER,
    "app/loader.py": "import importlib\n\n\ndef load():\n    return importlib.import_module('foo.sub.mod')\n",
    "app/providers/registry.py": (
        "from foo import run as foo_run  # relative, from outside\nfrom . import other\n"
    ),
    "tests/test_app.py": TEST_APP.replace("import app.providers.foo.impl", "import foo.impl")
    .replace('"app.providers.foo.impl.run"', '"foo.impl.run"')
    .replace("assert app.providers.foo.impl.run()", "assert foo.impl.run()"),
    "plug/pyproject.toml": FILES["plug/pyproject.toml"]  # it imports foo by name now: it declares it
    .replace("'app.providers.foo.impl:run'", "'foo.impl:run'")
    .replace('dependencies = ["app"]', 'dependencies = ["app", "foo"]'),
    "plug/plug/__init__.py": "from foo.sub import mod  # a subpackage, directly\n\nVALUE = mod.value\n",
    "pyproject.toml": None,  # only the entry point line: checked on its own
}
REMAINING = """\
app/direct.py:1: import app.providers.foo.sub.mod
app/loader.py:5: importlib.import_module('app.providers.foo.sub.mod')
app/main.py:3: import os, app.providers.foo
app/main.py:5: import app.providers.foo.sub.mod as m
app/main.py:7: from app.providers.foo import (Thing, run,)
app/main.py:11: from app.providers.foo.sub.mod import value
app/main.py:12: from app.providers import other, foo as provider
app/providers/registry.py:1: from .foo import run as foo_run
plug/plug/__init__.py:1: from app.providers.foo.sub import mod
plug/pyproject.toml:6: foo = 'app.providers.foo.impl:run'
tests/test_app.py:3: import app.providers.foo.impl
stage: 11 first-party imports of app.providers.foo remain; run `stage rewrite-imports` first
"""


@dataclass
class Story:
    root: Path
    env: dict[str, str]
    steps: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # step -> path -> text after it
    tests: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)  # the core's tests
    checks: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)  # depgraph check
    status: dict[str, str] = field(default_factory=dict)  # git status --porcelain after each step


def core_tests(story: Story, strict: bool) -> subprocess.CompletedProcess[str]:
    """The core's tests in a fresh interpreter; `strict`: importing the old path (the shim) is an error."""
    warnings = ["-W", "error::DeprecationWarning"] if strict else []
    path = f"{story.root}:{story.root / 'vendor'}"
    return sh(
        story.root,
        {**story.env, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"},
        *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *warnings, "tests"),
    )


def step(story: Story, name: str, *args: str, commit: bool = False) -> None:
    run = sh if name == "apply" else tool  # apply as a real process, the other steps in this one
    story.steps[name] = run(story.root, story.env, STAGE, *args)
    story.status[name] = git(story.root, story.env, "status", "--porcelain")
    story.files[name] = {p: (story.root / p).read_text() for p in AFTER if (story.root / p).exists()}
    if commit:
        git(story.root, story.env, "commit", "-qm", f"stage {name}")


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    base = tmp_path_factory.mktemp("story")
    env = environment(base)
    root = make_repo(base / "repo", FILES)
    story = Story(root, env)
    git(root, env, "init", "-q")
    git(root, env, "add", "-A")
    git(root, env, "commit", "-qm", "the monorepo, foo in the core")
    step(story, "rewrite-before-apply", "rewrite-imports")
    step(story, "finish-before-apply", "finish")
    step(story, "apply", "apply", "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    step(story, "rewrite-dirty", "rewrite-imports")  # apply's changes are staged, not committed
    git(root, env, "commit", "-qm", "stage apply")
    story.tests["applied"] = core_tests(story, strict=False)
    step(story, "finish-blocked", "finish")
    step(story, "dry-run", "rewrite-imports", "--dry-run")
    step(story, "rewrite", "rewrite-imports", "app.providers.foo", commit=True)
    story.tests["rewritten"] = core_tests(story, strict=True)
    story.checks["rewritten"] = tool(root, env, str(BIN / "depgraph"), "check", "--no-cache")
    step(story, "rewrite-again", "rewrite-imports")
    (root / "scratch.txt").write_text("not committed\n")
    step(story, "finish-dirty", "finish")
    (root / "scratch.txt").unlink()
    step(story, "finish", "finish", commit=True)
    story.tests["finished"] = core_tests(story, strict=True)
    story.checks["finished"] = tool(root, env, str(BIN / "depgraph"), "check", "--no-cache")
    step(story, "finish-again", "finish")
    yield story


def test_before_apply_both_refuse_in_one_line(story: Story) -> None:
    for name in ("rewrite-before-apply", "finish-before-apply"):
        done = story.steps[name]
        assert (done.returncode, done.stdout) == (2, ""), name
        assert done.stderr == (
            f"stage: error: {story.root / 'pyproject.toml'}: no move recorded ([[tool.stage.moved]]); "
            "run `stage apply` first\n"
        )
        assert story.status[name] == ""


def test_rewrite_refuses_a_dirty_tree_before_changing_anything(story: Story) -> None:
    done = story.steps["rewrite-dirty"]
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"stage: error: {story.root}: the work tree has ")
    assert done.stderr.endswith(
        " uncommitted changes; commit them first (the changes of `stage apply` too) or stash them\n"
    )
    assert story.files["rewrite-dirty"] == story.files["apply"]


def test_finish_refuses_while_first_party_code_imports_the_old_path(story: Story) -> None:
    done = story.steps["finish-blocked"]
    assert (done.returncode, done.stdout, done.stderr) == (1, REMAINING, "")
    assert story.status["finish-blocked"] == ""
    assert story.tests["applied"].returncode == 0, story.tests["applied"].stdout


def test_dry_run_prints_the_diff_and_changes_nothing(story: Story) -> None:
    done = story.steps["dry-run"]
    assert done.returncode == 0, done.stderr
    assert story.status["dry-run"] == "" and story.files["dry-run"] == story.files["apply"]
    assert (
        "--- a/app/direct.py\n+++ b/app/direct.py\n@@ -1,5 +1,6 @@\n-import app.providers.foo.sub.mod\n"
        "+import app.providers\n+import foo.sub.mod\n \n \n def total() -> int:\n"
        "-    return app.providers.foo.sub.mod.value + len(app.__name__)\n"
        "+    return foo.sub.mod.value + len(app.__name__)\n"
    ) in done.stdout
    assert done.stdout.count("--- a/") == 7
    assert done.stdout.endswith(
        "stage: dry run: 15 imports of app.providers.foo in 7 files would import foo; nothing written\n"
    )


def assert_core_passes(story: Story, step: str) -> None:
    """After `step`, the core's tests passed (the shim's warning an error) and depgraph found no error."""
    tests = story.tests[step]
    assert tests.returncode == 0 and "2 passed" in tests.stdout, tests.stdout + tests.stderr
    check = story.checks[step]
    assert check.returncode == 0 and "0 errors" in check.stdout, check.stdout + check.stderr


def test_rewrite_says_each_file_and_keeps_everything_else_byte_for_byte(story: Story) -> None:
    done = story.steps["rewrite"]
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "stage: app/direct.py: 2 rewritten\n"
        "stage: app/loader.py: 1 rewritten\n"
        "stage: app/main.py: 6 rewritten\n"
        "stage: app/providers/registry.py: 1 rewritten\n"
        "stage: plug/plug/__init__.py: 1 rewritten\n"
        "stage: plug/pyproject.toml: 1 rewritten, [project] dependencies += 'foo'\n"
        "stage: tests/test_app.py: 3 rewritten\n"
        "stage: rewrote 15 imports of app.providers.foo to foo in 7 files; staged in git: review with "
        "`git diff --cached`, commit, then: stage finish\n"
    )
    after = story.files["rewrite"]
    for path, text in AFTER.items():
        if text is not None:
            assert after[path] == text, path
    root_before = story.files["apply"]["pyproject.toml"]
    assert after["pyproject.toml"] == root_before  # apply moved its script to the new distribution
    assert (
        '[project.scripts]\nfoo-run = "foo.impl:run"\n'
        in (story.root / "staging/foo/pyproject.toml").read_text()
    )
    inside = (story.root / "staging/foo/foo/sub/__init__.py").read_text()
    assert inside == "from .. import impl  # relative, inside: left alone\n"
    assert_core_passes(story, "rewritten")


def test_a_rerun_changes_nothing_and_says_so(story: Story) -> None:
    done = story.steps["rewrite-again"]
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "stage: nothing to rewrite: no first-party file imports app.providers.foo any more; "
        "next: stage finish\n"
    )
    assert story.status["rewrite-again"] == ""


def test_finish_refuses_a_dirty_tree(story: Story) -> None:
    done = story.steps["finish-dirty"]
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"stage: error: {story.root}: the work tree has 1 uncommitted changes; commit them first "
        "(the changes of `stage rewrite-imports` too) or stash them\n"
    )
    assert (story.root / "staging/foo/foo/__init__.py").is_file()


def test_finish_removes_the_shim_and_the_core_passes_without_it(story: Story) -> None:
    done = story.steps["finish"]
    assert (done.returncode, done.stderr) == (0, ""), done.stdout + done.stderr
    assert done.stdout == (
        "stage: removed the shim app/providers/foo/__init__.py (git rm)\n"
        "stage: pyproject.toml: [project] dependencies keeps 'foo': the core imports it (app/direct.py:2)\n"
        "stage: pyproject.toml: restriction 'foo-stands-alone' from-modules -= app.providers.foo\n"
        "stage: pyproject.toml: marked the move finished in [[tool.stage.moved]]\n"
        "stage: app.providers.foo is gone; import foo. Staged in git: review with `git diff --cached`\n"
    )
    assert not (story.root / "app/providers/foo").exists()
    assert (story.root / "pyproject.toml").read_text().endswith('release = "2.0"\nfinished = true\n')
    assert 'from-modules = ["foo"]' in (story.root / "pyproject.toml").read_text()
    assert_core_passes(story, "finished")


def test_a_finished_move_says_so(story: Story) -> None:
    done = story.steps["finish-again"]
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "stage: app.providers.foo is already finished (foo, staging/foo)\n"
    assert story.status["finish-again"] == ""


def test_finish_drops_the_dependency_only_the_shim_needed(tmp_path: Path, git_env: dict[str, str]) -> None:
    root = repo(tmp_path, {})  # nothing imports app.providers.foo: finish can follow apply at once
    done = apply(root, "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert done.returncode == 0, done.stderr
    assert 'dependencies = ["foo"]' in (root / "pyproject.toml").read_text()
    subprocess.run(["git", "commit", "-qm", "stage apply"], cwd=root, check=True)
    (root / "app/providers/foo/late.py").write_text("X = 1\n")  # added at the old path after the move
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "a late file"], cwd=root, check=True)
    finish = [STAGE, "finish", "app/providers/foo", "--root", str(root)]
    done = cli_inprocess.run(finish, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "stage: error: app/providers/foo/ holds 1 files besides the shim (app/providers/foo/late.py): "
        "move them first; the old path must go as a whole\n"
    )
    subprocess.run(["git", "rm", "-q", "app/providers/foo/late.py"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "no late file"], cwd=root, check=True)
    done = cli_inprocess.run(finish, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    assert (
        "stage: pyproject.toml: [project] dependencies -= 'foo' (only the shim imported it)\n" in done.stdout
    )
    assert "dependencies = []" in (root / "pyproject.toml").read_text()
    assert not (root / "app/providers/foo").exists()


def test_finish_moves_the_dependency_only_the_core_tests_need_to_the_test_extra(
    tmp_path: Path, git_env: dict[str, str]
) -> None:
    files = {
        "pyproject.toml": pyproject(
            "app", [], {"test": ["pytest"]}, '[tool.depgraph]\nstaging = ["staging/*"]\n'
        ),
        "tests/test_both.py": "import app.providers.foo\nimport app.util\n\nOK = app.providers.foo\n",
    }
    root = repo(tmp_path, files)  # a test of the core imports the package (and the core: it stays)
    done = apply(root, "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert done.returncode == 0, done.stderr
    subprocess.run(["git", "commit", "-qm", "stage apply"], cwd=root, check=True)
    for command in ("rewrite-imports", "finish"):
        done = cli_inprocess.run([STAGE, command], cwd=root, capture_output=True, text=True, check=False)
        assert (done.returncode, done.stderr) == (0, ""), done.stdout
        subprocess.run(["git", "commit", "-qm", f"stage {command}"], cwd=root, check=True)
    assert (root / "tests/test_both.py").read_text() == "import foo\nimport app.util\n\nOK = foo\n"
    assert done.stdout.splitlines()[1] == (
        "stage: pyproject.toml: 'foo' moves from [project] dependencies to the test extra: only the core's "
        "tests import it (tests/test_both.py:1)"
    )
    text = (root / "pyproject.toml").read_text()
    assert 'dependencies = []\n[project.optional-dependencies]\ntest = ["pytest", "foo"]\n' in text
