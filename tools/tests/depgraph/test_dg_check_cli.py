"""`depgraph check` through its command line on temporary copies of a clean monorepo, each broken in one way:
a real subprocess for each exit code (0, 1, 2), in this process (cli_inprocess) for the rest."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cli_inprocess
import pytest
from dg_fixtures import ROOT_TOOL, make_repo, monorepo_files, pyproject

DEPGRAPH = str(Path(sys.executable).parent / "depgraph")


def run(root: Path, *args: str, process: bool = False) -> subprocess.CompletedProcess[str]:
    """`depgraph check` in this process (cli_inprocess), or with `process` as a real subprocess."""
    return (subprocess.run if process else cli_inprocess.run)(
        [DEPGRAPH, "check", "--root", str(root), "--no-cache", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(root)},
        check=False,
    )


def build(tmp_path: Path, changes: dict[str, str]) -> Path:
    files = monorepo_files()
    files.update(changes)
    return make_repo(tmp_path / "repo", files)


def test_clean_monorepo_exits_0(tmp_path: Path) -> None:
    done = run(build(tmp_path, {}), process=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("depgraph: no findings from ")
    assert "(4 distributions, 8 modules" in done.stdout


def test_staging_imports_core(tmp_path: Path) -> None:
    api = "import importlib\n\n\ndef load() -> None:\n    from app import main\n"
    done = run(build(tmp_path, {"staging/fw/fw/api.py": api}), process=True)
    assert done.returncode == 1, done.stdout + done.stderr
    # fw -> app is also a distribution cycle (app -> fw -> app) and undeclared: each check says so separately
    assert "staging-imports-core (1 error)" in done.stdout
    assert "distribution-cycle (1 error)" in done.stdout
    assert (
        "  staging/fw/fw/api.py:5: [error] staging distribution `fw` imports the core: "
        "`app.main` (deferred import)" in done.stdout
    )
    assert "      from app import main\n" in done.stdout
    assert "# depgraph: ignore[staging-imports-core] <reason>" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("depgraph: 3 errors, 0 warnings from 9 checks (")


def test_distribution_cycle(tmp_path: Path) -> None:
    changes = {
        "staging/fw/pyproject.toml": pyproject("fw", ["prov-b"]),
        "staging/fw/fw/api.py": "import importlib\n\nimport prov_b.impl\n\n\ndef load() -> None:\n    pass\n",
    }
    done = run(build(tmp_path, changes))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "distribution-cycle (1 error)" in done.stdout
    assert (
        "staging/fw/fw/api.py:3: [error] distributions depend on one another in a cycle: fw -> prov-b -> fw"
        in (done.stdout)
    )
    assert (
        "fw -> prov-b (import): fw.api -> prov_b.impl (staging/fw/fw/api.py:3): import prov_b.impl"
        in done.stdout
    )
    assert (
        "prov-b -> fw (import): prov_b.impl -> fw.api (staging/prov_b/src/prov_b/impl.py:1): import fw.api"
        in done.stdout
    )
    # the same cycle is also an import-time cycle between the modules: reported separately
    assert "import-cycle (1 error)" in done.stdout


def test_import_cycle(tmp_path: Path) -> None:
    done = run(build(tmp_path, {"staging/prov_b/src/prov_b/impl.py": "import fw.api\nimport prov_b\n"}))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "import-cycle (1 error)" in done.stdout
    assert (
        "staging/prov_b/src/prov_b/__init__.py:1: [error] import cycle at import time: "
        "prov_b -> prov_b.impl -> prov_b" in done.stdout
    )
    assert "prov_b.impl -> prov_b (staging/prov_b/src/prov_b/impl.py:2): import prov_b" in done.stdout
    assert "distribution-cycle" not in done.stdout


def test_package_importing_its_submodule_is_not_a_cycle(tmp_path: Path) -> None:
    changes = {
        "staging/prov_b/src/prov_b/impl.py": "import fw.api\n\n\ndef f() -> None:\n    import prov_b\n"
    }
    done = run(build(tmp_path, changes))
    assert done.returncode == 0, done.stdout


def test_undeclared_and_unused_dependencies(tmp_path: Path) -> None:
    changes = {
        "staging/prov_a/pyproject.toml": pyproject("prov-a", ["fw>=0.1", "packaging>=20"]),
        "staging/prov_a/prov_a/__init__.py": (
            "from fw.api import load\nimport prov_b\nimport click\nimport nosuchthing\n"
        ),
    }
    # click's owner is read from this test's own environment, named with --python
    done = run(build(tmp_path, changes), "--python", sys.executable)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "undeclared-dependency (3 errors)" in done.stdout
    out = done.stdout
    assert (
        "staging/prov_a/prov_a/__init__.py:2: [error] `prov-a` imports `prov_b` from distribution `prov-b`"
        in out
    )
    assert (
        "staging/prov_a/prov_a/__init__.py:3: [error] `prov-a` imports `click` from distribution `click`"
        in out
    )
    assert (
        "staging/prov_a/prov_a/__init__.py:4: [error] `prov-a` imports `nosuchthing`, which no distribution"
        " installed in the given environment or declared provides (its owner is unknown)" in out
    )
    assert "unused-dependency (1 warning)" in out
    assert "staging/prov_a/pyproject.toml:4: [warn] `prov-a` declares `packaging>=20`" in out


def test_warning_level_exits_0(tmp_path: Path) -> None:
    changes = {"staging/prov_a/pyproject.toml": pyproject("prov-a", ["fw>=0.1", "packaging>=20"])}
    done = run(build(tmp_path, changes))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[warn]" in done.stdout and "depgraph: 0 errors, 1 warning from 9 checks" in done.stdout


ROOT_WITH = (
    ROOT_TOOL
    + """
[tool.depgraph.checks]
{checks}

[[tool.depgraph.restrictions]]
name = "core-no-providers"
from = ["app"]
allow = ["fw"]
deny = ["prov-*"]
"""
)


def _root(checks: str = "") -> str:
    return pyproject("app", ["fw"], {"a": ["prov-a"], "b": ["prov-b"]}, ROOT_WITH.format(checks=checks))


def test_restriction(tmp_path: Path) -> None:
    main = "import fw\nfrom fw import api\nimport prov_a\n"
    done = run(build(tmp_path, {"pyproject.toml": _root(), "app/main.py": main}))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "restriction (1 error)" in done.stdout
    assert (
        "app/main.py:3: [error] `app.main` (app) may not import `prov_a` (prov-a, top-level import): "
        "restriction `core-no-providers`" in (done.stdout)
    )


def test_level_warn_and_off_from_config(tmp_path: Path) -> None:
    main = "import fw\nfrom fw import api\nimport prov_a\n"
    warn = run(build(tmp_path / "w", {"pyproject.toml": _root('restriction = "warn"'), "app/main.py": main}))
    assert warn.returncode == 0 and "app/main.py:3: [warn]" in warn.stdout
    off = run(build(tmp_path / "o", {"pyproject.toml": _root('restriction = "off"'), "app/main.py": main}))
    assert off.returncode == 0 and "restriction" not in off.stdout
    assert off.stdout.startswith("depgraph: no findings from 8 checks")


def test_conflicting_requirements(tmp_path: Path) -> None:
    changes = {
        "staging/prov_a/pyproject.toml": pyproject("prov-a", ["fw>=0.1", "click>=99"]),
        "staging/prov_b/pyproject.toml": '[project]\nname = "prov-b"\nversion = "1"\n'
        'dependencies = [\n  "fw",\n  "click<8; python_version >= \'3\'",\n]\n',
        "staging/prov_a/prov_a/__init__.py": "from fw.api import load\nimport click\n",
        "staging/prov_b/src/prov_b/impl.py": "import fw.api\nimport click\n",
    }
    done = run(build(tmp_path, changes))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "conflicting-requirements (1 error)" in done.stdout
    assert (
        "staging/prov_b/pyproject.toml:6: [error] no version of `click` satisfies "
        "`>=99` (prov-a) and `<8` (prov-b)" in done.stdout
    )
    assert "prov-a requires `click>=99` (staging/prov_a/pyproject.toml:4)" in done.stdout


def test_markers_false_here_do_not_conflict(tmp_path: Path) -> None:
    changes = {
        "staging/prov_a/pyproject.toml": '[project]\nname = "prov-a"\nversion = "1"\n'
        'dependencies = ["fw>=0.1", "click>=99; python_version < \'3\'"]\n',
        "staging/prov_b/pyproject.toml": pyproject("prov-b", ["fw", "click<8"]),
        "staging/prov_b/src/prov_b/impl.py": "import fw.api\nimport click\n",
    }
    done = run(build(tmp_path, changes))
    assert done.returncode == 0, done.stdout + done.stderr


def test_suppression_with_and_without_reason(tmp_path: Path) -> None:
    api = (
        "import importlib\nfrom app import main  # depgraph: ignore[staging-imports-core] moving out in #42\n"
        "import app  # depgraph: ignore[staging-imports-core]\n"
        "import fw  # depgraph: ignore[import-cylce] typo\n"
        "import fw.api  # depgraph: ignore[import-cycle] there is no cycle here\n"
    )
    done = run(build(tmp_path, {"staging/fw/fw/api.py": api}))
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "staging/fw/fw/api.py:2: [error] staging" not in out
    assert "staging/fw/fw/api.py:3: [error] staging distribution `fw` imports the core" in out
    assert "staging/fw/fw/api.py:3: [error] suppression of `staging-imports-core` without a reason" in out
    assert "staging/fw/fw/api.py:4: [warn] suppression names an unknown check `import-cylce`" in out
    assert "staging/fw/fw/api.py:5: [warn] suppression of `import-cycle` is not needed" in out
    assert out.rstrip().endswith("1 suppressed")


def test_parse_error_is_a_finding_and_the_rest_goes_on(tmp_path: Path) -> None:
    root = build(tmp_path, {"staging/fw/fw/api.py": "import app\n"})
    (root / "app/broken.py").write_bytes(b"import os\n\xff = 1\n")
    done = run(root)
    assert done.returncode == 1
    assert "parse-error (1 error)" in done.stdout
    assert "app/broken.py:2: [error] cannot read imports" in done.stdout
    assert "staging/fw/fw/api.py:1: [error] staging distribution `fw` imports the core" in done.stdout


_PY2 = "import os\n\n\ndef show():\n    print 'x'\n"
_OUTSIDE = "import os\n\nreturn 1\n"
_WARNING_ONLY = 'import os\n\nPATTERN = "\\d+"\n'  # SyntaxWarning (invalid escape), not an error
_NEAR_IMPORT = "import os,\n\n\ndef show():\n    print 'x'\n"  # the import statement itself is broken


def _syntax_repo(tmp_path: Path, tool: str = "") -> Path:
    files = {"app/py2.py": _PY2, "app/ret.py": _OUTSIDE, "app/warn.py": _WARNING_ONLY}
    files["app/near.py"] = _NEAR_IMPORT
    files["pyproject.toml"] = pyproject("app", ["fw"], {"a": ["prov-a"], "b": ["prov-b"]}, ROOT_TOOL + tool)
    return build(tmp_path, files)


def test_syntax_errors_far_from_imports_are_findings_with_the_full_syntax_check(tmp_path: Path) -> None:
    """The scanner never reads those lines; `full-syntax-check = true` compiles every file."""
    done = run(_syntax_repo(tmp_path, "full-syntax-check = true\n"))
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "parse-error (3 errors)" in out
    assert "app/near.py:1: [error] cannot read imports: invalid syntax" in out
    assert "app/py2.py:5: [error] syntax error: Missing parentheses in call to 'print'" in out
    assert "app/ret.py:3: [error] syntax error: 'return' outside function" in out
    assert "warn.py" not in out
    assert done.stderr == ""


def test_without_the_full_syntax_check_only_errors_the_import_scan_meets(tmp_path: Path) -> None:
    """The default: a syntax error in an import statement is a finding (CPython's message), one far from
    every import is not."""
    for tool in ("", "full-syntax-check = false\n"):
        root = _syntax_repo(tmp_path / (tool[:4] or "default"), tool)
        done = run(root)
        assert done.returncode == 1, done.stdout + done.stderr
        out = done.stdout
        assert "parse-error (1 error)" in out
        assert "app/near.py:1: [error] cannot read imports: invalid syntax" in out
        assert "py2.py" not in out
        assert "ret.py" not in out


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[tool.depgraph]\nstaging = ["staging/*"]\nbogus = 1\n', "tool.depgraph.bogus: unknown key"),
        ('[tool.depgraph]\nstaging = ["staging/*"\n', "invalid TOML"),
        (
            '[tool.depgraph]\nstaging = ["staging/*"]\n[tool.depgraph.checks]\nimport-cycle = "loud"\n',
            "import-cycle",
        ),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(tmp_path: Path, text: str, needle: str) -> None:
    done = run(
        build(tmp_path, {"pyproject.toml": pyproject("app", ["fw"]) + text}), process=needle == "import-cycle"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and needle in done.stderr and "pyproject.toml" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_only_check_is_usage_error(tmp_path: Path) -> None:
    done = run(build(tmp_path, {}), "--only", "nope")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "nope" in done.stderr


def test_json_output_is_valid_and_to_a_file(tmp_path: Path) -> None:
    root = build(tmp_path, {"staging/fw/fw/api.py": "import app\n"})
    out = tmp_path / "report.json"
    done = run(root, "--format", "json", "-o", str(out))
    assert done.returncode == 1
    assert done.stdout.startswith("depgraph: 3 errors, 0 warnings from 9 checks")
    data = json.loads(out.read_text())
    assert data["summary"]["errors"] == 3
    assert ("staging-imports-core", "staging/fw/fw/api.py", 1) in {
        (f["check"], f["path"], f["line"]) for f in data["findings"]
    }


REPO = Path(__file__).resolve().parents[3]


def test_this_repository_keeps_the_core_vendor_neutral_and_providers_apart(tmp_path: Path) -> None:
    """This repository's own restrictions, on a copy of it with two planted violations."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, text=True, check=True
    ).stdout
    copy = tmp_path / "repo"
    for rel in filter(None, listed.split("\0")):
        source, target = REPO / rel, copy / rel
        if not (source.exists() or source.is_symlink()):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        else:
            shutil.copyfile(source, target)
    (copy / "cloud_controller_manager/planted.py").write_text('"""Planted."""\n\nimport cloud_provider_aws\n')
    fake = next(
        p.parent
        for p in (copy / "staging/cloud_provider_fake").rglob("__init__.py")
        if "tests" not in p.parts
    )
    (fake / "planted.py").write_text(
        "import importlib\n\nimportlib.import_module('cloud_provider_baremetal')\n"
    )
    done = run(copy, "--only", "restriction")
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "cloud_controller_manager/planted.py:3: [error] `cloud_controller_manager.planted` "
        "(cloud-controller-manager) may not import `cloud_provider_aws` "
        "(cloud-provider-aws, top-level import): "
        "restriction `vendor-neutral-core`"
    ) in done.stdout
    fake_rel = (fake / "planted.py").relative_to(copy).as_posix()
    assert f"{fake_rel}:3: [error]" in done.stdout and "restriction `providers-stand-alone`" in done.stdout
    assert "restriction (2 errors)" in done.stdout


def test_tests_folders_count_only_with_include_tests(tmp_path: Path) -> None:
    changes = {"staging/fw/tests/test_fw.py": "import fw\nimport app.main\n"}
    assert run(build(tmp_path / "a", changes)).returncode == 0
    root_text = pyproject(
        "app", ["fw"], {"a": ["prov-a"], "b": ["prov-b"]}, ROOT_TOOL + "include-tests = true\n"
    )
    done = run(build(tmp_path / "b", {**changes, "pyproject.toml": root_text}))
    assert done.returncode == 1
    assert "staging/fw/tests/test_fw.py:2: [error] staging distribution `fw` imports the core" in done.stdout


def test_only_and_color(tmp_path: Path) -> None:
    root = build(tmp_path, {"staging/fw/fw/api.py": "import app\n"})
    only = run(root, "--only", "staging-imports-core")
    assert only.returncode == 1 and "distribution-cycle" not in only.stdout
    assert "\x1b[" not in only.stdout
    assert "\x1b[31m" in run(root, "--only", "staging-imports-core", "--color").stdout
