"""BareMetalProvider: machines from an inventory file; load balancers and routes written as local files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cloud_provider import (
    Clusters,
    InstanceNotFound,
    Instances,
    Interface,
    LoadBalancer,
    LoadBalancerIngress,
    LoadBalancerStatus,
    Node,
    NodeAddress,
    Route,
    Routes,
    Service,
    Zone,
    Zones,
    configured_zone,
    instance_found,
    split_provider_id,
)

from cloud_provider_baremetal import routes_file
from cloud_provider_baremetal.config import BareMetalConfig, Machine, parse_inventory
from cloud_provider_baremetal.haproxy import Backend, Fragment, FragmentStore, backends_for

PROVIDER_NAME = "baremetal"


class Inventory:
    """The inventory file: read at every lookup (the source of truth), parsed again when changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._text: bytes | None = None
        self._machines: dict[str, Machine] = {}
        self._by_id: dict[str, Machine] = {}

    def machines(self) -> dict[str, Machine]:
        try:
            text = self.path.read_bytes()
        except OSError:
            text = None
        if text is None or text != self._text:
            self._machines = parse_inventory(self.path)  # names the file in its error when it cannot be read
            self._by_id = {m.id: m for m in self._machines.values()}
            self._text = text
        return self._machines

    def by_name(self, name: str) -> Machine:
        machine = self.machines().get(name)
        if machine is None:
            raise InstanceNotFound(f"no machine named {name!r} in {self.path}")
        return machine

    def by_provider_id(self, provider_id: str) -> Machine:
        try:
            scheme, machine_id = split_provider_id(provider_id)
        except ValueError as exc:
            raise InstanceNotFound(str(exc)) from None
        self.machines()
        found = self._by_id.get(machine_id) if scheme == PROVIDER_NAME else None
        if found is None:
            raise InstanceNotFound(f"no machine with provider ID {provider_id!r} in {self.path}")
        return found


class BareMetalInstances(Instances, Zones):
    def __init__(self, config: BareMetalConfig, inventory: Inventory) -> None:
        self.config, self.inventory = config, inventory

    def node_addresses(self, name: str) -> list[NodeAddress]:
        return list(self.inventory.by_name(name).addresses)

    def node_addresses_by_provider_id(self, provider_id: str) -> list[NodeAddress]:
        return list(self.inventory.by_provider_id(provider_id).addresses)

    def instance_id(self, name: str) -> str:
        return self.inventory.by_name(name).id

    def instance_type(self, name: str) -> str:
        return self.inventory.by_name(name).type

    def instance_type_by_provider_id(self, provider_id: str) -> str:
        return self.inventory.by_provider_id(provider_id).type

    def instance_exists_by_provider_id(self, provider_id: str) -> bool:
        return instance_found(self.inventory.by_provider_id, provider_id)

    def instance_shutdown_by_provider_id(self, provider_id: str) -> bool:
        return not self.inventory.by_provider_id(provider_id).powered_on

    def get_zone(self) -> Zone:
        return configured_zone(
            self.config.zone,
            self.config.region,
            "baremetal: set 'zone' (and 'region') in the cloud config to tell this machine's zone",
        )

    def get_zone_by_provider_id(self, provider_id: str) -> Zone:
        return self.inventory.by_provider_id(provider_id).zone

    def get_zone_by_node_name(self, node_name: str) -> Zone:
        return self.inventory.by_name(node_name).zone


class HAProxyLoadBalancer(LoadBalancer):
    def __init__(self, config: BareMetalConfig, inventory: Inventory, store: FragmentStore) -> None:
        self.config, self.inventory, self.store = config, inventory, store

    def get_load_balancer_name(self, cluster_name: str, service: Service) -> str:
        return ("a" + service.uid.replace("-", ""))[:32]

    def get_load_balancer(
        self, cluster_name: str, service: Service
    ) -> tuple[LoadBalancerStatus | None, bool]:
        fragment = self.store.read(self.get_load_balancer_name(cluster_name, service))
        return (None, False) if fragment is None else (_status(fragment), True)

    def ensure_load_balancer(
        self, cluster_name: str, service: Service, nodes: Sequence[Node]
    ) -> LoadBalancerStatus:
        name = self.get_load_balancer_name(cluster_name, service)
        old = self.store.read(name)
        vip = old.vip if old else self.store.allocate_vip(self.config.vip_pool, service.load_balancer_ip)
        fragment = Fragment(
            name, service.key, cluster_name, vip, tuple(sorted(service.ports)), self._backends(nodes)
        )
        self.store.write(fragment)
        return _status(fragment)

    def update_load_balancer(self, cluster_name: str, service: Service, nodes: Sequence[Node]) -> None:
        name = self.get_load_balancer_name(cluster_name, service)
        old = self.store.read(name)
        if old is None:
            raise InstanceNotFound(
                f"baremetal: no load balancer {name} for {service.key} in {self.store.directory}"
            )
        self.store.write(Fragment(name, old.service, old.cluster, old.vip, old.ports, self._backends(nodes)))

    def ensure_load_balancer_deleted(self, cluster_name: str, service: Service) -> None:
        self.store.delete(self.get_load_balancer_name(cluster_name, service))

    def _backends(self, nodes: Sequence[Node]) -> tuple[Backend, ...]:
        machines = self.inventory.machines()
        addresses = {n.name: machines[n.name].backend_address for n in nodes if n.name in machines}
        return backends_for([n.name for n in nodes], addresses)


class FileRoutes(Routes):
    def __init__(self, path: Path, inventory: Inventory) -> None:
        self.file, self.inventory = routes_file.RoutesFile(path), inventory

    def list_routes(self, cluster_name: str) -> list[Route]:
        machines = self.inventory.machines()
        return [
            Route(
                e.node,
                e.destination_cidr,
                name=e.destination_cidr,
                blackhole=e.node not in machines,
                # TargetNodeAddresses: the machine's address the route goes via
                target_node_addresses=tuple(a for a in machines[e.node].addresses if a.address == e.via)
                if e.node in machines
                else (),
            )
            for e in self.file.read()
            if e.cluster == cluster_name
        ]

    def create_route(self, cluster_name: str, name_hint: str, route: Route) -> None:
        machine = self.inventory.by_name(route.target_node)
        entries = [e for e in self.file.read() if e.destination_cidr != route.destination_cidr]
        entries.append(
            routes_file.RouteEntry(
                cluster_name, route.destination_cidr, machine.name, machine.backend_address
            )
        )
        self.file.write(entries)

    def delete_route(self, cluster_name: str, route: Route) -> None:
        key = (cluster_name, route.destination_cidr, route.target_node)
        entries = self.file.read()
        kept = [e for e in entries if (e.cluster, e.destination_cidr, e.node) != key]
        if len(kept) != len(entries):
            self.file.write(kept)


class BareMetalProvider(Interface):
    """Reaches only the local filesystem: reads the inventory, writes HAProxy fragments and a routes file."""

    def __init__(self, config: BareMetalConfig) -> None:
        self.config = config
        self.inventory = Inventory(config.inventory)
        self._instances = BareMetalInstances(config, self.inventory)
        self._lb = (
            HAProxyLoadBalancer(config, self.inventory, FragmentStore(config.haproxy_dir))
            if config.haproxy_dir
            else None
        )
        self._routes = FileRoutes(config.routes_file, self.inventory) if config.routes_file else None

    def initialize(self, client_builder: object | None = None, stop: object | None = None) -> None:
        self.inventory.machines()  # a broken inventory is reported at start, not at the first lookup

    def load_balancer(self) -> LoadBalancer | None:
        return self._lb

    def instances(self) -> Instances:
        return self._instances

    def zones(self) -> Zones:
        return self._instances

    def clusters(self) -> Clusters | None:
        return None

    def routes(self) -> Routes | None:
        return self._routes

    def provider_name(self) -> str:
        return PROVIDER_NAME

    def has_cluster_id(self) -> bool:
        return False


def _status(fragment: Fragment) -> LoadBalancerStatus:
    return LoadBalancerStatus(ingress=(LoadBalancerIngress(ip=fragment.vip),))
