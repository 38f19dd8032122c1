"""staging-imports-core: a staging distribution imports the core, in any kind of import.

A staging package is published on its own; the core is not there when it is installed, so even a deferred,
guarded or type-checking import of the core is a bug waiting for a user. Tests of staging packages are judged
like the rest when `include-tests` is true (published tests cannot reach the core either) and are left out,
like from every check, when it is false.
"""

from __future__ import annotations

from depgraph.checks.base import View, finding, silence_hint
from depgraph.model import Finding, Level, Origin

ID = "staging-imports-core"
TITLE = "A staging distribution imports the core"


def run(view: View, level: Level) -> list[Finding]:
    found: list[Finding] = []
    for edge in view.edges:
        if edge.imported_origin is not Origin.CORE:
            continue
        if view.origin(edge.importer_distribution) is not Origin.STAGING:
            continue
        found.append(
            finding(
                ID,
                level,
                edge.path,
                edge.line,
                f"staging distribution `{edge.importer_distribution}` imports the core: "
                f"`{edge.imported}` ({edge.kind.label} import)",
                key=f"{edge.importer} -> {edge.imported}",
                text=edge.text,
                hint="staging packages are published without the core: move what is needed into a staging "
                f"package; or {silence_hint(ID)}",
            )
        )
    return found
