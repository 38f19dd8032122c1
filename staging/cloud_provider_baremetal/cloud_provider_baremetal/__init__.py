"""A cloud provider for bare-metal machines listed in an inventory file.

What it reaches: the local filesystem only. It reads the inventory (TOML or JSON), writes each load
balancer as an HAProxy configuration fragment into ``haproxy_dir`` and the pod routes into
``routes_file`` (``ip -batch`` syntax). Running HAProxy and applying the routes is the machines' business.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloud_provider_baremetal.config import BareMetalConfig, Machine, parse_inventory
from cloud_provider_baremetal.provider import PROVIDER_NAME, BareMetalProvider

__version__ = "0.1.0"

__all__ = [
    "PROVIDER_NAME",
    "BareMetalConfig",
    "BareMetalProvider",
    "Machine",
    "create_provider",
    "parse_inventory",
]


def create_provider(config: Mapping[str, Any]) -> BareMetalProvider:
    """The entry point factory (group ``cloud_provider.providers``, name ``baremetal``).

    Config keys: ``inventory`` (required), ``haproxy_dir`` (enables load balancers), ``routes_file``
    (enables routes), ``vip_pool`` (CIDR, default 192.0.2.0/28), ``zone``/``region`` (of this machine).
    Relative paths are relative to the cloud-config file's folder (to the working directory when the
    configuration was built in code).
    """
    return BareMetalProvider(BareMetalConfig.from_mapping(config))
