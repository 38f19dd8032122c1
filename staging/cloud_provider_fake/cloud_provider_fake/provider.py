"""FakeProvider: every sub-interface of the framework, answered from a FakeCloud held in memory."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from cloud_provider import (
    CloudProviderError,
    Clusters,
    InstanceMetadata,
    InstanceNotFound,
    Instances,
    InstancesV2,
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
    instance_found,
    make_provider_id,
    split_provider_id,
)

from cloud_provider_fake.cloud import STOPPED, FakeCloud, FakeInstance, FakeLoadBalancer

PROVIDER_NAME = "fake"


class FakeProvider(Interface, LoadBalancer, Instances, InstancesV2, Zones, Routes, Clusters):
    """The reference provider. It reaches nothing outside this process (and its optional state file)."""

    def __init__(self, cloud: FakeCloud | None = None, cluster_id: str = "") -> None:
        self.cloud = cloud if cloud is not None else FakeCloud()
        self.cluster_id = cluster_id

    # -- Interface ------------------------------------------------------------------------------------
    def initialize(self, client_builder: object | None = None, stop: threading.Event | None = None) -> None:
        """With a stop event and a state file, save at most once a second, and for good when stopped."""
        if stop is None or self.cloud.state_file is None:
            return
        self.cloud.deferred = True
        cloud = self.cloud
        cloud.mark_written()  # the first change waits for the interval (or the stop) like the others

        def flush_when_stopped() -> None:
            stop.wait()
            cloud.flush()

        threading.Thread(target=flush_when_stopped, name="fake-cloud-flush", daemon=False).start()

    def load_balancer(self) -> LoadBalancer:
        return self

    def instances(self) -> Instances:
        return self

    def instances_v2(self) -> InstancesV2:
        return self

    def zones(self) -> Zones:
        return self

    def clusters(self) -> Clusters:
        return self

    def routes(self) -> Routes:
        return self

    def provider_name(self) -> str:
        return PROVIDER_NAME

    def has_cluster_id(self) -> bool:
        return bool(self.cluster_id)

    # -- lookups --------------------------------------------------------------------------------------
    def _call(self, name: str) -> None:
        self.cloud.calls.append(name)

    def _by_name(self, name: str) -> FakeInstance:
        inst = self.cloud.instances.get(name)
        if inst is None:
            raise InstanceNotFound(f"no instance for node {name!r}")
        return inst

    def _by_provider_id(self, provider_id: str) -> FakeInstance:
        try:
            scheme, instance_id = split_provider_id(provider_id)
        except ValueError as exc:
            raise InstanceNotFound(str(exc)) from None
        inst = self.cloud.instance_by_id(instance_id) if scheme == PROVIDER_NAME else None
        if inst is None:
            raise InstanceNotFound(f"no instance with provider ID {provider_id!r}")
        return inst

    def _for_node(self, node: Node) -> FakeInstance:
        return self._by_provider_id(node.provider_id) if node.provider_id else self._by_name(node.name)

    # -- Instances ------------------------------------------------------------------------------------
    def node_addresses(self, name: str) -> list[NodeAddress]:
        self._call("node-addresses")
        return list(self._by_name(name).addresses)

    def node_addresses_by_provider_id(self, provider_id: str) -> list[NodeAddress]:
        self._call("node-addresses-by-provider-id")
        return list(self._by_provider_id(provider_id).addresses)

    def instance_id(self, name: str) -> str:
        self._call("instance-id")
        return self._by_name(name).id

    def instance_type(self, name: str) -> str:
        self._call("instance-type")
        return self._by_name(name).type

    def instance_type_by_provider_id(self, provider_id: str) -> str:
        self._call("instance-type-by-provider-id")
        return self._by_provider_id(provider_id).type

    def instance_exists_by_provider_id(self, provider_id: str) -> bool:
        self._call("instance-exists-by-provider-id")
        return instance_found(self._by_provider_id, provider_id)

    def instance_shutdown_by_provider_id(self, provider_id: str) -> bool:
        self._call("instance-shutdown-by-provider-id")
        return self._by_provider_id(provider_id).state == STOPPED

    # -- InstancesV2 ----------------------------------------------------------------------------------
    def instance_exists(self, node: Node) -> bool:
        self._call("instance-exists")
        return instance_found(self._for_node, node)

    def instance_shutdown(self, node: Node) -> bool:
        self._call("instance-shutdown")
        return self._for_node(node).state == STOPPED

    def instance_metadata(self, node: Node) -> InstanceMetadata:
        self._call("instance-metadata")
        inst = self._for_node(node)
        return InstanceMetadata(
            provider_id=make_provider_id(PROVIDER_NAME, inst.id),
            instance_type=inst.type,
            node_addresses=inst.addresses,
            zone=inst.zone.failure_domain,
            region=inst.zone.region,
            additional_labels=inst.labels,
        )

    # -- Zones ----------------------------------------------------------------------------------------
    def get_zone(self) -> Zone:
        self._call("get-zone")
        return self.cloud.zone

    def get_zone_by_provider_id(self, provider_id: str) -> Zone:
        self._call("get-zone-by-provider-id")
        return self._by_provider_id(provider_id).zone

    def get_zone_by_node_name(self, node_name: str) -> Zone:
        self._call("get-zone-by-node-name")
        return self._by_name(node_name).zone

    # -- LoadBalancer ---------------------------------------------------------------------------------
    def get_load_balancer_name(self, cluster_name: str, service: Service) -> str:
        return "a" + service.uid.replace("-", "")[:31]

    def get_load_balancer(
        self, cluster_name: str, service: Service
    ) -> tuple[LoadBalancerStatus | None, bool]:
        self._call("get-load-balancer")
        lb = self.cloud.load_balancers.get(self.get_load_balancer_name(cluster_name, service))
        return (None, False) if lb is None else (_status(lb), True)

    def ensure_load_balancer(
        self, cluster_name: str, service: Service, nodes: Sequence[Node]
    ) -> LoadBalancerStatus:
        self._call("ensure-load-balancer")
        name = self.get_load_balancer_name(cluster_name, service)
        old = self.cloud.load_balancers.get(name)
        ip = old.ip if old else (service.load_balancer_ip or self.cloud.allocate_ip())
        lb = FakeLoadBalancer(
            name, cluster_name, service.key, ip, tuple(sorted(service.ports)), _names(nodes)
        )
        if lb != old:
            self.cloud.load_balancers[name] = lb
            self.cloud.save()
        return _status(lb)

    def update_load_balancer(self, cluster_name: str, service: Service, nodes: Sequence[Node]) -> None:
        self._call("update-load-balancer")
        name = self.get_load_balancer_name(cluster_name, service)
        old = self.cloud.load_balancers.get(name)
        if old is None:
            raise CloudProviderError(f"fake: load balancer {name} of service {service.key} does not exist")
        lb = FakeLoadBalancer(old.name, old.cluster, old.service, old.ip, old.ports, _names(nodes))
        if lb != old:
            self.cloud.load_balancers[name] = lb
            self.cloud.save()

    def ensure_load_balancer_deleted(self, cluster_name: str, service: Service) -> None:
        self._call("ensure-load-balancer-deleted")
        if (
            self.cloud.load_balancers.pop(self.get_load_balancer_name(cluster_name, service), None)
            is not None
        ):
            self.cloud.save()

    # -- Routes ---------------------------------------------------------------------------------------
    def list_routes(self, cluster_name: str) -> list[Route]:
        self._call("list-routes")
        routes = self.cloud.routes.get(cluster_name, {})
        return [
            Route(
                r.target_node,
                r.destination_cidr,
                r.name,
                blackhole=r.target_node not in self.cloud.instances,
                target_node_addresses=r.target_node_addresses,
            )
            for _, r in sorted(routes.items())
        ]

    def create_route(self, cluster_name: str, name_hint: str, route: Route) -> None:
        self._call("create-route")
        self._by_name(route.target_node)
        name = f"{cluster_name}-{name_hint}"
        self.cloud.routes.setdefault(cluster_name, {})[name] = Route(
            route.target_node,
            route.destination_cidr,
            name,
            target_node_addresses=route.target_node_addresses,
        )
        self.cloud.save()

    def delete_route(self, cluster_name: str, route: Route) -> None:
        self._call("delete-route")
        routes = self.cloud.routes.get(cluster_name, {})
        for name, existing in sorted(routes.items()):
            if (existing.target_node, existing.destination_cidr) == (
                route.target_node,
                route.destination_cidr,
            ):
                del routes[name]
                self.cloud.save()

    # -- Clusters -------------------------------------------------------------------------------------
    def list_clusters(self) -> list[str]:
        self._call("list-clusters")
        return sorted(self.cloud.clusters)

    def master(self, cluster_name: str) -> str:
        self._call("master")
        return self.cloud.clusters.get(cluster_name, "")


def _names(nodes: Sequence[Node]) -> tuple[str, ...]:
    return tuple(sorted({n.name for n in nodes}))


def _status(lb: FakeLoadBalancer) -> LoadBalancerStatus:
    return LoadBalancerStatus(ingress=(LoadBalancerIngress(ip=lb.ip),))
