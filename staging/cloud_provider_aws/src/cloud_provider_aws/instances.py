"""EC2 instances as cluster nodes: lookups by node name (an instance tag) or provider ID, addresses, zones.

Only instances tagged ``kubernetes.io/cluster/<cluster_id>`` (and in ``vpc_id`` when set) are seen.
Provider IDs have Kubernetes' AWS form ``aws:///<availability zone>/<instance id>``.
"""

from __future__ import annotations

from typing import Any

from cloud_provider import (
    InstanceMetadata,
    InstanceNotFound,
    Instances,
    InstancesV2,
    Node,
    NodeAddress,
    NodeAddressType,
    Zone,
    Zones,
    configured_zone,
    instance_found,
    split_provider_id,
)

from cloud_provider_aws.client import Clients
from cloud_provider_aws.config import AWSConfig

PROVIDER_NAME = "aws"
ALIVE = ["pending", "running", "stopping", "stopped"]
STOPPED = {"stopping", "stopped"}
LABEL_ZONE_ID = "topology.k8s.aws/zone-id"


def instance_id_from_provider_id(provider_id: str) -> str:
    try:
        scheme, rest = split_provider_id(provider_id)
    except ValueError as exc:
        raise InstanceNotFound(str(exc)) from None
    instance_id = rest.rstrip("/").rsplit("/", 1)[-1]
    if scheme != PROVIDER_NAME or not instance_id.startswith("i-"):
        raise InstanceNotFound(f"not an AWS provider ID: {provider_id!r}")
    return instance_id


class Directory:
    """Reads the cluster's instances from EC2."""

    def __init__(self, config: AWSConfig, clients: Clients) -> None:
        self.config, self.clients = config, clients

    def _filters(self, *extra: dict[str, Any], alive: bool = True) -> list[dict[str, Any]]:
        filters = [{"Name": "tag-key", "Values": [self.config.cluster_tag]}]
        if alive:
            filters.append({"Name": "instance-state-name", "Values": ALIVE})
        if self.config.vpc_id:
            filters.append({"Name": "vpc-id", "Values": [self.config.vpc_id]})
        return filters + list(extra)

    def _describe(self, *extra: dict[str, Any], alive: bool = True) -> list[dict[str, Any]]:
        filters = self._filters(*extra, alive=alive)
        reservations = self.clients.paginate(
            self.clients.ec2, "describe_instances", "Reservations", Filters=filters
        )
        return sorted((i for r in reservations for i in r["Instances"]), key=lambda i: str(i["InstanceId"]))

    def by_name(self, name: str) -> dict[str, Any]:
        found = self._describe({"Name": f"tag:{self.config.node_name_tag}", "Values": [name]})
        if not found:
            raise InstanceNotFound(
                f"no EC2 instance tagged {self.config.node_name_tag}={name}"
                f" in cluster {self.config.cluster_id}"
            )
        if len(found) > 1:
            ids = ", ".join(i["InstanceId"] for i in found)
            raise InstanceNotFound(f"node {name!r} is ambiguous: instances {ids} carry that name")
        return found[0]

    def by_provider_id(self, provider_id: str) -> dict[str, Any]:
        instance_id = instance_id_from_provider_id(provider_id)
        found = self._describe({"Name": "instance-id", "Values": [instance_id]})
        if not found:
            raise InstanceNotFound(f"no EC2 instance {instance_id} in cluster {self.config.cluster_id}")
        return found[0]

    def by_ids(self, instance_ids: list[str]) -> list[dict[str, Any]]:
        """The cluster's instances with these IDs, terminated ones included (EC2 lists them a while)."""
        return (
            self._describe({"Name": "instance-id", "Values": instance_ids}, alive=False)
            if instance_ids
            else []
        )

    def node_name(self, instance: dict[str, Any]) -> str:
        return next(
            (t["Value"] for t in instance.get("Tags", []) if t["Key"] == self.config.node_name_tag), ""
        )


def is_alive(instance: dict[str, Any]) -> bool:
    return instance["State"]["Name"] in ALIVE


def addresses_of(instance: dict[str, Any]) -> list[NodeAddress]:
    pairs = [
        (NodeAddressType.INTERNAL_IP, instance.get("PrivateIpAddress")),
        (NodeAddressType.EXTERNAL_IP, instance.get("PublicIpAddress")),
        (NodeAddressType.INTERNAL_DNS, instance.get("PrivateDnsName")),
        (NodeAddressType.HOSTNAME, instance.get("PrivateDnsName")),
        (NodeAddressType.EXTERNAL_DNS, instance.get("PublicDnsName")),
    ]
    return [NodeAddress(kind, value) for kind, value in pairs if value]


class AWSInstances(Instances, Zones):
    def __init__(self, config: AWSConfig, directory: Directory) -> None:
        self.config, self.directory = config, directory

    def node_addresses(self, name: str) -> list[NodeAddress]:
        return addresses_of(self.directory.by_name(name))

    def node_addresses_by_provider_id(self, provider_id: str) -> list[NodeAddress]:
        return addresses_of(self.directory.by_provider_id(provider_id))

    def instance_id(self, name: str) -> str:
        instance = self.directory.by_name(name)
        return f"/{instance['Placement']['AvailabilityZone']}/{instance['InstanceId']}"

    def instance_type(self, name: str) -> str:
        return str(self.directory.by_name(name)["InstanceType"])

    def instance_type_by_provider_id(self, provider_id: str) -> str:
        return str(self.directory.by_provider_id(provider_id)["InstanceType"])

    def instance_exists_by_provider_id(self, provider_id: str) -> bool:
        return instance_found(self.directory.by_provider_id, provider_id)

    def instance_shutdown_by_provider_id(self, provider_id: str) -> bool:
        return self.directory.by_provider_id(provider_id)["State"]["Name"] in STOPPED

    # -- Zones ----------------------------------------------------------------------------------------
    def get_zone(self) -> Zone:
        return configured_zone(
            self.config.zone,
            self.config.region,
            "aws: set 'zone' in the cloud config (the instance metadata service is not queried)",
        )

    def get_zone_by_provider_id(self, provider_id: str) -> Zone:
        return Zone(
            self.directory.by_provider_id(provider_id)["Placement"]["AvailabilityZone"], self.config.region
        )

    def get_zone_by_node_name(self, node_name: str) -> Zone:
        return Zone(self.directory.by_name(node_name)["Placement"]["AvailabilityZone"], self.config.region)


class AWSInstancesV2(InstancesV2):
    """The whole-Node questions, each answered by one DescribeInstances call (and the zone's ID, asked
    once per zone, as the additional label ``topology.k8s.aws/zone-id``, as Kubernetes' AWS provider)."""

    def __init__(self, config: AWSConfig, directory: Directory) -> None:
        self.config, self.directory = config, directory
        self._zone_ids: dict[str, str] = {}

    def _lookup(self, node: Node) -> dict[str, Any]:
        if node.provider_id:
            return self.directory.by_provider_id(node.provider_id)
        return self.directory.by_name(node.name)

    def instance_exists(self, node: Node) -> bool:
        return instance_found(self._lookup, node)

    def instance_shutdown(self, node: Node) -> bool:
        return self._lookup(node)["State"]["Name"] in STOPPED

    def instance_metadata(self, node: Node) -> InstanceMetadata:
        instance = self._lookup(node)
        zone = instance["Placement"]["AvailabilityZone"]
        zone_id = self._zone_id(zone)
        return InstanceMetadata(
            provider_id=f"aws:///{zone}/{instance['InstanceId']}",
            instance_type=str(instance["InstanceType"]),
            node_addresses=tuple(addresses_of(instance)),
            zone=zone,
            region=self.config.region,
            additional_labels=((LABEL_ZONE_ID, zone_id),) if zone_id else (),
        )

    def _zone_id(self, zone: str) -> str:
        """The zone's ID (``use1-az1``), the same in every account, unlike zone names; asked once per zone."""
        if zone not in self._zone_ids:
            found = self.directory.clients.call(
                self.directory.clients.ec2.describe_availability_zones, ZoneNames=[zone]
            )
            zones = found.get("AvailabilityZones", []) if found else []
            self._zone_ids[zone] = str(zones[0].get("ZoneId", "")) if zones else ""
        return self._zone_ids[zone]
