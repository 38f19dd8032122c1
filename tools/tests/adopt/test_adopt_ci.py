"""The GitHub Actions files and the README's adoption snippets: linted by the real tools, shown unchanged.

actionlint checks the example workflows and, through a workflow that uses the action locally (`uses: ./`),
the inputs of action.yml; pre-commit validates the example configuration and the hooks manifest.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
EXAMPLES = PROJECT / "examples" / "ci"
SNIPPETS = ["pre-commit-config.yaml", "verify-deps.yml", "publish.yml", "uv-workspace.toml"]
HOOKS = ["depgraph-check", "depgraph-vendor-verify", "publish-verify-rules"]

SELF = """\
name: self
on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: ./
        with:
          python-version: "3.12"
          upload-sarif: "false"
{extra}"""


def tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN))
    if path is None:
        pytest.skip(f"{name} is not installed in this environment")
    return path


def actionlint(tmp_path: Path, extra: str = "") -> subprocess.CompletedProcess[str]:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for example in sorted(EXAMPLES.glob("*.yml")):
        shutil.copy(example, workflows / example.name)
    shutil.copy(PROJECT / "action.yml", tmp_path / "action.yml")
    (workflows / "self.yml").write_text(SELF.format(extra=extra), encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return subprocess.run(
        [tool("actionlint"), "-no-color"], cwd=tmp_path, capture_output=True, text=True, check=False
    )


def test_workflows_and_action_pass_actionlint(tmp_path: Path, git_env: dict[str, str]) -> None:
    result = actionlint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_an_input_the_action_lacks(tmp_path: Path, git_env: dict[str, str]) -> None:
    result = actionlint(tmp_path, extra="          no-such-input: 1\n")
    assert result.returncode == 1
    assert 'input "no-such-input" is not defined in action "staging monorepo checks"' in result.stdout


def test_pre_commit_files_are_valid_and_name_the_same_hooks() -> None:
    pre_commit = tool("pre-commit")
    for args in (
        ["validate-manifest", str(PROJECT / ".pre-commit-hooks.yaml")],
        ["validate-config", str(EXAMPLES / "pre-commit-config.yaml")],
    ):
        proc = subprocess.run([pre_commit, *args], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    config = yaml.safe_load((EXAMPLES / "pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in manifest] == HOOKS
    # The example declares the manifest's hooks locally (a monorepo that carries tools/): the same hooks,
    # run the same way, so what `pre-commit try-repo` proves of the manifest holds for the example.
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    keys = ("id", "name", "entry", "language", "pass_filenames", "always_run")
    assert [{k: hook[k] for k in keys} for hook in config["repos"][0]["hooks"]] == [
        {k: hook[k] for k in keys} for hook in manifest
    ]


def test_the_example_workflow_uses_the_action_at_the_root() -> None:
    workflow = yaml.safe_load((EXAMPLES / "verify-deps.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["verify-deps"]["steps"]
    assert [step.get("uses") for step in steps] == ["actions/checkout@v5", "./"]
    assert (PROJECT / "action.yml").is_file() and (PROJECT / "tools" / "pyproject.toml").is_file()
    assert '"$GITHUB_ACTION_PATH/tools"' in (PROJECT / "action.yml").read_text(encoding="utf-8")


def test_the_uv_snippet_is_this_repository_workspace() -> None:
    snippet = (EXAMPLES / "uv-workspace.toml").read_text(encoding="utf-8")
    assert snippet in (PROJECT / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SNIPPETS)
def test_readme_shows_each_snippet_unchanged(name: str) -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    fence = "toml" if name.endswith(".toml") else "yaml"
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    assert f"```{fence}\n{text}```\n" in readme
