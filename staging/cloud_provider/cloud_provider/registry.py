"""Providers are plugins: each registers a factory in the entry-point group ``cloud_provider.providers``.

In a provider's pyproject.toml::

    [project.entry-points."cloud_provider.providers"]
    fake = "cloud_provider_fake:create_provider"

The factory takes the provider's configuration (a mapping, usually read from the cloud-config file) and
returns an ``Interface``. The controller manager selects a provider by name and never imports one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from cloud_provider.config import CloudConfig
from cloud_provider.errors import CloudProviderError, ProviderNotFound
from cloud_provider.interface import Interface

ENTRY_POINT_GROUP = "cloud_provider.providers"

ProviderFactory = Callable[[Mapping[str, Any]], Interface]


def _entry_points() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        found.setdefault(ep.name, ep)
    return found


def available_providers() -> list[str]:
    """The registered provider names, sorted."""
    return sorted(_entry_points())


def get_provider(name: str, config: Mapping[str, Any] | None = None) -> Interface:
    """Build the provider registered as ``name`` from its configuration.

    Raises ProviderNotFound (listing the available names) for an unknown name, ConfigError for a bad
    configuration, CloudProviderError when the plugin is broken.
    """
    eps = _entry_points()
    if name not in eps:
        raise ProviderNotFound(name, sorted(eps))
    try:
        factory = eps[name].load()
    except (ImportError, AttributeError) as exc:
        raise CloudProviderError(
            f"cloud provider {name!r} cannot be loaded ({eps[name].value}): {exc}"
        ) from exc
    # a copy, which keeps the file the configuration came from (relative paths are resolved against it)
    provider = factory(CloudConfig(config, getattr(config, "path", None)))
    if not isinstance(provider, Interface):
        raise CloudProviderError(
            f"cloud provider {name!r}: factory {eps[name].value} returned"
            f" {type(provider).__name__}, not an Interface"
        )
    return provider
