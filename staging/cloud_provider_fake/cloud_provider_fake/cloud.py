"""The in-memory cloud: instances, load balancers, routes and clusters, held in Python objects.

Nothing here reaches a network or a real cloud. The state can be seeded from the provider's config and,
when ``state_file`` is configured, saved to / reloaded from that local JSON file after every change, so
successive runs of a command see the same cloud.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cloud_provider import (
    ConfigError,
    NodeAddress,
    Route,
    ServicePort,
    Zone,
    check_table,
    check_writable,
    config_source,
    resolve_path,
    write_text_atomic,
)
from cloud_provider.types import Protocol

RUNNING, STOPPED = "running", "stopped"


@dataclass(frozen=True)
class FakeInstance:
    name: str
    id: str
    zone: Zone
    type: str = "fake.small"
    addresses: tuple[NodeAddress, ...] = ()
    state: str = RUNNING
    labels: tuple[tuple[str, str], ...] = ()  # InstanceMetadata.additional_labels


@dataclass(frozen=True)
class FakeLoadBalancer:
    name: str
    cluster: str
    service: str  # namespace/name
    ip: str
    ports: tuple[ServicePort, ...]
    nodes: tuple[str, ...]  # node names traffic goes to


@dataclass
class FakeCloud:
    """The whole in-memory cloud. ``calls`` records every provider call, in order (like k8s' fake cloud)."""

    zone: Zone = field(default_factory=lambda: Zone("zone-a", "region-1"))
    instances: dict[str, FakeInstance] = field(default_factory=dict)
    load_balancers: dict[str, FakeLoadBalancer] = field(default_factory=dict)
    routes: dict[str, dict[str, Route]] = field(default_factory=dict)  # cluster -> route name -> route
    clusters: dict[str, str] = field(default_factory=dict)  # cluster name -> control plane address
    lb_network: str = "192.0.2.0/24"
    state_file: Path | None = None
    calls: list[str] = field(default_factory=list)
    #: When true, ``save`` writes at most once per ``save_interval`` and ``flush`` writes what is left
    #: (the provider turns this on when its caller gives it a stop event, and flushes once it is set).
    deferred: bool = False
    save_interval: float = 1.0  # seconds between deferred writes
    _dirty: bool = field(default=False, repr=False)
    _last_write: float = field(default=0.0, repr=False)
    _ids: dict[str, str] = field(default_factory=dict, repr=False)  # instance id -> name (a cache)

    # -- the explicit API tests and configs use to shape the cloud ------------------------------------
    def add_instance(
        self,
        name: str,
        zone: Zone | None = None,
        *,
        id: str | None = None,
        type: str = "fake.small",
        addresses: tuple[NodeAddress, ...] | None = None,
        state: str = RUNNING,
        labels: Mapping[str, str] | None = None,
    ) -> FakeInstance:
        if addresses is None:
            addresses = (
                NodeAddress.parse("Hostname", name),
                NodeAddress.parse("InternalIP", self._next_node_ip()),
            )
        inst = FakeInstance(
            name,
            id or name,
            zone or self.zone,
            type,
            tuple(addresses),
            state,
            tuple(sorted((labels or {}).items())),
        )
        self.instances[name] = inst
        self.save()
        return inst

    def set_state(self, name: str, state: str) -> None:
        self.instances[name] = replace(self.instances[name], state=state)
        self.save()

    def remove_instance(self, name: str) -> None:
        self.instances.pop(name, None)
        self.save()

    def add_cluster(self, name: str, master: str) -> None:
        self.clusters[name] = master
        self.save()

    def instance_by_id(self, instance_id: str) -> FakeInstance | None:
        inst = self.instances.get(self._ids.get(instance_id, ""))
        if inst is None or inst.id != instance_id:  # not cached, or the cache is stale: rebuild it
            self._ids = {i.id: name for name, i in self.instances.items()}
            inst = self.instances.get(self._ids.get(instance_id, ""))
        return inst

    def allocate_ip(self) -> str:
        used = {lb.ip for lb in self.load_balancers.values()}
        for host in ipaddress.ip_network(self.lb_network).hosts():
            if str(host) not in used:
                return str(host)
        raise RuntimeError(f"fake cloud: no free load balancer address left in {self.lb_network}")

    def _next_node_ip(self) -> str:
        used = {a.address for i in self.instances.values() for a in i.addresses}
        n = len(self.instances) + 1
        while f"10.0.0.{n}" in used:
            n += 1
        return f"10.0.0.{n}"

    # -- persistence ----------------------------------------------------------------------------------
    def save(self) -> None:
        if self.state_file is None:
            return
        if self.deferred:
            self._dirty = True
            if time.monotonic() - self._last_write < self.save_interval:
                return
        self._write(self.state_file)

    def mark_written(self) -> None:
        """Count the interval of deferred writes from now."""
        self._last_write = time.monotonic()

    def flush(self) -> None:
        """Write the changes ``save`` deferred."""
        if self._dirty and self.state_file is not None:
            self._write(self.state_file)

    def _write(self, path: Path) -> None:
        self._dirty, self._last_write = False, time.monotonic()
        write_text_atomic(path, json.dumps(self.to_mapping(), indent=2, sort_keys=True) + "\n")

    def to_mapping(self) -> dict[str, Any]:
        return {
            "zone": self.zone.failure_domain,
            "region": self.zone.region,
            "lb_network": self.lb_network,
            "instances": [_instance_out(i) for _, i in sorted(self.instances.items())],
            "load_balancers": [_lb_out(lb) for _, lb in sorted(self.load_balancers.items())],
            "routes": [
                {
                    "cluster": c,
                    "name": r.name,
                    "target_node": r.target_node,
                    "destination_cidr": r.destination_cidr,
                    "target_node_addresses": _addresses_out(r.target_node_addresses),
                }
                for c, rs in sorted(self.routes.items())
                for _, r in sorted(rs.items())
            ],
            "clusters": dict(sorted(self.clusters.items())),
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str) -> FakeCloud:
        try:
            region = str(data.get("region", "region-1"))
            cloud = cls(
                zone=Zone(str(data.get("zone", "zone-a")), region),
                lb_network=str(data.get("lb_network", "192.0.2.0/24")),
            )
            ipaddress.ip_network(cloud.lb_network)
            for i, raw in enumerate(data.get("instances", [])):
                inst = _instance_in(raw, region, f"{where}: instances[{i}]")
                cloud.instances[inst.name] = inst
            for raw in data.get("load_balancers", []):
                lb = _lb_in(raw)
                cloud.load_balancers[lb.name] = lb
            for raw in data.get("routes", []):
                addresses = _addresses_in(raw.get("target_node_addresses", []))
                route = Route(
                    raw["target_node"],
                    raw["destination_cidr"],
                    raw["name"],
                    target_node_addresses=addresses,
                )
                cloud.routes.setdefault(raw["cluster"], {})[route.name] = route
            cloud.clusters = {str(k): str(v) for k, v in dict(data.get("clusters", {})).items()}
        except ConfigError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{where}: invalid fake cloud state: {type(exc).__name__}: {exc}") from exc
        return cloud


def _instance_out(i: FakeInstance) -> dict[str, Any]:
    return {
        "name": i.name,
        "id": i.id,
        "zone": i.zone.failure_domain,
        "region": i.zone.region,
        "type": i.type,
        "state": i.state,
        "addresses": _addresses_out(i.addresses),
        **({"labels": dict(i.labels)} if i.labels else {}),
    }


def _addresses_out(addresses: tuple[NodeAddress, ...]) -> list[dict[str, str]]:
    return [{"type": a.type.value, "address": a.address} for a in addresses]


def _addresses_in(raw: Any) -> tuple[NodeAddress, ...]:
    return tuple(NodeAddress.parse(a["type"], a["address"]) for a in raw)


def _instance_in(raw: Mapping[str, Any], region: str, where: str) -> FakeInstance:
    if "name" not in raw:
        raise ConfigError(f"{where}: missing key 'name'")
    state = str(raw.get("state", RUNNING))
    if state not in (RUNNING, STOPPED):
        raise ConfigError(f"{where}: key 'state' must be {RUNNING!r} or {STOPPED!r}, got {state!r}")
    try:
        addresses = _addresses_in(raw.get("addresses", []))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    name = str(raw["name"])
    zone = Zone(str(raw.get("zone", "zone-a")), str(raw.get("region", region)))
    labels = tuple(sorted((str(k), str(v)) for k, v in dict(raw.get("labels", {})).items()))
    return FakeInstance(
        name,
        str(raw.get("id", name)),
        zone,
        str(raw.get("type", "fake.small")),
        addresses,
        state,
        labels,
    )


def _lb_out(lb: FakeLoadBalancer) -> dict[str, Any]:
    return {
        "name": lb.name,
        "cluster": lb.cluster,
        "service": lb.service,
        "ip": lb.ip,
        "ports": [
            {"name": p.name, "protocol": p.protocol.value, "port": p.port, "node_port": p.node_port}
            for p in lb.ports
        ],
        "nodes": list(lb.nodes),
    }


def _lb_in(raw: Mapping[str, Any]) -> FakeLoadBalancer:
    ports = tuple(
        ServicePort(int(p["port"]), int(p["node_port"]), Protocol(p["protocol"]), str(p.get("name", "")))
        for p in raw["ports"]
    )
    return FakeLoadBalancer(
        raw["name"], raw["cluster"], raw["service"], raw["ip"], ports, tuple(raw["nodes"])
    )


#: The keys of the provider's configuration and of each instance in it, with their types.
CONFIG_KEYS: dict[str, type] = {
    "zone": str,
    "region": str,
    "lb_network": str,
    "cluster_id": str,
    "state_file": str,
    "instances": list,
    "clusters": dict,
}
INSTANCE_KEYS: dict[str, type] = {
    "name": str,
    "id": str,
    "zone": str,
    "region": str,
    "type": str,
    "state": str,
    "addresses": list,
    "labels": dict,
}
ADDRESS_KEYS: dict[str, type] = {"type": str, "address": str}


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse unknown keys and wrong types before anything is built: a typo must not empty the cloud."""
    where = config_source(config)
    check_table(config, CONFIG_KEYS, where)
    for i, raw in enumerate(config.get("instances", [])):
        at = f"{where}: instances[{i}]"
        if not isinstance(raw, dict):
            raise ConfigError(f"{at}: expected a table, got {type(raw).__name__}")
        check_table(raw, INSTANCE_KEYS, at)
        for j, address in enumerate(raw.get("addresses", [])):
            if not isinstance(address, dict):
                raise ConfigError(f"{at}.addresses[{j}]: expected a table, got {type(address).__name__}")
            check_table(address, ADDRESS_KEYS, f"{at}.addresses[{j}]")
            if set(address) != set(ADDRESS_KEYS):
                raise ConfigError(f"{at}.addresses[{j}]: needs both keys 'type' and 'address'")
        labels = raw.get("labels", {})
        check_table(labels, dict.fromkeys(labels, str), f"{at}.labels")
    check_table(
        config.get("clusters", {}),
        dict.fromkeys(config.get("clusters", {}), str),
        f"{where}: clusters",
    )


def load_cloud(config: Mapping[str, Any]) -> FakeCloud:
    """The cloud the config describes: its ``state_file`` when that exists, else the config's own tables.

    Nothing is written here: the state file is written when the cloud changes, so a dry run or a run
    refused later leaves no file behind. A relative ``state_file`` is relative to the config file's folder.
    """
    check_config(config)
    where = config_source(config)
    state_file = resolve_path(config, config["state_file"]) if config.get("state_file") else None
    if state_file is not None and state_file.exists():
        try:
            data = json.loads(state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{state_file}: cannot load fake cloud state: {exc}") from exc
        cloud = FakeCloud.from_mapping(data, str(state_file))
    else:
        cloud = FakeCloud.from_mapping(config, where)
    if state_file is not None:
        check_writable(state_file, "fake cloud state file")  # refused now, not after the cloud changed
        cloud.state_file = state_file
    return cloud
