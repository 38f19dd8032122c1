"""The imports of one file: the fast scanner first, the `ast` oracle for what it cannot decide."""

from __future__ import annotations

from depgraph.base.imports import FileImports


def extract(data: bytes, module: str, is_package: bool) -> FileImports:
    """Every import of one file (the bytes as read from disk), as the `ast` oracle would find them.

    The fast scanner (``depgraph.extract.scanner``) decides almost every file; whatever it cannot decide with
    certainty goes to the oracle (``depgraph.extract.oracle``). A syntax error far from every import
    statement, string and bracket (a Python 2 ``print "x"``) is not seen here: ``depgraph.extract.syntax``
    compiles every file for that (in ``check``), cached by content.
    """
    from depgraph.extract import scanner  # noqa: PLC0415 - a warm run (every file cached) never needs it

    found = scanner.extract(data, module, is_package)
    if found is not None:
        return found
    from depgraph.extract import oracle  # noqa: PLC0415 - loaded only for the rare file the scanner leaves to it

    return oracle.extract(data, module, is_package)
