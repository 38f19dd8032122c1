"""staging-imports-core: a staging distribution imports the core, in any kind of import.

A staging package is published on its own; the core is not there when it is installed, so even a deferred,
guarded or type-checking import of the core is a bug waiting for a user. Tests of staging packages are judged
like the rest when `include-tests` is true (published tests cannot reach the core either) and are left out,
like from every check, when it is false.
"""

from __future__ import annotations

from depgraph.base import catalog
from depgraph.base.model import Finding, Level, Origin
from depgraph.checks.base import View, direction_findings
from depgraph.checks.suppress import Suppressor

CHECK = catalog.STAGING_IMPORTS_CORE


def run(view: View, level: Level, _suppressor: Suppressor) -> list[Finding]:
    return direction_findings(
        view,
        level,
        CHECK.id,
        importer=Origin.STAGING,
        imported=Origin.CORE,
        message=lambda edge: f"staging distribution `{edge.importer_distribution}` imports the core",
        hint="staging packages are published without the core: move what is needed into a staging package",
    )
