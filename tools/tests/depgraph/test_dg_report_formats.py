"""The four report formats: text layout, the JSON schema, GitHub annotations, SARIF against its schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cli_inprocess
import jsonschema
from dg_fixtures import make_repo, monorepo_files

from depgraph.base.model import Finding, Level
from depgraph.render.report import Report, render

DATA = Path(__file__).parent / "data"
JSON_SCHEMA = Path(__file__).parents[2] / "depgraph" / "render" / "report" / "findings.schema.json"
DEPGRAPH = str(Path(sys.executable).parent / "depgraph")

FINDINGS = tuple(
    sorted(
        [
            Finding(
                "import-cycle",
                Level.ERROR,
                "pkg/a.py",
                3,
                "import cycle at import time: pkg.a -> pkg.b -> pkg.a",
                text="import pkg.b",
                chain=(
                    "pkg.a -> pkg.b (pkg/a.py:3): import pkg.b",
                    "pkg.b -> pkg.a (pkg/b.py:1): import pkg.a",
                ),
                hint="move one import",
                key="pkg.a -> pkg.b -> pkg.a",
            ),
            Finding(
                "unused-dependency",
                Level.WARN,
                "pyproject.toml",
                7,
                "declares `x, y` but: 100% unused",
                text="x",
                key="x",
            ),
            Finding("stale-baseline", Level.WARN, "", 0, "baseline entry no longer occurs", key="k"),
        ]
    )
)
REPORT = Report(FINDINGS, ("import-cycle", "stale-baseline", "unused-dependency"), 3, 10, 42, suppressed=2)


def test_text_groups_by_check_with_a_summary_last() -> None:
    text = render("text", REPORT)
    assert text == (
        "import-cycle (1 error)\n"
        "  pkg/a.py:3: [error] import cycle at import time: pkg.a -> pkg.b -> pkg.a\n"
        "      import pkg.b\n"
        "      chain:\n"
        "        pkg.a -> pkg.b (pkg/a.py:3): import pkg.b\n"
        "        pkg.b -> pkg.a (pkg/b.py:1): import pkg.a\n"
        "      hint: move one import\n"
        "\n"
        "stale-baseline (1 warning)\n"
        "  <repository>: [warn] baseline entry no longer occurs\n"
        "\n"
        "unused-dependency (1 warning)\n"
        "  pyproject.toml:7: [warn] declares `x, y` but: 100% unused\n"
        "      x\n"
        "\n"
        "depgraph: 1 error, 2 warnings from 3 checks (3 distributions, 10 modules, 42 imports); "
        "2 suppressed\n"
    )
    assert "\x1b[" not in text
    assert "\x1b[31m" in render("text", REPORT, color=True)


def test_json_follows_its_schema_and_keeps_its_fields() -> None:
    data = json.loads(render("json", REPORT))
    jsonschema.Draft202012Validator(json.loads(JSON_SCHEMA.read_text())).validate(data)
    assert data["version"] == 1
    assert data["summary"] == {
        "errors": 1,
        "warnings": 2,
        "suppressed": 2,
        "baselined": 0,
        "distributions": 3,
        "modules": 10,
        "imports": 42,
        "checks_run": ["import-cycle", "stale-baseline", "unused-dependency"],
        "by_check": {"import-cycle": 1, "stale-baseline": 1, "unused-dependency": 1},
    }
    assert data["findings"][0] == {
        "check": "import-cycle",
        "level": "error",
        "path": "pkg/a.py",
        "line": 3,
        "message": "import cycle at import time: pkg.a -> pkg.b -> pkg.a",
        "text": "import pkg.b",
        "chain": ["pkg.a -> pkg.b (pkg/a.py:3): import pkg.b", "pkg.b -> pkg.a (pkg/b.py:1): import pkg.a"],
        "hint": "move one import",
        "key": "pkg.a -> pkg.b -> pkg.a",
    }


def test_github_annotations_escape_what_they_must() -> None:
    lines = render("github", REPORT).splitlines()
    assert lines == [
        "::error file=pkg/a.py,line=3,title=depgraph import-cycle::"
        "import cycle at import time: pkg.a -> pkg.b -> "
        "pkg.a%0Apkg.a -> pkg.b (pkg/a.py:3): import pkg.b%0Apkg.b -> pkg.a (pkg/b.py:1): import pkg.a%0A"
        "hint: move one import",
        "::warning title=depgraph stale-baseline::baseline entry no longer occurs",
        "::warning file=pyproject.toml,line=7,title=depgraph unused-dependency::"
        "declares `x, y` but: 100%25 unused",
        "depgraph: 1 error, 2 warnings from 3 checks (3 distributions, 10 modules, 42 imports); 2 suppressed",
    ]


def _validate_sarif(text: str) -> dict[str, object]:
    log = json.loads(text)
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    return log


def test_sarif_validates_against_the_official_schema() -> None:
    log = _validate_sarif(render("sarif", REPORT))
    run = log["runs"][0]  # type: ignore[index]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["import-cycle", "stale-baseline", "unused-dependency"]
    results = run["results"]
    assert [(r["ruleId"], r["level"], rules[r["ruleIndex"]]) for r in results] == [
        ("import-cycle", "error", "import-cycle"),
        ("stale-baseline", "warning", "stale-baseline"),
        ("unused-dependency", "warning", "unused-dependency"),
    ]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pkg/a.py" and location["region"]["startLine"] == 3
    assert "locations" not in results[1]


def test_sarif_and_github_from_the_real_cli(tmp_path: Path) -> None:
    files = monorepo_files()
    files["staging/fw/fw/api.py"] = "import importlib\nimport app.main\n"
    root = make_repo(tmp_path / "repo", files)

    def check(fmt: str) -> subprocess.CompletedProcess[str]:
        argv = [DEPGRAPH, "check", "--root", str(root), "--format", fmt]
        return cli_inprocess.run(argv, capture_output=True, text=True, check=False)

    sarif = check("sarif")
    assert sarif.returncode == 1
    log = _validate_sarif(sarif.stdout)
    results = log["runs"][0]["results"]  # type: ignore[index]
    assert {"staging-imports-core", "distribution-cycle"} <= {r["ruleId"] for r in results}
    github = check("github")
    assert github.returncode == 1
    assert (
        "::error file=staging/fw/fw/api.py,line=2,title=depgraph staging-imports-core::"
        "staging distribution `fw` "
        "imports the core: `app.main` (top-level import)%0Ahint: " in github.stdout
    )
    assert check("text").stdout == check("text").stdout  # deterministic
