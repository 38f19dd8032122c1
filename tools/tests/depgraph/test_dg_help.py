"""Both tools' `--help` names the exit codes and `--version` answers, run as the installed commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.mark.parametrize("tool", ["depgraph", "publish"])
def test_help_shows_exit_codes_and_version_answers(tool: str) -> None:
    shown = subprocess.run([BIN / tool, "--help"], capture_output=True, text=True, check=True).stdout
    assert "Exit codes: 0 " in shown and " 2 bad usage or" in shown and "130 interrupted" in shown
    assert "``" not in shown  # no literal RST markup
    version = subprocess.run([BIN / tool, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith(f"{tool}, version ")
