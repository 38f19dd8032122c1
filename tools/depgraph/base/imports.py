"""What one source file imports: the records the rest of depgraph builds on.

This module fixes the contract between the extractor and the graph, and imports nothing of depgraph: it
is the bottom layer. ``depgraph.extract.extractor.extract`` turns the bytes of one file into
``ImportRecord``s, ``depgraph.extract.pool.scan`` does so for many files; the graph resolves them against
the modules it knows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple


class ImportKind(enum.IntFlag):
    """When an import runs, which decides what breaks if its target is missing or cyclic.

    An import has every kind that applies: one inside a function *and* inside `try/except ImportError` is
    `deferred+guarded`. `TOP_LEVEL` is the empty set (none of the others: it runs when the module is
    imported, unconditionally). Written as `label` (`top-level`, `deferred+guarded`, ...).
    """

    TOP_LEVEL = 0  # none of the others: runs when the importing module is imported
    TYPE_CHECKING = 1  # under `if TYPE_CHECKING:` (or typing.TYPE_CHECKING, aliases): never runs
    DEFERRED = 2  # inside a function or method body
    GUARDED = 4  # inside `try:` with an `except ImportError` (or ModuleNotFoundError)
    MAIN = 8  # under `if __name__ == "__main__":`: runs only when the file is run as a script
    DYNAMIC = 16  # importlib.import_module("x") / __import__("x") with a literal name

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def parts(self) -> tuple[ImportKind, ...]:
        """The single kinds this one holds, in the order of `SINGLE` (TOP_LEVEL alone when none)."""
        return _PARTS[self]

    @property
    def import_time(self) -> bool:
        """Runs when the importing module is imported: no def, no TYPE_CHECKING, no `__main__` block."""
        return not self & (ImportKind.TYPE_CHECKING | ImportKind.DEFERRED | ImportKind.MAIN)

    @classmethod
    def from_label(cls, label: str) -> ImportKind:
        """The kind written as `label` (`top-level`, `deferred+guarded`); KeyError when unknown."""
        return _BY_LABEL[label]


SINGLE: tuple[ImportKind, ...] = (
    ImportKind.TOP_LEVEL,
    ImportKind.TYPE_CHECKING,
    ImportKind.DEFERRED,
    ImportKind.GUARDED,
    ImportKind.MAIN,
    ImportKind.DYNAMIC,
)
_NAMES = {
    ImportKind.TYPE_CHECKING: "type-checking",
    ImportKind.DEFERRED: "deferred",
    ImportKind.GUARDED: "guarded",
    ImportKind.MAIN: "main",
    ImportKind.DYNAMIC: "dynamic",
}
_PARTS: dict[ImportKind, tuple[ImportKind, ...]] = {}
_LABELS: dict[ImportKind, str] = {}
for _value in range(32):
    _kind = ImportKind(_value)
    _PARTS[_kind] = tuple(k for k in SINGLE[1:] if _kind & k) or (ImportKind.TOP_LEVEL,)
    _LABELS[_kind] = "+".join(_NAMES[k] for k in _PARTS[_kind] if k) or "top-level"
_BY_LABEL = {label: kind for kind, label in _LABELS.items()}
KINDS: dict[int, ImportKind] = {int(kind): kind for kind in _PARTS}  # int value -> kind, without a call


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


EXTRACTOR_VERSION = 2  # bump whenever extraction output may change: it invalidates every cache
