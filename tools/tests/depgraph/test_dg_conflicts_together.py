"""conflicting-requirements compares only requirements installed into one environment: those of one
distribution, of distributions tied by a declaration, of the members of one uv workspace, of the core with
its staging packages. On kedro-plugins (four plugins in one repository, each installed and tested alone,
no workspace) `black~=24.0` in one plugin's test extra against `black~=22.0` in another's was reported
three times, though no environment ever holds both. Through the real CLI; exact findings.
"""

from __future__ import annotations

import json
from pathlib import Path

from dg_fixtures import make_repo
from test_dg_backends_cli import findings


def lib(name: str, deps: list[str], extras: dict[str, list[str]]) -> str:
    text = f'[project]\nname = "{name}"\nversion = "0"\ndependencies = {json.dumps(deps)}\n'
    text += "[project.optional-dependencies]\n"
    return text + "".join(f"{k} = {json.dumps(v)}\n" for k, v in sorted(extras.items()))


def plugins(root: Path, head: str) -> Path:
    return make_repo(
        root,
        {
            "pyproject.toml": head,
            # alone: nothing ties these two together
            "airflow/pyproject.toml": lib("p-airflow", [], {"test": ["black~=24.0"]}),
            "airflow/p_airflow/__init__.py": "",
            "docker/pyproject.toml": lib("p-docker", [], {"lint": ["black~=22.0"]}),
            "docker/p_docker/__init__.py": "",
            # tied to p-docker's lint extra by a declaration (in an extra): installed with it
            "tele/pyproject.toml": lib("p-tele", [], {"all": ["p-docker[lint]"], "lint": ["black>=23"]}),
            # requires p-docker itself (as kedro-airflow's test extra requires kedro-datasets): that brings
            # p-docker's runtime requirements, not its lint extra, so its black is never beside this one
            "flow/pyproject.toml": lib("p-flow", [], {"test": ["p-docker"], "lint": ["black~=24.0"]}),
            "flow/p_flow/__init__.py": "",
            "tele/p_tele/__init__.py": "",
            # one distribution's own extras conflict: `.[xml,test]` cannot be installed
            "data/pyproject.toml": lib("p-data", [], {"xml": ["lxml~=4.6"], "test": ["lxml~=5.0"]}),
            "data/p_data/__init__.py": "",
        },
    )


def test_only_requirements_installed_together_conflict(tmp_path: Path) -> None:
    listed = "[tool.depgraph]\ndistributions = ['airflow', 'docker', 'tele', 'data', 'flow']\n"
    root = plugins(tmp_path / "listed", listed)
    assert findings(root) == {
        ("conflicting-requirements", "data/pyproject.toml:7"),  # lxml: xml against test
        ("conflicting-requirements", "tele/pyproject.toml:7"),  # black: p-tele against p-docker[lint]
    }
    # one uv workspace: one lock resolves every member with all its extras, so every black meets the others
    workspace = (
        '[project]\nname = "root"\nversion = "0"\n[tool.uv]\npackage = false\n'
        "[tool.uv.workspace]\nmembers = ['airflow', 'docker', 'tele', 'data', 'flow']\n[tool.depgraph]\n"
    )
    root = plugins(tmp_path / "workspace", workspace)
    assert findings(root) == {
        ("conflicting-requirements", "data/pyproject.toml:7"),
        ("conflicting-requirements", "docker/pyproject.toml:6"),  # p-airflow ~=24 against p-docker ~=22
        ("conflicting-requirements", "flow/pyproject.toml:6"),  # p-docker ~=22 against p-flow ~=24
        ("conflicting-requirements", "tele/pyproject.toml:7"),  # p-docker ~=22 against p-tele >=23
    }


def test_the_core_and_its_staging_packages_are_installed_together(tmp_path: Path) -> None:
    """The staging model installs the core and every staging package into one environment (vendor/), so
    two staging packages conflict even when neither declares the other and the core declares neither."""
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": lib("app", [], {}) + "[tool.depgraph]\nstaging = ['staging/*']\n",
            "app/__init__.py": "",
            "staging/a/pyproject.toml": lib("s-a", ["click>=9"], {}),
            "staging/a/s_a/__init__.py": "import click\n",
            "staging/b/pyproject.toml": lib("s-b", ["click<8"], {}),
            "staging/b/s_b/__init__.py": "import click\n",
        },
    )
    assert findings(root) == {("conflicting-requirements", "staging/b/pyproject.toml:4")}
