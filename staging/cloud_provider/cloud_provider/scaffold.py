"""``cloud-provider new NAME``: write a provider package that implements the Interface and supports nothing.

The package is complete from the first minute: its pyproject registers the entry point, its provider
declares every capability unsupported (every accessor returns ``None``), and its tests run the
conformance suite, which then checks exactly that. Adding a capability is returning a sub-interface from
its accessor, naming it in the test's ``capabilities`` and teaching the harness to prepare the cloud.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

# A provider name is the entry point name and the tail of the package name: lower case words joined by
# single underscores (``my_cloud`` -> package ``cloud_provider_my_cloud``, distribution
# ``cloud-provider-my-cloud``).
NAME_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


class ScaffoldError(Exception):
    """The provider cannot be written (bad name, folder already there); the message is one line."""


@dataclass(frozen=True)
class ProviderNames:
    name: str  # entry point name: my_cloud

    @property
    def package(self) -> str:
        return f"cloud_provider_{self.name}"

    @property
    def distribution(self) -> str:
        return f"cloud-provider-{self.name.replace('_', '-')}"

    @property
    def class_name(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_")) + "Provider"


def check_name(name: str) -> ProviderNames:
    """The names derived from ``name``, or ScaffoldError saying why it cannot be a provider name."""
    if not NAME_RE.fullmatch(name):
        raise ScaffoldError(
            f"invalid provider name {name!r}: use lower-case letters, digits and single underscores,"
            " starting with a letter (e.g. my_cloud)"
        )
    if keyword.iskeyword(name) or len(name) > 40:
        raise ScaffoldError(f"invalid provider name {name!r}: a Python keyword or longer than 40 characters")
    return ProviderNames(name)


def files_of(names: ProviderNames) -> dict[str, str]:
    """Relative path -> content of every file of the new package, in a stable order."""
    n = names
    return {
        "pyproject.toml": _PYPROJECT.format(n=n),
        "README.md": _README.format(n=n),
        f"{n.package}/__init__.py": _INIT.format(n=n),
        f"{n.package}/provider.py": _PROVIDER.format(n=n),
        f"{n.package}/py.typed": "",
        f"tests/test_{n.name}_conformance.py": _CONFORMANCE.format(n=n),
    }


def write_provider(name: str, into: Path) -> Path:
    """Write ``into/cloud_provider_<name>``; refuse a bad name or an existing folder before writing."""
    names = check_name(name)
    target = into / names.package
    if target.exists() or target.is_symlink():
        raise ScaffoldError(f"{target}: already exists (provider {name!r} is taken)")
    if not into.is_dir():
        raise ScaffoldError(f"{into}: no such folder")
    for rel, text in files_of(names).items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


_PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "{n.distribution}"
version = "0.1.0"
description = "The {n.name} cloud provider (a skeleton: it supports no capability yet)"
readme = "README.md"
requires-python = ">=3.10"
license = "Apache-2.0"
dependencies = [
    "cloud-provider>=0.1",
]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points."cloud_provider.providers"]
{n.name} = "{n.package}:create_provider"

[tool.setuptools.packages.find]
include = ["{n.package}*"]

[tool.setuptools.package-data]
{n.package} = ["py.typed"]
"""

_README = """\
# {n.distribution}

The `{n.name}` provider of the `cloud-provider` framework. It implements the `Interface` and, for now,
declares every capability unsupported: each accessor (`load_balancer()`, `instances()`, `zones()`,
`routes()`, `clusters()`) returns `None`, so a controller manager using it changes nothing.

```sh
pip install {n.distribution}
```

Registered as `{n.name}` in the entry-point group `cloud_provider.providers`.

## Adding a capability

1. Implement the sub-interface (e.g. `cloud_provider.Instances`) and return it from its accessor in
   `{n.package}/provider.py`.
2. Name it in `capabilities` of `tests/test_{n.name}_conformance.py` and implement the harness methods the
   conformance suite calls to prepare the cloud (`add_instance`, ...).
3. Run the tests: `python -m pytest tests`.
"""

_INIT = """\
\"\"\"The {n.name} cloud provider.\"\"\"

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from {n.package}.provider import PROVIDER_NAME, {n.class_name}

__version__ = "0.1.0"

__all__ = ["PROVIDER_NAME", "{n.class_name}", "create_provider"]


def create_provider(config: Mapping[str, Any]) -> {n.class_name}:
    \"\"\"The entry point factory (group ``cloud_provider.providers``, name ``{n.name}``).\"\"\"
    return {n.class_name}(config)
"""

_PROVIDER = """\
\"\"\"The {n.name} provider: the Interface, with every capability declared unsupported (``None``).\"\"\"

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloud_provider import Clusters, ConfigError, Instances, Interface, LoadBalancer, Routes, Zones

PROVIDER_NAME = "{n.name}"


class {n.class_name}(Interface):
    def __init__(self, config: Mapping[str, Any]) -> None:
        unknown = sorted(config)
        if unknown:
            raise ConfigError(f"{{PROVIDER_NAME}} provider: unknown configuration key {{unknown[0]!r}}")

    def load_balancer(self) -> LoadBalancer | None:
        return None

    def instances(self) -> Instances | None:
        return None

    def zones(self) -> Zones | None:
        return None

    def clusters(self) -> Clusters | None:
        return None

    def routes(self) -> Routes | None:
        return None

    def provider_name(self) -> str:
        return PROVIDER_NAME

    def has_cluster_id(self) -> bool:
        return False
"""

_CONFORMANCE = """\
\"\"\"The {n.name} provider passes the framework's conformance suite (for now: it supports nothing).\"\"\"

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from cloud_provider import Zone
from cloud_provider.conformance import CloudHarness, PreparedInstance, ProviderConformance


class {n.class_name}Harness(CloudHarness):
    \"\"\"Prepares the cloud for the suite; needed once a capability is declared.\"\"\"

    zones = (Zone("zone-a", "region-1"), Zone("zone-b", "region-1"))

    def add_instance(self, name: str, zone: Zone) -> PreparedInstance:
        raise NotImplementedError("create a running instance in the cloud the provider reaches")

    def shutdown_instance(self, name: str) -> None:
        raise NotImplementedError("stop the instance")

    def remove_instance(self, name: str) -> None:
        raise NotImplementedError("delete the instance")

    def unknown_provider_id(self) -> str:
        return "{n.name}://no-such-instance"


class Test{n.class_name}Conformance(ProviderConformance):
    provider_name = "{n.name}"
    capabilities: frozenset[str] = frozenset()

    @pytest.fixture
    def provider_config(self) -> Mapping[str, Any]:
        return {{}}

    @pytest.fixture
    def cloud(self) -> CloudHarness:
        return {n.class_name}Harness()
"""
