"""Lay out an environment's installed distributions as a monorepo, one folder per distribution.

Usage: python site_monorepo.py PYTHON OUTPUT
PYTHON is the interpreter of a throwaway environment with many real packages installed from PyPI (e.g.
`python -m venv /tmp/env && /tmp/env/bin/pip install jupyter django sympy boto3 pandas scipy ...`; see
`depgraph_scale.py`). For every distribution installed there (read from its `*.dist-info` folder: METADATA
and RECORD), OUTPUT/dists/<name>/ gets its Python files under `src/` as RECORD lists them, and a
pyproject.toml generated from METADATA: `[project].name` and `version`, `Requires-Dist` without an extra
marker as `dependencies`, those with one under `[project.optional-dependencies]`. The root pyproject.toml
lists `dists/*` as first-party distributions and has no core. So the imports and the declarations are
real: what the packages' authors wrote.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from email.parser import HeaderParser
from pathlib import Path

_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def _site_packages(python: str) -> list[Path]:
    code = "import json, site; print(json.dumps(site.getsitepackages()))"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    return [Path(p) for p in json.loads(out)]


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lay_out(python: str, output: Path) -> tuple[int, int]:
    """Write the monorepo; returns (distributions, Python files)."""
    dists = output / "dists"
    if output.exists():
        shutil.rmtree(output)
    dists.mkdir(parents=True)
    (output / "pyproject.toml").write_text(
        '[tool.depgraph]\ndistributions = ["dists/*"]\ncache-dir = ".depgraph-cache"\n', encoding="utf-8"
    )
    count = files = 0
    for site in _site_packages(python):
        for info in sorted(site.glob("*.dist-info")):
            meta = HeaderParser().parsestr((info / "METADATA").read_text(encoding="utf-8", errors="replace"))
            record = info / "RECORD"
            if not meta["Name"] or not record.is_file():
                continue
            sources = []
            for line in record.read_text(encoding="utf-8").splitlines():
                path = line.rsplit(",", 2)[0].strip('"')
                inside = not path.startswith("..") and ".dist-info/" not in path
                if path.endswith(".py") and inside and (site / path).is_file():
                    sources.append(path)
            if not sources:
                continue
            folder = dists / _normalize(meta["Name"])
            for path in sources:
                target = folder / "src" / path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(site / path, target)
            runtime: list[str] = []
            extras: dict[str, list[str]] = {}
            for requirement in meta.get_all("Requires-Dist") or []:
                match = _EXTRA.search(requirement)
                if match:
                    extras.setdefault(_normalize(match.group(1)), []).append(requirement)
                else:
                    runtime.append(requirement)
            lines = [
                "[project]",
                f"name = {_toml_string(meta['Name'])}",
                f"version = {_toml_string(meta['Version'] or '0')}",
                "dependencies = [",
                *(f"    {_toml_string(r)}," for r in runtime),
                "]",
            ]
            if extras:
                lines.append("[project.optional-dependencies]")
                lines += [
                    f"{_toml_string(k)} = [{', '.join(map(_toml_string, v))}]" for k, v in extras.items()
                ]
            (folder / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
            count += 1
            files += len(sources)
    return count, files


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    count, files = lay_out(sys.argv[1], Path(sys.argv[2]))
    print(f"site_monorepo: {count} distributions, {files} Python files in {sys.argv[2]}")


if __name__ == "__main__":
    main()
