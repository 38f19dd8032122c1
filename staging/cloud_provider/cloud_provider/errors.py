"""Errors a provider raises and errors of the framework (cloudprovider's error values, as exceptions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")


class CloudProviderError(Exception):
    """Base of every error of this package."""


class InstanceNotFound(CloudProviderError):
    """cloudprovider.InstanceNotFound: the cloud has no instance for this node name or provider ID."""


def instance_found(lookup: Callable[[K], object], key: K) -> bool:
    """Whether `lookup(key)` finds an instance: False when it raises InstanceNotFound, any other error goes
    up. A provider's `instance_exists` and `instance_exists_by_provider_id` over its own lookups."""
    try:
        lookup(key)
    except InstanceNotFound:
        return False
    return True


class Unsupported(CloudProviderError, NotImplementedError):
    """cloudprovider.NotImplemented: this provider does not implement this call."""


class ImplementedElsewhere(CloudProviderError):
    """cloudprovider.ImplementedElsewhere: another component does this job (e.g. a load balancer
    controller of its own); the caller skips the object instead of reporting a failure."""


class ConfigError(CloudProviderError):
    """The provider's configuration is invalid; the message names the key at fault."""


class ProviderNotFound(CloudProviderError):
    """No provider is registered under this name; the message lists the registered names."""

    def __init__(self, name: str, available: list[str]) -> None:
        self.name = name
        self.available = available
        names = ", ".join(available) if available else "none installed"
        super().__init__(f"unknown cloud provider {name!r} (available: {names})")
