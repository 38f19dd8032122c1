"""Every check depgraph knows: the one place where a check's id, title, default level and the kinds of
import it counts are written.

Every stage reads the catalog: the configuration (the ids and default levels `[tool.depgraph.checks]`
accepts), the graph (its `parse-error` findings), the checks (`depgraph.checks` binds each check that runs
over the graph to its `run`), the reports (titles, rule descriptions) and the drawings (which findings
make an edge red). The id is the config key, the suppression name and the JSON `check` field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from depgraph.base.imports import SINGLE, ImportKind
from depgraph.base.model import Level


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str  # one line: the report's group heading, the SARIF rule description
    level: Level  # the default, before [tool.depgraph.checks]
    # the single kinds of import it counts; an import counts when every kind it has is among them
    # (empty: the check reads no import edge: requirements, files, the baseline, comments)
    kinds: tuple[ImportKind, ...] = ()
    configurable: bool = True  # has a key in [tool.depgraph.checks]

    def counts(self, kind: ImportKind) -> bool:
        return _counted(self.kinds, kind)


@cache
def _counted(kinds: tuple[ImportKind, ...], kind: ImportKind) -> bool:
    """Whether every single kind `kind` has is among `kinds` (asked once per edge of a check: 150k times on
    a large repository, where `ImportKind.parts` alone took 0.6 s)."""
    return all(part in kinds for part in kind.parts)


_NOT_GUARDED = tuple(k for k in SINGLE if k not in (ImportKind.GUARDED, ImportKind.TYPE_CHECKING))

STAGING_IMPORTS_CORE = Check(
    "staging-imports-core", "A staging distribution imports the core", Level.ERROR, SINGLE
)
CORE_IMPORTS_PLUGIN = Check(
    "core-imports-plugin", "The core imports a plugin distribution", Level.ERROR, SINGLE
)
DISTRIBUTION_CYCLE = Check(
    "distribution-cycle",
    "Distributions depend on one another in a cycle (imports or declared dependencies)",
    Level.ERROR,
    SINGLE,
)
IMPORT_CYCLE = Check(
    "import-cycle", "Modules import one another at import time", Level.ERROR, (ImportKind.TOP_LEVEL,)
)
UNDECLARED_DEPENDENCY = Check(
    "undeclared-dependency",
    "A distribution imports a distribution it does not declare",
    Level.ERROR,
    _NOT_GUARDED,
)
UNUSED_DEPENDENCY = Check(
    "unused-dependency", "A declared dependency that nothing imports", Level.WARN, SINGLE
)
RESTRICTION = Check(
    "restriction", "An import that a configured restriction forbids", Level.ERROR, SINGLE
)  # each rule may narrow the kinds (`kinds`)
CONFLICTING_REQUIREMENTS = Check(
    "conflicting-requirements",
    "Distributions require versions of one package that no single version satisfies",
    Level.ERROR,
)
PARSE_ERROR = Check("parse-error", "A file that cannot be read or parsed", Level.ERROR)
STALE_BASELINE = Check("stale-baseline", "A baseline entry that no longer occurs", Level.WARN)
SUPPRESSION = Check("suppression", "A suppression comment without a reason", Level.ERROR, configurable=False)

# In the order of the documentation; reports sort by id.
CATALOG: tuple[Check, ...] = (
    STAGING_IMPORTS_CORE,
    CORE_IMPORTS_PLUGIN,
    DISTRIBUTION_CYCLE,
    IMPORT_CYCLE,
    UNDECLARED_DEPENDENCY,
    UNUSED_DEPENDENCY,
    RESTRICTION,
    CONFLICTING_REQUIREMENTS,
    PARSE_ERROR,
    STALE_BASELINE,
    SUPPRESSION,
)
BY_ID: Mapping[str, Check] = MappingProxyType({c.id: c for c in CATALOG})
TITLES: Mapping[str, str] = MappingProxyType({c.id: c.title for c in CATALOG})
DEFAULT_LEVELS: Mapping[str, Level] = MappingProxyType({c.id: c.level for c in CATALOG if c.configurable})
