"""Errors that are the user's to fix: the CLI prints them as one line and exits 2."""

from __future__ import annotations


class StageError(Exception):
    """Bad usage: an unknown package, a target that exists, a name already taken. Names the thing at fault."""
