"""What one source file imports: the records the rest of depgraph builds on.

This module fixes the contract between the extractor and the graph. ``extract`` turns the bytes of one
file into ``ImportRecord``s; the graph resolves them against the modules it knows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ImportKind(str, enum.Enum):
    """When an import runs, which decides what breaks if its target is missing or cyclic."""

    TOP_LEVEL = "top-level"  # runs when the importing module is imported
    DEFERRED = "deferred"  # inside a function or method body
    TYPE_CHECKING = "type-checking"  # under `if TYPE_CHECKING:` (or typing.TYPE_CHECKING, aliases)
    GUARDED = "guarded"  # inside `try:` with an `except ImportError` (or ModuleNotFoundError)
    DYNAMIC = "dynamic"  # importlib.import_module("x") / __import__("x") with a literal name


@dataclass(frozen=True, slots=True, order=True)
class ImportRecord:
    """One imported module named by one statement.

    ``import a.b, c`` gives two records; ``from p import x, y`` gives one record for ``p`` with
    ``names=("x", "y")`` (the graph decides whether ``p.x`` is a submodule).
    """

    line: int  # 1-based line of the statement's first line
    module: str  # absolute dotted name; relative imports already resolved against the importer
    names: tuple[str, ...]  # the names of a `from` import, () for a plain `import`
    kind: ImportKind
    text: str  # the statement as written, on one line (whitespace collapsed)
    level: int = 0  # dots of a relative import as written (0 for absolute)
