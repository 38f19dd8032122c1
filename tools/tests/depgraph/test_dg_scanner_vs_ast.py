"""The fast scanner against an extractor written here, apart from depgraph, over part of the stdlib.

`test_dg_stdlib_oracle` compares the scanner with depgraph's `ast` oracle, but both share depgraph's
import rules (`importrules`), so a mistake there would show in neither. The extractor below is a dozen
lines of plain `ast`, sharing nothing with depgraph: every `import` and `from ... import` statement,
relative ones resolved against the importer's package, as (imported module, line of the statement).
Dynamic imports (``__import__("x")``, ``importlib.import_module("x")``) are calls, not statements: the
scanner's records of that kind are left out of the comparison.
"""

from __future__ import annotations

import ast
import os
import sysconfig
from pathlib import Path

from depgraph.base.imports import ImportKind
from depgraph.extract import scanner

IMPORTER = "a.b.c.d.probe"  # deep enough that every relative import in the stdlib resolves


def independent_imports(tree: ast.AST, importer: str) -> set[tuple[str, int]]:
    package = importer.rsplit(".", 1)[0].split(".")
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add((target, node.lineno))
    return found


def _corpus() -> list[Path]:
    """Every 7th .py file of the standard library (a few hundred), in a fixed order."""
    root = sysconfig.get_paths()["stdlib"]
    files: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "dist-packages", "__pycache__"))
        files.extend(Path(folder) / n for n in sorted(names) if n.endswith(".py"))
    return files[::7]


def test_scanner_agrees_with_an_independent_ast_extractor() -> None:
    corpus = _corpus()
    assert len(corpus) > 200, f"only {len(corpus)} files"
    compared = imports = 0
    mismatches: list[str] = []
    for path in corpus:
        data = path.read_bytes()
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue  # files Python itself rejects (test data): no reference to compare with
        fast = scanner.extract(data, IMPORTER, False)
        if fast is None:  # the scanner hands this file to the oracle: nothing of its own to compare
            continue
        expected = independent_imports(tree, IMPORTER)
        got = {(r.module, r.line) for r in fast.records if not r.kind & ImportKind.DYNAMIC}
        compared += 1
        imports += len(expected)
        if got != expected:
            mismatches.append(
                f"{path}: scanner only {sorted(got - expected)[:3]}, ast only {sorted(expected - got)[:3]}"
            )
    assert mismatches == []
    assert compared > 200 and imports > 1000, (compared, imports)
