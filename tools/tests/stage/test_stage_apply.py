"""`stage apply` through the real CLI on a generated monorepo (real git), then the repository's own checks,
every old import spelling, and the moved package's and the core's tests, each in a subprocess.

One repository is generated and moved once per module (the `moved` fixture); each test reads it and
changes nothing. The refusals and the half-done rerun use small repositories of their own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import make_repo, pyproject
from quiet_git import quiet_git_config
from test_stage_plan import STAGE, repo
from test_stage_shim import CHECK, package

pytestmark = pytest.mark.xdist_group("stage-apply")  # the applied repository, built once for every test here

BIN = Path(sys.executable).parent
Moved = tuple[Path, dict[str, str], str, str]  # root, environment, apply's output, a pickle from before
DEPGRAPH_TOOL = """[tool.depgraph]
staging = ["staging/*"]
distributions = ["plug"]
vendor = "vendor"

[[tool.depgraph.restrictions]]
name = "foo-stands-alone"
from-modules = ["app.providers.foo"]
deny-modules = ["app.main"]
"""  # the depgraph table both stage stories start from
ROOT_TOOL = (
    """
[project.entry-points."app.plugins"]
foo = "app.providers.foo.impl:run"

"""
    + DEPGRAPH_TOOL
    + """
[[tool.depgraph.restrictions]]
name = "the-core-reaches-foo-by-its-old-path"
from = ["app"]
deny-modules = ["foo"]

[tool.publish]
rules = "publish-rules.toml"

[tool.uv.workspace]
members = ["staging/fw"]

[tool.uv.sources]
fw = { workspace = true }
"""
)
RULES = """[defaults]
create = true

[[package]]
name = "fw"
source = "staging/fw"
destination = "_output/published/fw.git"
smoke = "python -m pytest -q tests"
"""
FOO = {f"app/providers/{k}": v for k, v in package("foo").items()}
FOO["app/providers/foo/impl.py"] = (
    "import fw\nimport packaging.version\n\n\n" + FOO["app/providers/foo/impl.py"]
)
FOO["app/providers/foo/sub/mod.py"] = (
    "from app.providers.foo.impl import run  # the package's absolute import of itself\n"
    "from .. import impl\n\nvalue = 42\n"
)
FILES = {
    "pyproject.toml": pyproject("app", ["fw", "packaging>=20"], {"test": ["pytest"]}, ROOT_TOOL),
    "publish-rules.toml": RULES,
    "app/__init__.py": "",
    "app/main.py": "from app.providers.foo import run\n\n\ndef main() -> str:\n    return run()\n",
    "app/providers/__init__.py": "",
    **FOO,
    "tests/test_main.py": (
        "from app.main import main\n\n\ndef test_main() -> None:\n    assert main() == 'ran'\n"
    ),
    "tests/test_foo.py": (
        "import pytest\nfrom app.providers.foo import Thing, run\n\n\ndef test_run() -> None:\n"
        "    assert run() == 'ran' and Thing(1).n == 1\n    with pytest.raises(TypeError):\n        Thing()\n"
    ),
    "staging/fw/pyproject.toml": pyproject("fw"),
    "staging/fw/fw/__init__.py": "",
    "staging/fw/tests/test_fw.py": "import fw\n\n\ndef test_fw() -> None:\n    assert fw\n",
    "plug/pyproject.toml": pyproject("plug", ["app"])
    + '[project.entry-points."app.plugins"]\nplugfoo = "app.providers.foo.impl:run"\n',
    "plug/plug/__init__.py": "import app.providers.foo.sub.mod\n\nVALUE = app.providers.foo.sub.mod.value\n",
    ".gitignore": "__pycache__/\n",
}
APPLIED = """\
stage: moved app/providers/foo/ -> staging/foo/foo/ (git mv, 4 files)
stage: moved tests/test_foo.py -> staging/foo/tests/test_foo.py (git mv)
stage: staging/foo/foo/sub/mod.py: 1 imports of app.providers.foo now import foo
stage: staging/foo/tests/test_foo.py: 1 imports of app.providers.foo now import foo
stage: wrote the shim app/providers/foo/__init__.py (warns once; app.providers.foo goes away in release 2.0)
stage: wrote staging/foo/: pyproject.toml, README.md
stage: pyproject.toml: [project.entry-points.app.plugins] foo moves to staging/foo as 'foo.impl:run'
stage: pyproject.toml: [project] dependencies -= 'packaging>=20' (only app.providers.foo used it)
stage: pyproject.toml: [project] dependencies += 'foo' (the shim imports it)
stage: pyproject.toml: [tool.uv.sources] foo = { workspace = true }
stage: pyproject.toml: restriction 'foo-stands-alone' from-modules += foo
stage: pyproject.toml: recorded the move in [[tool.stage.moved]] (release 2.0)
stage: publish-rules.toml: added the [[package]] rule of foo (staging/foo)
stage: depgraph vendor update: created vendor/foo -> ../staging/foo/foo
stage: depgraph vendor update: set pyproject.toml [tool.uv.workspace] members = staging/foo, staging/fw
stage: app/providers/foo/__init__.py:42: silenced restriction on the shim's import of foo
stage: staged every change in git; review with `git diff --cached`, commit, then install staging/foo
"""


def environment(home: Path, **more: str) -> dict[str, str]:
    """Git sealed from the user's configuration, with a pinned identity and date (module-scoped tests)."""
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n" + quiet_git_config(home))
    stamp = "2024-01-01T00:00:00+00:00"
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "A U Thor",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": "C O Mitter",
        "GIT_COMMITTER_EMAIL": "committer@example.com",
        "GIT_COMMITTER_DATE": stamp,
        "NO_COLOR": "1",
        **more,
    }


def sh(root: Path, env: dict[str, str], *cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), cwd=root, env=env, capture_output=True, text=True, check=False)


def tool(root: Path, env: dict[str, str], *cmd: str) -> subprocess.CompletedProcess[str]:
    """Our console script (stage, depgraph, publish) as `sh` runs it, in this process (cli_inprocess)."""
    return cli_inprocess.run(list(cmd), cwd=root, env=env, capture_output=True, text=True, check=False)


def git(root: Path, env: dict[str, str], *args: str) -> str:
    done = sh(root, env, "git", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def python(root: Path, env: dict[str, str], path: list[Path], code: str) -> subprocess.CompletedProcess[str]:
    return sh(root, {**env, "PYTHONPATH": ":".join(map(str, path))}, sys.executable, "-c", code)


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moved]:
    """(root, env, apply's stdout, a Thing pickled before the move under the old module path)."""
    base = tmp_path_factory.mktemp("apply")
    env = environment(base)
    root = make_repo(base / "repo", FILES)
    (root / "vendor").mkdir()
    (root / "vendor/fw").symlink_to("../staging/fw/fw")
    git(root, env, "init", "-q")
    git(root, env, "add", "-A")
    git(root, env, "commit", "-qm", "the monorepo, foo in the core")
    pickled = python(
        root, env, [root, root / "vendor"], "import pickle, sys\nfrom app.providers.foo.impl import Thing\n"
        "sys.stdout.write(repr(pickle.dumps(Thing(7))))",
    )  # fmt: skip
    assert pickled.returncode == 0, pickled.stderr
    plan = sh(root, env, STAGE, "plan", "app/providers/foo", "--to", "staging/foo", "--no-cache")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    done = sh(root, env, STAGE, "apply", "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert done.returncode == 0, done.stdout + done.stderr
    git(root, env, "commit", "-qm", "stage apply: app.providers.foo -> staging/foo")
    yield root, env, done.stdout, pickled.stdout


def test_apply_says_each_step_and_writes_the_new_distribution(moved: Moved) -> None:
    root, env, out, _ = moved
    assert out == APPLIED
    assert git(root, env, "status", "--porcelain") == ""
    assert sorted(git(root, env, "ls-files", "staging/foo", "app/providers").split()) == [
        "app/providers/__init__.py",
        "app/providers/foo/__init__.py",
        "staging/foo/README.md",
        "staging/foo/foo/__init__.py",
        "staging/foo/foo/impl.py",
        "staging/foo/foo/sub/__init__.py",
        "staging/foo/foo/sub/mod.py",
        "staging/foo/pyproject.toml",
        "staging/foo/tests/test_foo.py",
    ]
    assert (
        (root / "staging/foo/foo/sub/mod.py")
        .read_text()
        .startswith(
            "from foo.impl import run  # the package's absolute import of itself\nfrom .. import impl\n"
        )
    )
    made = (root / "staging/foo/pyproject.toml").read_text()
    assert 'dependencies = ["fw", "packaging>=20"]' in made, made
    assert 'test = ["pytest"]' in made and 'include = ["foo*"]' in made
    assert '[project.entry-points."app.plugins"]\nfoo = "foo.impl:run"\n' in made
    assert "entry-points" not in (root / "pyproject.toml").read_text()
    assert (root / "vendor/foo").readlink() == Path("../staging/foo/foo")
    rules = (root / "publish-rules.toml").read_text()
    assert rules.endswith(
        '[[package]]\nname = "foo"\nsource = "staging/foo"\ndestination = "_output/published/foo.git"\n'
        'dependencies = ["fw"]\nsmoke = "python -m pytest -q tests"\n'
        'earlier = [{source = "app/providers/foo", as = "foo"}]\n'
    )
    record = (root / "pyproject.toml").read_text()
    assert record.endswith(
        '[[tool.stage.moved]]\nold = "app.providers.foo"\nnew = "foo"\ntarget = "staging/foo"\n'
        'shim = "app/providers/foo/__init__.py"\nrelease = "2.0"\n'
    )
    # the history follows the files: `git log --follow` (and publish) see the commits from before the move
    shim = (root / "app/providers/foo/__init__.py").read_text().splitlines()
    assert shim[41] == (
        '_new = importlib.import_module("foo")  # depgraph: ignore[restriction] the shim of the move to foo; '
        "goes away in release 2.0 (`stage finish`)"
    )
    log = git(root, env, "log", "--follow", "--format=%s", "--", "staging/foo/foo/impl.py")
    assert log.splitlines() == [
        "stage apply: app.providers.foo -> staging/foo",
        "the monorepo, foo in the core",
    ]


def test_the_repository_checks_pass_after_apply(moved: Moved) -> None:
    root, env, _, _ = moved
    for cmd in (
        ("depgraph", "vendor", "verify"),
        ("depgraph", "check", "--no-cache"),
        ("publish", "verify-rules"),
    ):
        done = tool(root, env, str(BIN / cmd[0]), *cmd[1:])
        assert done.returncode == 0, f"{cmd}: {done.stdout}{done.stderr}"


def test_every_old_spelling_works_with_one_warning(moved: Moved) -> None:
    root, env, _, pickled = moved
    code = CHECK.replace("OLD_PICKLE", pickled) + (
        "import tomllib\n"  # the entry point another distribution declares under the old path
        "plug = tomllib.load(open('plug/pyproject.toml', 'rb'))['project']\n"
        "spec = plug['entry-points']['app.plugins']['plugfoo']\n"
        "assert EntryPoint(name='foo', value=spec, group='app.plugins').load() is foo.impl.run\n"
        "import plug\nassert plug.VALUE == 42\n"  # another distribution importing a submodule
    )
    done = python(root, env, [root, root / "vendor", root / "plug"], code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "app.providers.foo moved to foo: import foo instead; app.providers.foo goes away in release 2.0"
    ]


def test_the_moved_package_and_the_core_pass_their_tests(moved: Moved) -> None:
    root, env, _, _ = moved
    alone = root.parent / "alone"  # the new distribution on its own, without the core beside it
    shutil.copytree(root / "staging/foo", alone / "foo-dist")
    shutil.copytree(root / "staging/fw/fw", alone / "fw")
    pytest_ = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"]
    done = sh(alone / "foo-dist", {**env, "PYTHONPATH": f"{alone / 'foo-dist'}:{alone}"}, *pytest_, "tests")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr
    core = {**env, "PYTHONPATH": f"{root}:{root / 'vendor'}"}
    done = sh(root, core, *pytest_[:-2], "-W", "error::DeprecationWarning:foo", "tests")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_a_rerun_says_already_applied(moved: Moved) -> None:
    root, env, _, _ = moved
    done = tool(root, env, STAGE, "apply", "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "stage: app.providers.foo is already applied (staging/foo); next: stage rewrite-imports\n",
        "",
    )
    assert git(root, env, "status", "--porcelain") == ""


def apply(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_inprocess.run(
        [STAGE, "apply", *args, "--root", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{BIN}:/usr/bin:/bin"},
        check=False,
    )


def test_refuses_a_blocked_plan_and_a_dirty_tree(tmp_path: Path, git_env: dict[str, str]) -> None:
    root = repo(tmp_path, {"app/providers/foo/impl.py": "from app.util import helper\n"})
    done = apply(root, "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "stage: error: app/providers/foo: 1 imports into the core block the move; "
        "see `stage plan app/providers/foo --to staging/foo`\n"
    )
    root = repo(tmp_path / "2", {})
    (root / "scratch.txt").write_text("x")
    done = apply(root, "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert done.returncode == 2 and "the work tree has 1 uncommitted changes" in done.stderr
    assert not (root / "staging").exists()


def test_a_half_done_earlier_apply_is_refused(tmp_path: Path, git_env: dict[str, str]) -> None:
    root = repo(tmp_path, {})
    done = apply(root, "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert done.returncode == 0, done.stderr
    (root / "staging/foo/pyproject.toml").unlink()
    done = apply(root, "app/providers/foo", "--to", "staging/foo", "--release", "2.0")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "stage: error: pyproject.toml: [[tool.stage.moved]] records app.providers.foo -> staging/foo, but "
        "staging/foo/pyproject.toml is missing: a half-done earlier apply; undo it (git stash -u) and run "
        "apply again\n"
    )
