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


def parse(text: str) -> list[RouteEntry]:
    entries = []
    pending: tuple[str, str] | None = None
    for line in text.splitlines():
        words = line.split()
        if len(words) == 5 and words[:2] == ["#", "cluster"] and words[3] == "node":
            pending = (words[2], words[4])
        elif len(words) == 5 and words[:2] == ["route", "replace"] and words[3] == "via" and pending:
            entries.append(RouteEntry(pending[0], words[2], pending[1], words[4]))
            pending = None
    return entries


def canonical(entries: list[RouteEntry]) -> list[RouteEntry]:
    """Without duplicates, in file order (sorted by cluster, CIDR, node, address)."""
    return sorted(set(entries), key=lambda e: (e.cluster, e.destination_cidr, e.node, e.via))


class RoutesFile:
    """The routes file; parsed again only when its content differs from what was last read or written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._text: str | None = None
        self._entries: list[RouteEntry] = []

    def read(self) -> list[RouteEntry]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        if text != self._text:
            self._text, self._entries = text, parse(text)
        return list(self._entries)

    def write(self, entries: list[RouteEntry]) -> None:
        entries = canonical(entries)
        text = HEADER + "\n" + "".join(e.render() for e in entries)
        if text == self._text:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.path)
        self._text, self._entries = text, entries
