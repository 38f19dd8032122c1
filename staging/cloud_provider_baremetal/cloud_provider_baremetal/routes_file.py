"""Routes as a file for ``ip -batch``: one ``route replace <pod CIDR> via <node address>`` per route.

The file is the complete, desired set of pod routes of the cluster(s) this provider manages; each route
line is preceded by a comment naming its cluster and node, so the provider can read the file back.
Applying it to a router (``ip -batch <file>``) is left to the machine's own tooling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HEADER = "# Managed by cloud-provider-baremetal; apply with: ip -batch <this file>"


@dataclass(frozen=True, order=True)
class RouteEntry:
    cluster: str
    destination_cidr: str
    node: str
    via: str

    def render(self) -> str:
        comment = f"# cluster {self.cluster} node {self.node}"
        return f"{comment}\nroute replace {self.destination_cidr} via {self.via}\n"


def read(path: Path) -> list[RouteEntry]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    pending: tuple[str, str] | None = None
    for line in lines:
        words = line.split()
        if len(words) == 5 and words[:2] == ["#", "cluster"] and words[3] == "node":
            pending = (words[2], words[4])
        elif len(words) == 5 and words[:2] == ["route", "replace"] and words[3] == "via" and pending:
            entries.append(RouteEntry(pending[0], words[2], pending[1], words[4]))
            pending = None
    return sorted(entries)


def write(path: Path, entries: list[RouteEntry]) -> None:
    text = HEADER + "\n" + "".join(e.render() for e in sorted(set(entries)))
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
