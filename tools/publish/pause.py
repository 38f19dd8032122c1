"""A test-only hook: pause the run at a named point of the write path, so a test can kill it there (or
change the destination meanwhile) and know where the kill landed.

Set PUBLISH_TEST_PAUSE_AT to a point (`after-pack`, `before-push`, `between-packages`), optionally
`POINT:PACKAGE`, and PUBLISH_TEST_PAUSE_FILE to a file name. The first time the run reaches that point it
writes the file (`<point> <pid>`) and waits until the file is removed. Unset, it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

AT = "PUBLISH_TEST_PAUSE_AT"
FILE = "PUBLISH_TEST_PAUSE_FILE"
_done: set[str] = set()
_lock = threading.Lock()


def point(name: str, package: str = "") -> None:
    want = os.environ.get(AT)
    if not want or want not in (name, f"{name}:{package}"):
        return
    with _lock:
        if want in _done:
            return
        _done.add(want)
    marker = Path(os.environ[FILE])
    marker.write_text(f"{name} {os.getpid()}\n")
    while marker.exists():
        time.sleep(0.01)
