"""A pytest kit that checks a provider against the Interface contract.

A provider's test module subclasses ``ProviderConformance`` (the class name must start with ``Test``),
sets ``provider_name`` and ``capabilities``, and supplies two fixtures:

- ``provider_config``: the configuration mapping to build the provider with. The suite builds the
  provider through the registry (``get_provider(provider_name, provider_config)``), so it also checks the
  entry point. Override the ``provider`` fixture only if the provider must be built otherwise.
- ``cloud``: a ``CloudHarness`` that prepares the cloud side (creates instances, stops them, ...) in the
  same cloud the provider reaches, and reads back what only the cloud knows (load balancer targets).

Example::

    class TestFakeConformance(ProviderConformance):
        provider_name = "fake"
        capabilities = frozenset({"load_balancer", "instances", "zones", "routes", "clusters"})

        @pytest.fixture
        def provider_config(self): return {}

        @pytest.fixture
        def cloud(self, provider): return FakeHarness(provider)
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from cloud_provider.errors import InstanceNotFound, Unsupported
from cloud_provider.interface import Clusters, Instances, InstancesV2, Interface, LoadBalancer, Routes, Zones
from cloud_provider.registry import available_providers, get_provider
from cloud_provider.types import (
    LoadBalancerStatus,
    Node,
    NodeAddress,
    NodeAddressType,
    Route,
    Service,
    ServicePort,
    Zone,
    make_provider_id,
)

CAPABILITIES = {
    "load_balancer": LoadBalancer,
    "instances": Instances,
    "instances_v2": InstancesV2,
    "zones": Zones,
    "clusters": Clusters,
    "routes": Routes,
}


@dataclass(frozen=True)
class PreparedInstance:
    """An instance the harness created, as the cloud sees it."""

    name: str  # the node name the provider must map to this instance
    provider_id: str
    zone: Zone
    instance_type: str


class CloudHarness(abc.ABC):
    """Prepares cloud-side fixtures for the conformance suite."""

    #: Two zones (same region or not) instances may be created in.
    zones: tuple[Zone, Zone]

    @abc.abstractmethod
    def add_instance(self, name: str, zone: Zone) -> PreparedInstance:
        """Create a running instance the provider will know as node ``name``."""

    @abc.abstractmethod
    def shutdown_instance(self, name: str) -> None:
        """Stop the instance (it still exists)."""

    @abc.abstractmethod
    def remove_instance(self, name: str) -> None:
        """Delete/terminate the instance."""

    @abc.abstractmethod
    def unknown_provider_id(self) -> str:
        """A well-formed provider ID of this provider that names no instance."""

    def load_balancer_targets(self, cluster_name: str, service: Service) -> frozenset[str]:
        """Node names the service's load balancer sends traffic to, read from the cloud side (through the
        cloud's own API, never through the provider under test: a provider must not grade itself)."""
        raise Unsupported("load_balancer_targets")

    def additional_labels(self, name: str) -> dict[str, str]:
        """The labels the provider must report for this instance (InstanceMetadata.additional_labels),
        read from the cloud side; Unsupported when the provider reports none."""
        raise Unsupported("additional_labels")

    def add_cluster(self, name: str, master: str) -> None:
        """Create a cluster whose control plane is at ``master`` (required for the clusters capability)."""
        raise Unsupported("add_cluster")


def _eq(actual: object, expected: object) -> None:
    """assert actual == expected (identity for booleans), with both values in the message: assertions in
    this module are not rewritten by pytest, which only rewrites test modules and plugins."""
    same = actual is expected if isinstance(expected, bool) else actual == expected
    if not same:
        raise AssertionError(f"got {actual!r}, expected {expected!r}")


def _service(name: str, uid: str, port: int = 80, node_port: int = 30080) -> Service:
    return Service(
        namespace="default",
        name=name,
        uid=uid,
        ports=(ServicePort(port=port, node_port=node_port, name="http"),),
    )


class ProviderConformance:
    """Base class of a provider's conformance tests (not collected itself: no ``Test`` prefix)."""

    provider_name: str = ""
    capabilities: frozenset[str] = frozenset()
    cluster_name: str = "conformance"

    # -- fixtures the provider's tests supply or may override ------------------------------------------
    @pytest.fixture
    def provider_config(self) -> Mapping[str, Any]:
        return {}

    @pytest.fixture
    def provider(self, provider_config: Mapping[str, Any]) -> Interface:
        provider = get_provider(self.provider_name, provider_config)
        provider.initialize(None, None)
        return provider

    @pytest.fixture
    def cloud(self) -> CloudHarness:
        raise NotImplementedError("the provider's test class must define a `cloud` fixture")

    def _need(self, provider: Interface, capability: str) -> Any:
        if capability not in self.capabilities:
            pytest.skip(f"provider does not support {capability}")
        impl = getattr(provider, capability)()
        assert impl is not None, f"{capability}() returned None, but {capability} is a declared capability"
        return impl

    def _instance(self, cloud: CloudHarness, name: str = "node-a", zone_index: int = 0) -> PreparedInstance:
        return cloud.add_instance(name, cloud.zones[zone_index])

    # -- identity and capabilities --------------------------------------------------------------------
    def test_registered_under_its_name(self, provider: Interface) -> None:
        assert self.provider_name in available_providers(), f"{self.provider_name!r} has no entry point"
        assert isinstance(provider, Interface), f"{type(provider).__name__} is not a cloud_provider.Interface"
        _eq(provider.provider_name(), self.provider_name)
        assert isinstance(provider.has_cluster_id(), bool), "has_cluster_id() must return a bool"

    def test_capabilities_match_accessors(self, provider: Interface) -> None:
        unknown = set(self.capabilities) - set(CAPABILITIES)
        assert not unknown, f"unknown capabilities declared: {sorted(unknown)}"
        for name, cls in CAPABILITIES.items():
            first, second = getattr(provider, name)(), getattr(provider, name)()
            if name in self.capabilities:
                assert isinstance(first, cls), f"{name}() should return a {cls.__name__}"
            else:
                assert first is None, f"{name}() should return None: not a declared capability"
            assert (first is None) == (second is None), f"{name}() must answer the same every time"

    # -- instances ------------------------------------------------------------------------------------
    def test_instance_lookups_by_name_and_provider_id_agree(
        self, provider: Interface, cloud: CloudHarness
    ) -> None:
        instances: Instances = self._need(provider, "instances")
        inst = self._instance(cloud)
        by_name = instances.node_addresses(inst.name)
        assert by_name, "an instance has at least one address"
        _eq(sorted(by_name), sorted(instances.node_addresses_by_provider_id(inst.provider_id)))
        assert all(isinstance(a.type, NodeAddressType) and a.address for a in by_name), (
            f"bad addresses: {by_name}"
        )
        _eq(instances.instance_type(inst.name), inst.instance_type)
        _eq(instances.instance_type_by_provider_id(inst.provider_id), inst.instance_type)
        _eq(make_provider_id(provider.provider_name(), instances.instance_id(inst.name)), inst.provider_id)
        _eq(instances.instance_exists_by_provider_id(inst.provider_id), True)
        _eq(instances.instance_shutdown_by_provider_id(inst.provider_id), False)

    def test_instances_are_told_apart(self, provider: Interface, cloud: CloudHarness) -> None:
        instances: Instances = self._need(provider, "instances")
        a, b = self._instance(cloud, "node-a", 0), self._instance(cloud, "node-b", 1)
        assert instances.instance_id("node-a") != instances.instance_id("node-b"), "two instances, one ID"
        assert a.provider_id != b.provider_id, "the harness gave two instances one provider ID"

    def test_unknown_instance_is_not_found(self, provider: Interface, cloud: CloudHarness) -> None:
        instances: Instances = self._need(provider, "instances")
        self._instance(cloud)
        unknown = cloud.unknown_provider_id()
        with pytest.raises(InstanceNotFound):
            instances.node_addresses("no-such-node")
        with pytest.raises(InstanceNotFound):
            instances.instance_id("no-such-node")
        with pytest.raises(InstanceNotFound):
            instances.node_addresses_by_provider_id(unknown)
        with pytest.raises(InstanceNotFound):
            instances.instance_type_by_provider_id(unknown)
        _eq(instances.instance_exists_by_provider_id(unknown), False)

    def test_shutdown_and_removed_instances(self, provider: Interface, cloud: CloudHarness) -> None:
        instances: Instances = self._need(provider, "instances")
        inst = self._instance(cloud)
        cloud.shutdown_instance(inst.name)
        _eq(instances.instance_exists_by_provider_id(inst.provider_id), True)
        _eq(instances.instance_shutdown_by_provider_id(inst.provider_id), True)
        cloud.remove_instance(inst.name)
        _eq(instances.instance_exists_by_provider_id(inst.provider_id), False)

    def test_instances_v2(self, provider: Interface, cloud: CloudHarness) -> None:
        v2: InstancesV2 = self._need(provider, "instances_v2")
        inst = self._instance(cloud)
        node = Node(name=inst.name, provider_id=inst.provider_id)
        _eq(v2.instance_exists(node), True)
        _eq(v2.instance_shutdown(node), False)
        meta = v2.instance_metadata(node)
        _eq(meta.provider_id, inst.provider_id)
        _eq(meta.instance_type, inst.instance_type)
        _eq((meta.zone, meta.region), (inst.zone.failure_domain, inst.zone.region))
        assert meta.node_addresses, "instance_metadata() returned no address"
        labels = meta.additional_labels
        assert isinstance(labels, tuple) and all(
            isinstance(p, tuple) and len(p) == 2 and all(isinstance(x, str) and x for x in p) for p in labels
        ), f"additional_labels must be (key, value) string pairs: {labels!r}"
        _eq(list(labels), sorted(dict(labels).items()))  # sorted, one value per key
        try:
            expected = cloud.additional_labels(inst.name)
        except Unsupported:
            expected = {}
        _eq(dict(labels), expected)
        by_name_only = v2.instance_metadata(Node(name=inst.name))
        _eq(by_name_only.provider_id, inst.provider_id)
        _eq(v2.instance_exists(Node(name="no-such-node", provider_id=cloud.unknown_provider_id())), False)

    # -- zones ----------------------------------------------------------------------------------------
    def test_zones_by_provider_id_and_node_name(self, provider: Interface, cloud: CloudHarness) -> None:
        zones: Zones = self._need(provider, "zones")
        a, b = self._instance(cloud, "node-a", 0), self._instance(cloud, "node-b", 1)
        for inst in (a, b):
            _eq(zones.get_zone_by_provider_id(inst.provider_id), inst.zone)
            _eq(zones.get_zone_by_node_name(inst.name), inst.zone)
        with pytest.raises(InstanceNotFound):
            zones.get_zone_by_node_name("no-such-node")
        with pytest.raises(InstanceNotFound):
            zones.get_zone_by_provider_id(cloud.unknown_provider_id())

    def test_current_zone_is_a_zone_or_unsupported(self, provider: Interface) -> None:
        zones: Zones = self._need(provider, "zones")
        try:
            zone = zones.get_zone()
        except Unsupported:
            return
        assert isinstance(zone, Zone) and zone.failure_domain and zone.region, f"get_zone() returned {zone!r}"

    # -- load balancers -------------------------------------------------------------------------------
    def _nodes(self, provider: Interface, cloud: CloudHarness, names: tuple[str, ...]) -> list[Node]:
        nodes = []
        for i, name in enumerate(names):
            inst = cloud.add_instance(name, cloud.zones[i % 2])
            addresses: tuple[Any, ...] = ()
            instances = provider.instances()
            if instances is not None:
                addresses = tuple(instances.node_addresses_by_provider_id(inst.provider_id))
            nodes.append(Node(name=name, provider_id=inst.provider_id, addresses=addresses))
        return nodes

    def test_load_balancer_lifecycle(self, provider: Interface, cloud: CloudHarness) -> None:
        lb: LoadBalancer = self._need(provider, "load_balancer")
        nodes = self._nodes(provider, cloud, ("node-a", "node-b", "node-c"))
        svc = _service("web", "0f6c2a3e-5b1d-4c1e-9d9a-6a7e1c2b3d41")
        _eq(lb.get_load_balancer(self.cluster_name, svc), (None, False))

        status = lb.ensure_load_balancer(self.cluster_name, svc, nodes[:2])
        assert isinstance(status, LoadBalancerStatus) and status.ingress, f"ensure returned {status!r}"
        assert all(i.ip or i.hostname for i in status.ingress), f"empty ingress in {status!r}"
        _eq(lb.get_load_balancer(self.cluster_name, svc), (status, True))
        assert lb.ensure_load_balancer(self.cluster_name, svc, nodes[:2]) == status, "ensure is idempotent"
        self._check_targets(cloud, svc, {"node-a", "node-b"})

        lb.update_load_balancer(self.cluster_name, svc, [nodes[1], nodes[2]])
        self._check_targets(cloud, svc, {"node-b", "node-c"})
        _eq(lb.get_load_balancer(self.cluster_name, svc), (status, True))

        lb.ensure_load_balancer_deleted(self.cluster_name, svc)
        _eq(lb.get_load_balancer(self.cluster_name, svc), (None, False))
        lb.ensure_load_balancer_deleted(self.cluster_name, svc)  # idempotent

    def test_load_balancer_ports_change(self, provider: Interface, cloud: CloudHarness) -> None:
        lb: LoadBalancer = self._need(provider, "load_balancer")
        nodes = self._nodes(provider, cloud, ("node-a",))
        svc = _service("web", "c4a1f2e3-9d8b-4c7a-b6e5-1f2d3c4b5a63")
        lb.ensure_load_balancer(self.cluster_name, svc, nodes)
        moved = _service("web", svc.uid, port=8080, node_port=30081)
        status = lb.ensure_load_balancer(self.cluster_name, moved, nodes)
        assert status.ingress, f"ensure returned {status!r}"
        _eq(lb.get_load_balancer(self.cluster_name, moved), (status, True))
        self._check_targets(cloud, moved, {"node-a"})
        lb.ensure_load_balancer_deleted(self.cluster_name, moved)
        _eq(lb.get_load_balancer(self.cluster_name, moved), (None, False))

    def test_load_balancer_names(self, provider: Interface) -> None:
        lb: LoadBalancer = self._need(provider, "load_balancer")
        one = _service("web", "0f6c2a3e-5b1d-4c1e-9d9a-6a7e1c2b3d41")
        two = _service("api", "7d3e91b0-2c4f-4a8b-8e1d-0b9c5f6a7e12")
        name = lb.get_load_balancer_name(self.cluster_name, one)
        assert name, "get_load_balancer_name() returned an empty name"
        _eq(lb.get_load_balancer_name(self.cluster_name, one), name)
        assert name != lb.get_load_balancer_name(self.cluster_name, two), (
            f"two services share the name {name}"
        )

    def test_deleting_a_missing_load_balancer_is_not_an_error(self, provider: Interface) -> None:
        lb: LoadBalancer = self._need(provider, "load_balancer")
        lb.ensure_load_balancer_deleted(
            self.cluster_name, _service("ghost", "e9b8a7c6-d5f4-4e3d-a2c1-b0a9f8e7d6c5")
        )

    def _check_targets(self, cloud: CloudHarness, svc: Service, expected: set[str]) -> None:
        try:
            targets = cloud.load_balancer_targets(self.cluster_name, svc)
        except Unsupported:
            return
        _eq(targets, expected)

    # -- routes ---------------------------------------------------------------------------------------
    def test_routes_create_list_delete(self, provider: Interface, cloud: CloudHarness) -> None:
        routes: Routes = self._need(provider, "routes")
        nodes = {n.name: n for n in self._nodes(provider, cloud, ("node-a", "node-b"))}
        _eq(routes.list_routes(self.cluster_name), [])
        for name, hint, cidr in (
            ("node-a", "hint-a", "10.244.1.0/24"),
            ("node-b", "hint-b", "10.244.2.0/24"),
        ):
            addresses = nodes[name].addresses or (
                NodeAddress(NodeAddressType.INTERNAL_IP, f"10.9.0.{hint[-1]}"),
            )
            route = Route(target_node=name, destination_cidr=cidr, target_node_addresses=addresses)
            routes.create_route(self.cluster_name, hint, route)
        listed = routes.list_routes(self.cluster_name)
        _eq(
            sorted((r.target_node, r.destination_cidr) for r in listed),
            [("node-a", "10.244.1.0/24"), ("node-b", "10.244.2.0/24")],
        )
        assert not any(r.blackhole for r in listed), f"routes to live nodes reported as blackholes: {listed}"
        for r in listed:  # TargetNodeAddresses: none, or addresses of that very node
            own = set(nodes[r.target_node].addresses)
            assert isinstance(r.target_node_addresses, tuple) and set(r.target_node_addresses) <= own, (
                f"route to {r.target_node} lists addresses {r.target_node_addresses}, not the node's {own}"
            )
        gone = next(r for r in listed if r.target_node == "node-a")
        routes.delete_route(self.cluster_name, gone)
        _eq(
            [(r.target_node, r.destination_cidr) for r in routes.list_routes(self.cluster_name)],
            [("node-b", "10.244.2.0/24")],
        )
        routes.delete_route(self.cluster_name, gone)  # deleting a missing route is not an error

    def test_route_to_a_node_without_instance_is_refused(
        self, provider: Interface, cloud: CloudHarness
    ) -> None:
        routes: Routes = self._need(provider, "routes")
        with pytest.raises(InstanceNotFound):
            routes.create_route(
                self.cluster_name,
                "ghost",
                Route(target_node="no-such-node", destination_cidr="10.244.9.0/24"),
            )
        _eq(routes.list_routes(self.cluster_name), [])

    # -- clusters -------------------------------------------------------------------------------------
    def test_clusters(self, provider: Interface, cloud: CloudHarness) -> None:
        clusters: Clusters = self._need(provider, "clusters")
        made = {"conformance-one": "https://10.0.0.1:6443", "conformance-two": "https://10.0.0.2:6443"}
        try:
            for name, master in sorted(made.items()):
                cloud.add_cluster(name, master)
        except Unsupported:
            pytest.fail("a provider with the clusters capability needs a harness that implements add_cluster")
        names = clusters.list_clusters()
        assert isinstance(names, list) and all(isinstance(n, str) for n in names), (
            f"list_clusters(): {names!r}"
        )
        assert set(made) <= set(names), (
            f"list_clusters() returned {names!r}, missing {sorted(set(made) - set(names))}"
        )
        for name, master in sorted(made.items()):
            _eq(clusters.master(name), master)
