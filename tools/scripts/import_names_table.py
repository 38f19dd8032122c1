"""Write depgraph's table of import names (depgraph/discover/import_names_data.py) from installed metadata.

Usage: PYTHON tools/scripts/import_names_table.py [OUTPUT]
Run it with the interpreter of an environment where the distributions to record are installed (standard
library only, so any Python 3.10+ environment will do). For every installed distribution it reads which
import names it provides (top_level.txt, else RECORD; a folder without `__init__.py` is a namespace package,
so its portions are named one level down: protobuf -> google.protobuf) (a meta-package that provides no
module gets the names its unconditional requirements provide: apache-airflow -> airflow) and keeps those
that depgraph's name rules (`depgraph.discover.import_names.guesses`) would not find. The output is
deterministic.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import distributions
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
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


def main() -> None:
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
    for key in sorted(table):
        names = ", ".join(f'"{n}"' for n in sorted(table[key]))
        out.append(f'    "{key}": ({names},),')
    out.append("}")
    text = "\n".join(out) + "\n"
    default = HERE / "depgraph" / "discover" / "import_names_data.py"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    target.write_text(text, encoding="utf-8")
    print(f"wrote {len(table)} distributions to {target}")


if __name__ == "__main__":
    main()
