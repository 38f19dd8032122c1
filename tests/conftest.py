"""The tests of the core: tools/tests on sys.path for cli_inprocess (our console scripts run in this process)."""

from __future__ import annotations

import sys
from pathlib import Path

HELPERS = str(Path(__file__).resolve().parents[1] / "tools" / "tests")
if HELPERS not in sys.path:
    sys.path.insert(0, HELPERS)
