"""The static mapping from distribution names to the import names they provide.

Used when no environment is given (or a distribution is not installed there): a requirement provides the
names of the table (`depgraph.discover.import_names_data`, generated from real distributions' metadata),
else the names its own name suggests: `foo-bar` gives `foo_bar`, and `foo.bar` for a namespace portion
(`azure-identity` -> `azure.identity`), each hyphen read as `_` or `.` (`google-api-core` ->
`google.api_core`); `python-foo` and `foo-python` also give `foo`. A versioned API module is its
unversioned name's (`google.cloud.modelarmor_v1` is `google-cloud-modelarmor`'s). Names are
compared case-insensitively (`pyopenssl` provides `OpenSSL`).
"""

from __future__ import annotations

import re
from functools import cache

from depgraph.discover.import_names_data import TABLE

# bump when `guesses`, `unversioned` or the requirements the classifier reads change: the graph cache is keyed
# by it and the table
RULES_VERSION = 3
_SEPARATORS = re.compile(r"[-_.]+")
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_VERSIONED = re.compile(r"_v\d+(?:(?:p\d+)?(?:alpha|beta)\d*)?$")


def guesses(normalized: str) -> tuple[str, ...]:
    """The import names a PEP 503-normalised distribution name suggests by itself."""
    names = set(_joins(normalized))
    for prefix in ("python-", "py-"):
        if normalized.startswith(prefix) and len(normalized) > len(prefix):
            names.add(normalized[len(prefix) :].replace("-", "_"))
    for suffix in ("-python", "-py"):
        if normalized.endswith(suffix) and len(normalized) > len(suffix):
            stem = normalized[: -len(suffix)]
            names.update({stem.replace("-", "_"), stem.replace("-", ".")})
    return tuple(sorted(names))


def _joins(normalized: str) -> list[str]:
    """The name's parts joined by `_` or `.` at each hyphen (`google-api-core`: google_api_core,
    google.api_core, google_api.core, google.api.core); beyond four hyphens, only all `_` or all `.`."""
    parts = normalized.split("-")
    if len(parts) > 5:
        return [normalized.replace("-", "_"), normalized.replace("-", ".")]
    joined = [parts[0]]
    for part in parts[1:]:
        joined = [f"{head}{sep}{part}" for head in joined for sep in ("_", ".")]
    return joined


def unversioned(name: str) -> str | None:
    """A dotted name whose last part is a versioned API module (`google.cloud.modelarmor_v1`,
    `x.y_v2beta1`) without its version (`google.cloud.modelarmor`); None when it has none."""
    stem = _VERSIONED.sub("", name)
    return stem if stem != name and "." in stem and not stem.endswith(".") else None


@cache
def provided_by(requirement: str) -> tuple[str, ...]:
    """The dotted import names a requirement's distribution provides, as far as names tell."""
    match = _REQUIREMENT_NAME.match(requirement.strip())
    if match is None:
        return ()
    key = _SEPARATORS.sub("-", match.group(0)).lower()
    return TABLE.get(key) or guesses(key)


@cache
def _owners() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for dist, names in TABLE.items():
        for name in names:
            found.setdefault(name.lower(), []).append(dist)
    return {name: tuple(sorted(dists)) for name, dists in found.items()}


def owners_of(name: str) -> tuple[str, ...]:
    """The distributions of the table that provide this lower-case dotted import name."""
    return _owners().get(name, ())


@cache
def namespaces() -> frozenset[str]:
    """Lower-case proper prefixes of the table's dotted names (`google` for `google.protobuf`)."""
    found: set[str] = set()
    for names in TABLE.values():
        for name in names:
            parts = name.lower().split(".")
            found.update(".".join(parts[:end]) for end in range(1, len(parts)))
    return frozenset(found)


@cache
def fingerprint() -> str:
    """What the static mapping is (rules and table), for cache keys."""
    return f"{RULES_VERSION}:{sorted(TABLE.items())!r}"
