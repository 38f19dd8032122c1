"""Build small monorepos in temporary folders for depgraph's tests.

``make_repo(tmp_path, files)`` writes each ``path: text`` (text dedented) and returns the root.
``monorepo_files()`` is a minimal, clean staging monorepo that tests copy and break in one way each.
"""

from __future__ import annotations

import textwrap
from pathlib import Path


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def pyproject(
    name: str, deps: list[str] | None = None, extras: dict[str, list[str]] | None = None, tool: str = ""
) -> str:
    lines = [
        "[project]",
        f'name = "{name}"',
        'version = "0.1.0"',
        f"dependencies = {deps or []!r}".replace("'", '"'),
    ]
    if extras:
        lines.append("[project.optional-dependencies]")
        lines += [f"{k} = {v!r}".replace("'", '"') for k, v in sorted(extras.items())]
    return "\n".join(lines) + "\n" + textwrap.dedent(tool)


ROOT_TOOL = """
[tool.depgraph]
staging = ["staging/*"]
vendor = "vendor"
"""


def monorepo_files() -> dict[str, str]:
    """A clean monorepo: core `app` (flat, root) on framework `fw`; providers `prov_a`, `prov_b` (src)."""
    return {
        "pyproject.toml": pyproject("app", ["fw"], {"a": ["prov-a"], "b": ["prov-b"]}, ROOT_TOOL),
        "app/__init__.py": "",
        "app/main.py": "import fw\nfrom fw import api\n\n\ndef run() -> None:\n    fw.api.load()\n",
        "staging/fw/pyproject.toml": pyproject("fw"),
        "staging/fw/fw/__init__.py": "from fw import api\n",
        "staging/fw/fw/api.py": "import importlib\n\n\ndef load() -> None:\n    pass\n",
        "staging/fw/tests/test_fw.py": "import fw\n",
        "staging/prov_a/pyproject.toml": pyproject("prov-a", ["fw>=0.1"]),
        "staging/prov_a/prov_a/__init__.py": "from fw.api import load\n",
        "staging/prov_b/pyproject.toml": pyproject("prov-b", ["fw"]),
        "staging/prov_b/src/prov_b/__init__.py": "from . import impl\n",
        "staging/prov_b/src/prov_b/impl.py": "import fw.api\n",
    }
