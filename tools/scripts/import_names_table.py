"""Write depgraph's table of import names (depgraph/discover/import_names_data.py) from installed metadata.

Usage: python tools/scripts/import_names_table.py [--sources LIST] [--output FILE]
         installs the pinned list tools/scripts/import_names_sources.txt (each distribution --no-deps, from
         the package index pip is configured with) into a throwaway virtual environment, then runs itself
         there with --installed;
       PYTHON tools/scripts/import_names_table.py --installed [--output FILE]
         reads the environment of PYTHON as it is (standard library only, so any Python 3.10+ will do).
For every installed distribution it reads which import names it provides (top_level.txt, else RECORD; a
folder without `__init__.py` is a namespace package, so its portions are named one level down: protobuf ->
google.protobuf; a meta-package that provides no module gets the names its unconditional requirements
provide: apache-airflow -> airflow) and keeps those that depgraph's name rules
(`depgraph.discover.import_names.guesses`) would not find. The output is deterministic, and laid out as
`ruff format` would.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from importlib.metadata import distributions
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
SOURCES = Path(__file__).resolve().with_name("import_names_sources.txt")
DEFAULT = HERE / "depgraph" / "discover" / "import_names_data.py"
sys.path.insert(0, str(HERE))

from depgraph.discover.import_names import guesses  # noqa: E402


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def provided(files: list[str]) -> set[str]:
    """Dotted import names of a distribution's files: top-level modules and packages; below a folder
    without `__init__.py` (a namespace), its children."""
    paths = [p for p in files if p.endswith((".py", ".so", ".pyd")) and "__pycache__" not in p]
    present = set(paths)
    found: set[str] = set()
    for path in paths:
        parts = path.split("/")
        if ".." in parts or parts[0].endswith((".dist-info", ".egg-info", ".data")):
            continue
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if not all(p.isidentifier() for p in parts[:depth]):
                break
            if f"{folder}/__init__.py" in present or any(
                f"{folder}/__init__." in p for p in present if p.startswith(f"{folder}/__init__.")
            ):
                found.add(".".join(parts[:depth]))
                break
        else:
            stem = parts[-1].split(".")[0]
            if stem.isidentifier() and stem != "__init__":
                found.add(".".join([*parts[:-1], stem]))
    return found


def _public(name: str) -> bool:
    """Worth recording: not an editable-install finder, not a mypyc helper (private modules stay: a
    namespace portion such as `opentelemetry._logs` is imported by name)."""
    return not name.startswith("__") and "__mypyc" not in name


def _requirements(requires: list[str] | None) -> list[str]:
    """The names a distribution requires unconditionally (no marker)."""
    found = []
    for line in requires or ():
        if ";" in line:
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line.strip())
        if match:
            found.append(_normalize(match.group(0)))
    return found


def write_installed(target: Path) -> None:
    """Write the table of the running interpreter's installed distributions to `target`."""
    table: dict[str, set[str]] = {}
    sources: set[str] = set()
    installed = [d for d in distributions() if d.metadata["Name"]]
    own: dict[str, set[str]] = {}
    for dist in installed:
        own[_normalize(dist.metadata["Name"])] = {n for n in provided([str(f) for f in dist.files or ()])}
    for dist in installed:
        name = dist.metadata["Name"]
        if dist.read_text("direct_url.json") is not None:
            continue  # installed from a folder or a URL, not a release from the index
        names = {n for n in own[_normalize(name)] if _public(n)}
        if not names:
            # a meta-package (apache-airflow 3, u8darts): what its unconditional requirements provide
            for required in _requirements(dist.requires):
                names |= {n for n in own.get(required, ()) if _public(n)}
        if not names:
            continue
        key = _normalize(name)
        rules = {g.lower() for g in guesses(key)}
        if all(n.lower() in rules for n in names):
            continue
        sources.add(f"{name}=={dist.version}")
        table.setdefault(key, set()).update(names)
    out = [
        '"""Import names of common distributions whose names do not say them (generated: do not edit).',
        "",
        "Written by tools/scripts/import_names_table.py from the installed metadata (RECORD) of these",
        "distributions, installed with pip from PyPI into a throwaway environment:",
    ]
    line = ""
    for source in sorted(sources, key=str.lower):
        if len(line) + len(source) > 108:
            out.append(line.rstrip())
            line = ""
        line += source + " "
    out += [line.rstrip(), '"""', "", "TABLE: dict[str, tuple[str, ...]] = {"]
    for key in sorted(table):  # as `ruff format` lays it out: one name on the key's line, else one a line
        ordered = sorted(table[key])
        if len(ordered) == 1:
            out.append(f'    "{key}": ("{ordered[0]}",),')
        else:
            out += [f'    "{key}": (', *(f'        "{n}",' for n in ordered), "    ),"]
    out.append("}")
    text = "\n".join(out) + "\n"
    target.write_text(text, encoding="utf-8")
    print(f"wrote {len(table)} distributions to {target}")


def write_from_sources(target: Path, sources: Path) -> None:
    """Install the pinned list `sources` into a throwaway environment and write its table from there."""
    with tempfile.TemporaryDirectory(prefix="import-names-") as tmp:
        venv = Path(tmp) / "venv"
        python = venv / "bin" / "python"
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-r", str(sources)],
            [str(python), str(Path(__file__).resolve()), "--installed", "--output", str(target.resolve())],
        ]
        for step in steps:
            print("+", " ".join(step), flush=True)
            if subprocess.run(step, check=False).returncode != 0:
                sys.exit(f"import_names_table: failed: {' '.join(step)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--installed", action="store_true", help="read the running environment as it is")
    parser.add_argument("--sources", type=Path, default=SOURCES, help="the list (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=DEFAULT, help="where to write (default: %(default)s)")
    args = parser.parse_args()
    if args.installed:
        write_installed(args.output)
    else:
        write_from_sources(args.output, args.sources)


if __name__ == "__main__":
    main()
