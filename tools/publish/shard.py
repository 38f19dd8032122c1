"""`publish sync --shard I/N`: a stable split of the packages over N jobs of a CI matrix.

A package belongs to shard ``sha256(name) mod N`` (counted from 1), so reruns, and runs after other packages
were added or removed, put it in the same job. A shard also publishes the sibling packages its own packages
depend on (as ``--package`` does), before them: the split is deterministic, so that job pushes exactly the
commits the dependency's own shard pushes, and a dependant's pin never waits for another job. When two jobs
push the same dependency at once, the one that loses finds the destination at exactly what it would push,
which publish counts as done (remote.push).
"""

from __future__ import annotations

import hashlib
import re

from publish.errors import PublishError
from publish.rules import Rules

_SHARD = re.compile(r"(\d+)/(\d+)")


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` with 1 <= I <= N, as (I, N)."""
    match = _SHARD.fullmatch(text.strip())
    if not match:
        raise PublishError(f"--shard {text!r}: expected I/N, e.g. 1/4")
    index, count = int(match[1]), int(match[2])
    if not 1 <= index <= count:
        raise PublishError(f"--shard {text!r}: I must be between 1 and N")
    return index, count


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) of one package: the same on every machine and every run."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def shard_packages(rules: Rules, index: int, count: int) -> tuple[str, ...]:
    """The packages shard ``index`` of ``count`` owns, in the rules' order."""
    return tuple(p.name for p in rules.packages if shard_of(p.name, count) == index)
