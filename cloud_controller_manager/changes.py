"""What a reconcile pass did: a Change per modification, a Failure per object it could not reconcile."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    kind: str  # node, service, route
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}: {self.message}"


@dataclass(frozen=True)
class Failure:
    kind: str
    name: str
    error: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}: {self.error}"


@dataclass
class Report:
    """Changes and failures in the order they happened (controllers walk objects sorted by name)."""

    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    def change(self, kind: str, name: str, message: str) -> None:
        self.changes.append(Change(kind, name, message))

    def fail(self, kind: str, name: str, exc: BaseException) -> None:
        text = str(exc) or type(exc).__name__
        self.failures.append(Failure(kind, name, f"{type(exc).__name__}: {text}".replace("\n", " ")))
