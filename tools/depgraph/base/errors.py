"""Errors that are the user's to fix: the CLI prints them as one line and exits 2."""

from __future__ import annotations


class DepgraphError(Exception):
    """Bad usage or configuration. The message names the file, key or path at fault."""


class ConfigError(DepgraphError):
    """The configuration (pyproject.toml, baseline, ...) is invalid."""
