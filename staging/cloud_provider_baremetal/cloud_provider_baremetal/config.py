"""The provider's configuration and its inventory file (TOML, or JSON for *.json) of machines."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloud_provider import (
    ConfigError,
    NodeAddress,
    NodeAddressType,
    Zone,
    check_table,
    config_source,
    read_data_file,
    resolve_path,
)

# The schema of the provider's cloud config: every key a string; the inventory required.
SCHEMA: dict[str, type] = dict.fromkeys(
    ("inventory", "haproxy_dir", "routes_file", "vip_pool", "zone", "region"), str
)


@dataclass(frozen=True)
class BareMetalConfig:
    inventory: Path
    haproxy_dir: Path | None = (
        None  # load balancers are written here as HAProxy fragments; none: no load balancers
    )
    routes_file: Path | None = None  # routes are written here for `ip -batch`; none: no routes
    vip_pool: str = "192.0.2.0/28"  # addresses the load balancers' frontends bind
    zone: str = ""  # zone and region of this machine (get_zone)
    region: str = ""

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> BareMetalConfig:
        where = config_source(config)
        check_table(config, SCHEMA, where, required=("inventory",), owner="baremetal")
        pool = config.get("vip_pool", cls.vip_pool)
        try:
            ipaddress.ip_network(pool)
        except ValueError:
            raise ConfigError(f"{where}: key 'vip_pool' is not a CIDR: {pool!r}") from None
        # relative paths are relative to the config file's folder (see cloud_provider.resolve_path)
        optional = {
            k: resolve_path(config, config[k]) for k in ("haproxy_dir", "routes_file") if config.get(k)
        }
        return cls(
            resolve_path(config, config["inventory"]),
            vip_pool=pool,
            zone=config.get("zone", ""),
            region=config.get("region", ""),
            **optional,
        )


@dataclass(frozen=True)
class Machine:
    name: str
    id: str
    zone: Zone
    type: str
    addresses: tuple[NodeAddress, ...]
    powered_on: bool

    @property
    def backend_address(self) -> str:
        """The address load balancers and routes reach the machine at (InternalIP, else ExternalIP)."""
        for kind in (NodeAddressType.INTERNAL_IP, NodeAddressType.EXTERNAL_IP):
            for address in self.addresses:
                if address.type is kind:
                    return address.address
        return ""


def parse_inventory(path: Path) -> dict[str, Machine]:
    """Machines by name. ConfigError naming the file and the entry at fault."""
    data = read_data_file(path, "inventory")
    if not isinstance(data, dict) or not isinstance(data.get("machines", []), list):
        raise ConfigError(f"{path}: inventory must be a table with a list 'machines'")
    region = str(data.get("region", ""))
    machines: dict[str, Machine] = {}
    ids: set[str] = set()
    for i, raw in enumerate(data.get("machines", [])):
        where = f"{path}: machines[{i}]"
        machine = _machine(raw, region, where)
        if machine.name in machines or machine.id in ids:
            raise ConfigError(f"{where}: duplicate machine name or id {machine.name!r}/{machine.id!r}")
        machines[machine.name] = machine
        ids.add(machine.id)
    return machines


def _machine(raw: Any, region: str, where: str) -> Machine:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    for key in ("name", "zone"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ConfigError(f"{where}: missing or non-string key {key!r}")
    power = raw.get("power", "on")
    if power not in ("on", "off"):
        raise ConfigError(f"{where}: key 'power' must be 'on' or 'off', got {power!r}")
    try:
        addresses = tuple(NodeAddress.parse(a["type"], a["address"]) for a in raw.get("addresses", []))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{where}: bad addresses entry: {exc}") from None
    if not addresses:
        raise ConfigError(f"{where}: a machine needs at least one address")
    zone = Zone(raw["zone"], str(raw.get("region", region)))
    name = raw["name"]
    return Machine(
        name, str(raw.get("id", name)), zone, str(raw.get("type", "baremetal")), addresses, power == "on"
    )
