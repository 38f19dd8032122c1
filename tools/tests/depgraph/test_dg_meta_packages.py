"""First-party meta-packages: declaring a first-party distribution that ships no modules counts as declaring
the first-party distributions it requires (through chains of them, in the extras the requirement names),
and such a requirement is used when one of those is imported. Modelled on pydantic-ai, whose `clai`
declares the meta-package `pydantic-ai`, which requires `pydantic-ai-slim`, the holder of `pydantic_ai`.
Through the real CLI; exact findings.
"""

from __future__ import annotations

import json
from pathlib import Path

from dg_fixtures import make_repo
from test_dg_backends_cli import messages

HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def meta(name: str, deps: list[str], extras: dict[str, list[str]] | None = None) -> str:
    """A hatch meta-package: `bypass-selection = true` and nothing selected, so it ships no code."""
    text = lib(name, deps)
    if extras:
        text += "[project.optional-dependencies]\n"
        text += "".join(f"{k} = {json.dumps(v)}\n" for k, v in sorted(extras.items()))
    return text + HATCH + "[tool.hatch.build.targets.wheel]\nbypass-selection = true\n"


def lib(name: str, deps: list[str]) -> str:
    return f'[project]\nname = "{name}"\nversion = "0"\ndependencies = {json.dumps(deps)}\n'


def repo(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path,
        {
            "pyproject.toml": "[tool.depgraph]\ndistributions = ['libs/*']\n",
            "libs/slim/pyproject.toml": lib("slim-lib", []),
            "libs/slim/slim_lib/__init__.py": "",
            "libs/slim/slim_lib/_cli.py": "",
            "libs/other/pyproject.toml": lib("other-lib", []),
            "libs/other/other_lib/__init__.py": "",
            "libs/never/pyproject.toml": lib("never-lib", []),
            "libs/never/never_lib/__init__.py": "",
            # meta-all -> meta-mid -> slim-lib; meta-all[extra-one] also brings other-lib; requests is
            # third-party, so declaring meta-all does not declare it
            "libs/meta/pyproject.toml": meta(
                "meta-all", ["Meta_Mid", "requests>=2"], {"extra-one": ["other-lib"]}
            ),
            "libs/mid/pyproject.toml": meta("meta-mid", ["slim-lib", "never-lib; python_version < '3'"]),
            # through the chain: slim_lib is declared, other_lib (an extra not asked for) and requests not
            "libs/cli/pyproject.toml": lib("cli-app", ["meta-all>=0"]),
            "libs/cli/cli_app/__init__.py": ("import slim_lib._cli\nimport other_lib\nimport requests\n"),
            # the extra asked for: other_lib is declared, and the requirement is used by it alone
            "libs/cli2/pyproject.toml": lib("cli-two", ["meta-all[Extra_One]"]),
            "libs/cli2/cli_two/__init__.py": "import other_lib\n",
            # markers: never-lib counts as declared (as a requirement of the importer's own would, whatever
            # its marker), but only slim-lib makes the requirement used here, and it is not imported
            "libs/cli3/pyproject.toml": lib("cli-three", ["meta-mid"]),
            "libs/cli3/cli_three/__init__.py": "import never_lib\n",
        },
    )


def test_a_first_party_meta_package_declares_what_it_requires(tmp_path: Path) -> None:
    found = messages(repo(tmp_path))
    assert {key: text.partition(" | ")[0] for key, text in found.items()} == {
        ("undeclared-dependency", "libs/cli/cli_app/__init__.py:2"): (
            "`cli-app` imports `other_lib` from distribution `other-lib`, which it does not declare"
        ),
        ("undeclared-dependency", "libs/cli/cli_app/__init__.py:3"): (
            "`cli-app` imports `requests` from distribution `requests`, which it does not declare"
        ),
        ("unused-dependency", "libs/cli3/pyproject.toml:4"): (
            "`cli-three` declares `meta-mid` in [project].dependencies, but none of its modules imports it"
        ),
    }
