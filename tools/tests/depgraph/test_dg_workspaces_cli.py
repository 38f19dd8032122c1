"""uv workspaces and path dependencies name the first-party distributions; `depgraph init` writes a start.

Through the real CLI on generated monorepos; each check test asserts the exact set of (check, file:line).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cli_inprocess
from dg_fixtures import make_repo
from test_dg_backends_cli import findings

DEPGRAPH = str(Path(sys.executable).parent / "depgraph")


def lib(name: str, deps: list[str] | None = None) -> str:
    quoted = ", ".join(f'"{d}"' for d in deps or [])
    return f'[project]\nname = "{name}"\nversion = "0"\ndependencies = [{quoted}]\n'


UV_ROOT = """
[project]
name = "app"
version = "0"
dependencies = ["lib-a", "lib-x"]

[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/skip"]

[tool.uv.sources]
lib-a = { workspace = true }
lib-x = { path = "extra/x" }

[tool.depgraph]
"""


def test_uv_workspace_members_and_path_sources(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": UV_ROOT,
            "app/__init__.py": "import lib_a\nimport lib_x\n",
            "packages/a/pyproject.toml": lib("lib-a"),
            "packages/a/src/lib_a/__init__.py": "import lib_b\n",
            "packages/b/pyproject.toml": lib("lib-b", ["lib-a"]),
            "packages/b/src/lib_b/__init__.py": "X = 1\n",
            "packages/skip/pyproject.toml": lib("skip-me"),
            "packages/skip/skip_me/__init__.py": "import lib_a\n",
            "extra/x/pyproject.toml": lib("lib-x", ["lib-a"]),
            "extra/x/lib_x/__init__.py": "import lib_a\n",
        },
    )
    assert findings(root) == {
        ("undeclared-dependency", "packages/a/src/lib_a/__init__.py:1"),  # a member, found without a list
        ("unused-dependency", "packages/b/pyproject.toml:4"),
        # lib-a imports lib-b, which declares lib-a: a cycle over an import and a declaration
        ("distribution-cycle", "packages/a/src/lib_a/__init__.py:1"),
        # packages/skip is excluded from the workspace: not a distribution, not walked
    }


def poetry(name: str, deps: str = "", mode: str = "") -> str:
    head = f'[tool.poetry]\nname = "{name}"\nversion = "0"\n{mode}\n'
    return head + f'[tool.poetry.dependencies]\npython = "^3.10"\n{deps}'


def test_poetry_path_dependencies_followed_from_member_to_member(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": poetry(
                "root", 'a = { path = "libs/a", develop = true }\n', "package-mode = false"
            )
            + "\n[tool.depgraph]\n",
            "libs/a/pyproject.toml": poetry("a", 'b = { path = "../b" }\n'),
            "libs/a/a/__init__.py": "import b\n",
            "libs/b/pyproject.toml": poetry("b"),
            "libs/b/b/__init__.py": "def f():\n    import a\n",
            "libs/c/pyproject.toml": poetry("c"),  # named by nothing: not a distribution without a list
            "libs/c/c/__init__.py": "import a\n",
        },
    )
    assert findings(root) == {
        ("undeclared-dependency", "libs/b/b/__init__.py:2"),
        ("distribution-cycle", "libs/a/a/__init__.py:1"),
    }


def init(root: Path) -> subprocess.CompletedProcess[str]:
    return cli_inprocess.run(
        [DEPGRAPH, "init", "--root", str(root)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(root)},
        check=False,
    )


EXISTING = (
    '[project]\nname = "app"\nversion = "0"\ndependencies = ["lib-a"]\n\n[tool.ruff]\nline-length = 99\r\n'
)


def test_init_lists_distributions_keeps_every_byte_and_is_idempotent(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "libs/a/pyproject.toml": lib("lib-a"),
            "libs/a/lib_a/__init__.py": "import lib_b\n",
            "libs/a/tests/fixtures/proj/pyproject.toml": lib("fixture"),
            "libs/b/pyproject.toml": lib("lib-b"),
            "libs/b/lib_b/__init__.py": "",
            "tools/x/pyproject.toml": lib("tool-x"),
            "tools/x/tool_x.py": "",
            "tools/template/pyproject.toml": lib("<REPLACE ME>"),
            "app/__init__.py": "import lib_a\n",
        },
    )
    (root / "pyproject.toml").write_bytes(EXISTING.encode())
    done = init(root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "core: app (the root pyproject.toml is a distribution)",
        "first-party: libs/a (a pyproject.toml naming a distribution; listed in `distributions`)",
        "first-party: libs/b (a pyproject.toml naming a distribution; listed in `distributions`)",
        "first-party: tools/x (a pyproject.toml naming a distribution; listed in `distributions`)",
        "skipped: tools/template (tools/template/pyproject.toml: project.name: '<REPLACE ME>' is not a valid "
        "distribution name)",
        f"updated {root}/pyproject.toml: [tool.depgraph] added; next: depgraph check",
    ]
    written = (root / "pyproject.toml").read_bytes()
    assert written.startswith(EXISTING.encode())
    assert written[len(EXISTING) :].decode() == (
        "\n[tool.depgraph]\n"
        "# Written by `depgraph init`; every key is described in depgraph's README.\n"
        'distributions = [\n    "libs/*",\n    "tools/x",\n]\n'
    )
    again = init(root)
    assert again.returncode == 0
    assert again.stdout == f"{root}/pyproject.toml: [tool.depgraph] is already there: nothing changed\n"
    assert (root / "pyproject.toml").read_bytes() == written
    assert findings(root) == {("undeclared-dependency", "libs/a/lib_a/__init__.py:1")}


def test_init_on_a_uv_workspace_lists_nothing_and_creates_the_file_when_missing(tmp_path: Path) -> None:
    files = {
        "packages/a/pyproject.toml": lib("lib-a"),
        "packages/a/src/lib_a/__init__.py": "import lib_b\n",
        "packages/b/pyproject.toml": lib("lib-b"),
        "packages/b/src/lib_b/__init__.py": "",
    }
    root = make_repo(
        tmp_path / "uv", {"pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n'} | files
    )
    done = init(root)
    assert done.stdout.splitlines()[:3] == [
        "no core: the root has no pyproject.toml naming a distribution",
        "first-party: packages/a ([tool.uv.workspace] members 'packages/*'; found on every run, not listed)",
        "first-party: packages/b ([tool.uv.workspace] members 'packages/*'; found on every run, not listed)",
    ]
    assert (
        (root / "pyproject.toml")
        .read_text()
        .endswith(
            "\n[tool.depgraph]\n"
            "# Written by `depgraph init`; every key is described in depgraph's README.\n"
            "# The workspace and path dependencies name the other distributions.\n"
        )
    )
    assert findings(root) == {("undeclared-dependency", "packages/a/src/lib_a/__init__.py:1")}
    bare = make_repo(tmp_path / "bare", files)
    done = init(bare)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()[-1]
        == f"created {bare}/pyproject.toml: [tool.depgraph] added; next: depgraph check"
    )
    assert (bare / "pyproject.toml").read_text() == (
        "[tool.depgraph]\n"
        "# Written by `depgraph init`; every key is described in depgraph's README.\n"
        'distributions = [\n    "packages/*",\n]\n'
    )
    assert findings(bare) == {("undeclared-dependency", "packages/a/src/lib_a/__init__.py:1")}


def test_init_leaves_out_what_the_uv_workspace_excludes_and_says_why(tmp_path: Path) -> None:
    """A folder the workspace's `exclude` leaves out is no member: `init` does not list it (check would
    judge a project the workspace keeps apart), unless a path dependency names it, as every run finds it."""
    files = {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/seed*"]\n',
        "packages/a/pyproject.toml": lib("lib-a"),
        "packages/a/src/lib_a/__init__.py": "",
        "packages/seed/pyproject.toml": lib("seed"),
        "packages/seed/seed/__init__.py": "import nothing_declared\n",
        "packages/seed2/pyproject.toml": lib("seed-two"),
        "packages/seed2/seed_two/__init__.py": "",
        "packages/b/pyproject.toml": lib("lib-b") + '[tool.uv.sources]\nseed-two = { path = "../seed2" }\n',
        "packages/b/src/lib_b/__init__.py": "",
    }
    root = make_repo(tmp_path / "uv", files)
    done = init(root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:-1] == [
        "first-party: packages/a ([tool.uv.workspace] members 'packages/*'; found on every run, not listed)",
        "first-party: packages/b ([tool.uv.workspace] members 'packages/*'; found on every run, not listed)",
        "first-party: packages/seed2 (a path dependency in packages/b/pyproject.toml; found on every run, "
        "not listed)",
        "skipped: packages/seed ([tool.uv.workspace] exclude 'packages/seed*'; add it to `distributions` to "
        "check it all the same)",
    ]
    assert "distributions =" not in (root / "pyproject.toml").read_text()
    assert findings(root) == set()


def test_init_writes_in_the_line_endings_of_the_file(tmp_path: Path) -> None:
    """A pyproject.toml written with CRLF gets its table in CRLF too (every byte before it kept); a file of
    mostly LF lines keeps LF (the test above)."""
    head = b'[project]\r\nname = "root"\r\nversion = "0"\r\n# keep me\r\n'
    root = make_repo(tmp_path, {"libs/a/pyproject.toml": lib("lib-a"), "libs/a/lib_a/__init__.py": ""})
    (root / "pyproject.toml").write_bytes(head)
    assert init(root).returncode == 0
    text = (root / "pyproject.toml").read_bytes()
    assert text.startswith(head + b"\r\n[tool.depgraph]\r\n")
    assert b"\n" not in text.replace(b"\r\n", b"")
    assert findings(root) == set()


def test_pdm_file_urls_name_distributions(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "app"\nversion = "0"\n'
            'dependencies = ["lib-q @ file:///${PROJECT_ROOT}/libs/q"]\n'
            '[tool.pdm.dev-dependencies]\ndev = ["-e file:///${PROJECT_ROOT}/libs/r#egg=lib-r"]\n'
            "[tool.depgraph]\n",
            "app/__init__.py": "import lib_q\n",
            "libs/q/pyproject.toml": lib("lib-q"),
            "libs/q/lib_q/__init__.py": "",
            "libs/r/pyproject.toml": lib("lib-r"),
            "libs/r/lib_r/__init__.py": "import lib_q\n",
        },
    )
    assert findings(root) == {("undeclared-dependency", "libs/r/lib_r/__init__.py:1")}


def test_init_into_an_inline_tool_table_or_refuses_in_one_line(tmp_path: Path) -> None:
    files = {"libs/a/pyproject.toml": lib("lib-a"), "libs/a/lib_a/__init__.py": ""}
    inline = make_repo(
        tmp_path / "inline", files | {"pyproject.toml": "tool = { ruff = { line-length = 99 } }\n"}
    )
    assert init(inline).returncode == 0
    assert (inline / "pyproject.toml").read_text() == (
        'tool = { ruff = { line-length = 99 }, depgraph = {distributions = ["libs/a"]}}\n'
    )
    assert findings(inline) == set()
    odd = make_repo(tmp_path / "odd", files | {"pyproject.toml": 'tool = "not a table"\n'})
    done = init(odd)
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr
        == f"depgraph: error: {odd}/pyproject.toml: tool: cannot add a [tool.depgraph] table to it; "
        "add one by hand\n"
    )
    assert (odd / "pyproject.toml").read_text() == 'tool = "not a table"\n'
