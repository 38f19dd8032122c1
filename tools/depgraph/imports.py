"""What one source file imports: the records the rest of depgraph builds on.

This module fixes the contract between the extractor and the graph. ``extract`` turns the bytes of one
file into ``ImportRecord``s; the graph resolves them against the modules it knows.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


class ImportKind(str, enum.Enum):
    """When an import runs, which decides what breaks if its target is missing or cyclic."""

    TOP_LEVEL = "top-level"  # runs when the importing module is imported
    DEFERRED = "deferred"  # inside a function or method body
    TYPE_CHECKING = "type-checking"  # under `if TYPE_CHECKING:` (or typing.TYPE_CHECKING, aliases)
    GUARDED = "guarded"  # inside `try:` with an `except ImportError` (or ModuleNotFoundError)
    DYNAMIC = "dynamic"  # importlib.import_module("x") / __import__("x") with a literal name


class ImportRecord(NamedTuple):
    """One imported module named by one statement.

    ``import a.b, c`` gives two records; ``from p import x, y`` gives one record for ``p`` with
    ``names=("x", "y")`` (the graph decides whether ``p.x`` is a submodule). A named tuple, not a
    dataclass: tens of thousands are made per build, and a tuple is built, sorted and pickled in C.
    """

    line: int  # 1-based line of the statement's first line
    module: str  # absolute dotted name; relative imports already resolved against the importer
    names: tuple[str, ...]  # the names of a `from` import, () for a plain `import`
    kind: ImportKind
    text: str  # the statement as written, on one line (whitespace collapsed)
    level: int = 0  # dots of a relative import as written (0 for absolute)


class Suppression(NamedTuple):
    """A `# depgraph: ignore[check-id, ...] reason` comment (reason "" when the author gave none)."""

    line: int
    checks: tuple[str, ...]  # sorted check ids as written
    reason: str


@dataclass(frozen=True, slots=True)
class FileImports:
    """What one file imports: records sorted by (line, module, ...), or the error that stopped reading it."""

    records: tuple[ImportRecord, ...]
    error: tuple[int, str] | None = None  # (line, message): a syntax error or an undecodable file
    suppressions: tuple[Suppression, ...] = ()  # every suppression comment of the file, by line


class SourceFile(NamedTuple):
    path: str  # absolute, or relative to the current directory; also the key of scan()'s result
    module: str  # dotted module name of the file
    is_package: bool  # an __init__.py


EXTRACTOR_VERSION = 1  # bump whenever extraction output may change: it invalidates every cache


def extract(data: bytes, module: str, is_package: bool) -> FileImports:
    """Every import of one file (the bytes as read from disk), as the `ast` oracle would find them.

    The fast scanner (``depgraph.scanner``) decides almost every file; whatever it cannot decide with
    certainty goes to the oracle (``depgraph.oracle``). A syntax error far from every import statement,
    string and bracket (a Python 2 ``print "x"``) is not seen here: ``depgraph.syntax`` compiles every
    file for that (in ``check``), cached by content.
    """
    from depgraph import scanner  # noqa: PLC0415 - it imports this module

    found = scanner.extract(data, module, is_package)
    if found is not None:
        return found
    from depgraph import oracle  # noqa: PLC0415 - the rare file the scanner leaves to it

    return oracle.extract(data, module, is_package)


def scan(
    files: Sequence[SourceFile], *, cache_dir: Path | None = None, jobs: int | None = None
) -> dict[str, FileImports]:
    """Extract every file; ``cache_dir=None`` disables the cache; ``jobs`` processes (default: CPUs).

    A file that cannot be read gives a FileImports with ``error`` set (line 0), like a syntax error.
    """
    from depgraph import pool  # noqa: PLC0415 - it imports this module

    return pool.scan(files, cache_dir=cache_dir, jobs=jobs)
