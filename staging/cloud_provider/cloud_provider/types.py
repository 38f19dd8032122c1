"""Typed value objects exchanged between a controller manager and a cloud provider.

They mirror the parts of Kubernetes' core/v1 objects that k8s.io/cloud-provider reads or writes: a Node
(name, provider ID, addresses), a Service (ports, load balancer status), zones and routes. All are frozen,
ordered dataclasses, so results can be compared, hashed and sorted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from cloud_provider.errors import Unsupported


class NodeAddressType(str, enum.Enum):
    """core/v1 NodeAddressType."""

    HOSTNAME = "Hostname"
    INTERNAL_IP = "InternalIP"
    EXTERNAL_IP = "ExternalIP"
    INTERNAL_DNS = "InternalDNS"
    EXTERNAL_DNS = "ExternalDNS"


@dataclass(frozen=True, order=True)
class NodeAddress:
    type: NodeAddressType
    address: str

    @classmethod
    def parse(cls, type_: str, address: str) -> NodeAddress:
        """Build from strings; ValueError names the unknown address type."""
        try:
            kind = NodeAddressType(type_)
        except ValueError:
            known = ", ".join(t.value for t in NodeAddressType)
            raise ValueError(f"unknown node address type {type_!r} (known: {known})") from None
        return cls(kind, address)


@dataclass(frozen=True, order=True)
class Zone:
    """cloudprovider.Zone: the failure domain (topology.kubernetes.io/zone) and the region."""

    failure_domain: str
    region: str


@dataclass(frozen=True, order=True)
class Node:
    """What a provider needs to know about a cluster node."""

    name: str
    provider_id: str = ""
    addresses: tuple[NodeAddress, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, key: str) -> str | None:
        return dict(self.labels).get(key)


class Protocol(str, enum.Enum):
    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


@dataclass(frozen=True, order=True)
class ServicePort:
    port: int
    node_port: int
    protocol: Protocol = Protocol.TCP
    name: str = ""


@dataclass(frozen=True, order=True)
class LoadBalancerIngress:
    """One entry of status.loadBalancer.ingress: an IP, a hostname, or both."""

    ip: str = ""
    hostname: str = ""


@dataclass(frozen=True, order=True)
class LoadBalancerStatus:
    ingress: tuple[LoadBalancerIngress, ...] = ()


@dataclass(frozen=True, order=True)
class Service:
    """A Service of type LoadBalancer, as the service controller hands it to a provider."""

    namespace: str
    name: str
    uid: str
    ports: tuple[ServicePort, ...] = ()
    type: str = "LoadBalancer"
    load_balancer_ip: str = ""  # spec.loadBalancerIP, a request the provider may honour
    status: LoadBalancerStatus = field(default_factory=LoadBalancerStatus)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, order=True)
class Route:
    """cloudprovider.Route: traffic for destination_cidr goes to target_node.

    ``target_node_addresses`` (TargetNodeAddresses) are the node's addresses as the cluster knows them:
    the route controller passes them to ``create_route``, so a provider that routes to an address needs
    no lookup of its own; ``list_routes`` may fill them in, with addresses of that node only.
    """

    target_node: str
    destination_cidr: str
    name: str = ""
    blackhole: bool = False  # the route's target is gone; the route controller deletes such routes
    target_node_addresses: tuple[NodeAddress, ...] = ()


@dataclass(frozen=True, order=True)
class InstanceMetadata:
    """cloudprovider.InstanceMetadata, returned by InstancesV2.instance_metadata."""

    provider_id: str
    instance_type: str
    node_addresses: tuple[NodeAddress, ...]
    zone: str = ""
    region: str = ""
    #: AdditionalLabels: labels the cloud wants on the node, as sorted (key, value) pairs. The node
    #: controller applies them, except over the labels it sets itself (zone, region, instance type).
    additional_labels: tuple[tuple[str, str], ...] = ()


def configured_zone(zone: str, region: str, advice: str) -> Zone:
    """Zones.get_zone answered from a provider's cloud config: its zone and region, or Unsupported with
    `advice` (which key to set) when no zone is configured."""
    if not zone:
        raise Unsupported(advice)
    return Zone(zone, region)


def make_provider_id(provider_name: str, instance_id: str) -> str:
    """The node's spec.providerID: '<provider>://<instance id>' (cloudprovider.GetInstanceProviderID)."""
    return f"{provider_name}://{instance_id}"


def split_provider_id(provider_id: str) -> tuple[str, str]:
    """('aws', '/us-east-1a/i-0abc') for 'aws:///us-east-1a/i-0abc'; ValueError when malformed."""
    scheme, sep, rest = provider_id.partition("://")
    if not sep or not scheme or not rest:
        raise ValueError(f"malformed provider ID {provider_id!r} (expected '<provider>://<id>')")
    return scheme, rest
