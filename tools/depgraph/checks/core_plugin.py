"""core-imports-plugin: the core imports a plugin distribution, in any kind of import.

The plugin model, the opposite direction of the staging one: plugins (the distributions under the `plugins`
folders) depend on the core by design, and the core must work without any of them installed, so it never
names one, not even in a deferred, guarded or type-checking import (it finds them through entry points or
a registry). Without a core, or without plugins, there is nothing to find. Tests of the core count only
when `include-tests` is true.
"""

from __future__ import annotations

from depgraph.base import catalog
from depgraph.base.model import Finding, Level, Origin
from depgraph.checks.base import View, direction_findings
from depgraph.checks.suppress import Suppressor

CHECK = catalog.CORE_IMPORTS_PLUGIN


def run(view: View, level: Level, _suppressor: Suppressor) -> list[Finding]:
    return direction_findings(
        view,
        level,
        CHECK.id,
        importer=Origin.CORE,
        imported=Origin.PLUGIN,
        message=lambda edge: (
            f"the core `{edge.importer_distribution}` imports plugin `{edge.imported_distribution}`"
        ),
        hint=(
            "the core must work without its plugins: find them through an entry point or a registry "
            "the plugin fills"
        ),
    )
