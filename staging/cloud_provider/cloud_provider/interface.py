"""The cloud provider Interface (k8s.io/cloud-provider cloud.go) and its sub-interfaces.

Differences from Go, all Pythonic equivalents:
- Go's ``(impl, ok bool)`` pairs become ``impl | None``: ``None`` means the cloud does not support it.
- Go's ``error`` results become exceptions (cloud_provider.errors); ``(value, exists bool, error)`` keeps
  the ``exists`` flag where Kubernetes has one (``get_load_balancer``).
- ``context.Context`` is dropped; ``Initialize(clientBuilder, stop)`` becomes
  ``initialize(client_builder, stop)`` where ``stop`` is a ``threading.Event`` set on shutdown.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Sequence

from cloud_provider.errors import Unsupported
from cloud_provider.types import (
    InstanceMetadata,
    LoadBalancerStatus,
    Node,
    NodeAddress,
    Route,
    Service,
    Zone,
)


class LoadBalancer(abc.ABC):
    """cloudprovider.LoadBalancer: external load balancers for Services of type LoadBalancer.

    ``ensure_load_balancer`` and ``ensure_load_balancer_deleted`` are idempotent: calling them again with
    the same arguments changes nothing and does not fail.
    """

    @abc.abstractmethod
    def get_load_balancer(
        self, cluster_name: str, service: Service
    ) -> tuple[LoadBalancerStatus | None, bool]:
        """(status, exists) of the service's load balancer."""

    @abc.abstractmethod
    def get_load_balancer_name(self, cluster_name: str, service: Service) -> str:
        """The cloud-side name of the service's load balancer (stable for one service UID)."""

    @abc.abstractmethod
    def ensure_load_balancer(
        self, cluster_name: str, service: Service, nodes: Sequence[Node]
    ) -> LoadBalancerStatus:
        """Create or update the load balancer so it serves the service's ports on these nodes."""

    @abc.abstractmethod
    def update_load_balancer(self, cluster_name: str, service: Service, nodes: Sequence[Node]) -> None:
        """Point an existing load balancer at this set of nodes."""

    @abc.abstractmethod
    def ensure_load_balancer_deleted(self, cluster_name: str, service: Service) -> None:
        """Delete the load balancer if it exists; no error when it does not."""


class Instances(abc.ABC):
    """cloudprovider.Instances: what the cloud knows about the machine behind a node.

    Lookups of an unknown node name or provider ID raise ``InstanceNotFound``, except the ``*_exists_*``
    and ``*_shutdown_*`` queries, which answer ``False``/raise respectively as in Kubernetes.
    """

    @abc.abstractmethod
    def node_addresses(self, name: str) -> list[NodeAddress]: ...

    @abc.abstractmethod
    def node_addresses_by_provider_id(self, provider_id: str) -> list[NodeAddress]: ...

    @abc.abstractmethod
    def instance_id(self, name: str) -> str:
        """The cloud's ID of the node's instance.

        The node's provider ID is ``make_provider_id(provider_name(), instance_id)``."""

    @abc.abstractmethod
    def instance_type(self, name: str) -> str: ...

    @abc.abstractmethod
    def instance_type_by_provider_id(self, provider_id: str) -> str: ...

    @abc.abstractmethod
    def instance_exists_by_provider_id(self, provider_id: str) -> bool:
        """False when the instance is gone (terminated, deleted): the node is then deleted."""

    @abc.abstractmethod
    def instance_shutdown_by_provider_id(self, provider_id: str) -> bool:
        """True when the instance exists but is stopped; raises InstanceNotFound when it does not exist."""

    def current_node_name(self, hostname: str) -> str:
        """The node name of the machine with this hostname (default: the hostname itself)."""
        return hostname

    def add_ssh_key_to_all_instances(self, user: str, key_data: bytes) -> None:
        """Deprecated in Kubernetes; unsupported unless a provider overrides it."""
        raise Unsupported("add_ssh_key_to_all_instances")


class InstancesV2(abc.ABC):
    """cloudprovider.InstancesV2: the same questions, asked with the whole Node (optional)."""

    @abc.abstractmethod
    def instance_exists(self, node: Node) -> bool: ...

    @abc.abstractmethod
    def instance_shutdown(self, node: Node) -> bool: ...

    @abc.abstractmethod
    def instance_metadata(self, node: Node) -> InstanceMetadata: ...


class Zones(abc.ABC):
    """cloudprovider.Zones."""

    @abc.abstractmethod
    def get_zone(self) -> Zone:
        """The zone of the machine this process runs on (may raise Unsupported)."""

    @abc.abstractmethod
    def get_zone_by_provider_id(self, provider_id: str) -> Zone: ...

    @abc.abstractmethod
    def get_zone_by_node_name(self, node_name: str) -> Zone: ...


class Routes(abc.ABC):
    """cloudprovider.Routes: routes from node pod CIDRs to nodes.

    ``delete_route`` of a route that does not exist is not an error.
    """

    @abc.abstractmethod
    def list_routes(self, cluster_name: str) -> list[Route]: ...

    @abc.abstractmethod
    def create_route(self, cluster_name: str, name_hint: str, route: Route) -> None: ...

    @abc.abstractmethod
    def delete_route(self, cluster_name: str, route: Route) -> None: ...


class Clusters(abc.ABC):
    """cloudprovider.Clusters."""

    @abc.abstractmethod
    def list_clusters(self) -> list[str]: ...

    @abc.abstractmethod
    def master(self, cluster_name: str) -> str:
        """The address of the cluster's control plane."""


class Interface(abc.ABC):
    """cloudprovider.Interface: what a cloud provider offers the controller manager.

    Each accessor returns the sub-interface, or ``None`` when the cloud does not support it; the answer
    does not change over the provider's lifetime.
    """

    def initialize(  # noqa: B027 - optional hook: doing nothing is the right default
        self, client_builder: object | None = None, stop: threading.Event | None = None
    ) -> None:
        """Called once, before any other method; the default does nothing.

        ``client_builder`` gives access to the cluster's API when the caller has one (opaque to the
        framework; this repository's controller manager passes ``None``, its cluster being a state file).
        ``stop`` is set when the caller shuts down; a provider that starts threads stops them then.
        """

    @abc.abstractmethod
    def load_balancer(self) -> LoadBalancer | None: ...

    @abc.abstractmethod
    def instances(self) -> Instances | None: ...

    def instances_v2(self) -> InstancesV2 | None:
        """Optional; ``None`` by default, and the controllers then use ``instances()``."""
        return None

    @abc.abstractmethod
    def zones(self) -> Zones | None: ...

    @abc.abstractmethod
    def clusters(self) -> Clusters | None: ...

    @abc.abstractmethod
    def routes(self) -> Routes | None: ...

    @abc.abstractmethod
    def provider_name(self) -> str:
        """The name the provider is registered under (its entry point name)."""

    @abc.abstractmethod
    def has_cluster_id(self) -> bool:
        """True when the provider tags its cloud resources with a cluster ID."""
