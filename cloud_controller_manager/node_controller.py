"""The cloud node controller and the cloud node lifecycle controller, merged.

For each node: delete it when its instance is gone; otherwise set its provider ID (once), addresses,
instance type and topology labels from the cloud, and the instance's additional labels (InstancesV2
only; never over the three labels this controller sets itself), keep the shutdown taint in step with
the instance, and drop the ``uninitialized`` taint once the node has been initialized from the cloud.
A provider that answers ``ImplementedElsewhere`` leaves the node to another component: it is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloud_provider import (
    ImplementedElsewhere,
    InstanceNotFound,
    Interface,
    Node,
    NodeAddress,
    make_provider_id,
)

from cloud_controller_manager.changes import Report
from cloud_controller_manager.state import ClusterState, NodeState, Taint

LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_REGION = "topology.kubernetes.io/region"
LABEL_INSTANCE_TYPE = "node.kubernetes.io/instance-type"
TAINT_SHUTDOWN = Taint("node.cloudprovider.kubernetes.io/shutdown", "NoSchedule")
TAINT_UNINITIALIZED = Taint("node.cloudprovider.kubernetes.io/uninitialized", "NoSchedule", "true")


@dataclass(frozen=True)
class CloudFacts:
    """What the cloud says about one node's instance."""

    exists: bool
    provider_id: str = ""
    instance_type: str = ""
    addresses: tuple[NodeAddress, ...] = ()
    zone: str = ""
    region: str = ""
    shutdown: bool = False
    additional_labels: tuple[tuple[str, str], ...] = ()


def as_node(node: NodeState) -> Node:
    return Node(node.name, node.provider_id, tuple(node.addresses), tuple(sorted(node.labels.items())))


def cloud_facts(provider: Interface, node: NodeState) -> CloudFacts:
    """Ask InstancesV2 when the provider has it, Instances (and Zones) otherwise."""
    v2 = provider.instances_v2()
    if v2 is not None:
        subject = as_node(node)
        if not v2.instance_exists(subject):
            return CloudFacts(exists=False)
        meta = v2.instance_metadata(subject)
        shutdown = v2.instance_shutdown(subject)
        return CloudFacts(
            True,
            meta.provider_id,
            meta.instance_type,
            tuple(meta.node_addresses),
            meta.zone,
            meta.region,
            shutdown,
            tuple(sorted(meta.additional_labels)),
        )
    instances = provider.instances()
    if instances is None:
        raise RuntimeError("provider offers neither instances nor instances_v2")
    provider_id = node.provider_id
    if not provider_id:
        try:
            provider_id = make_provider_id(provider.provider_name(), instances.instance_id(node.name))
        except InstanceNotFound:
            return CloudFacts(exists=False)
    if not instances.instance_exists_by_provider_id(provider_id):
        return CloudFacts(exists=False)
    zone = region = ""
    zones = provider.zones()
    if zones is not None:
        z = zones.get_zone_by_provider_id(provider_id)
        zone, region = z.failure_domain, z.region
    return CloudFacts(
        True,
        provider_id,
        instances.instance_type_by_provider_id(provider_id),
        tuple(instances.node_addresses_by_provider_id(provider_id)),
        zone,
        region,
        instances.instance_shutdown_by_provider_id(provider_id),
    )


def reconcile_nodes(provider: Interface, state: ClusterState, report: Report) -> None:
    if provider.instances() is None and provider.instances_v2() is None:
        return
    for node in sorted(state.nodes, key=lambda n: n.name):
        try:
            facts = cloud_facts(provider, node)
        except ImplementedElsewhere:  # another component looks after this node
            continue
        except Exception as exc:  # one node's failure must not stop the others (the controller retries)
            report.fail("node", node.name, exc)
            continue
        if not facts.exists:
            state.nodes.remove(node)
            report.change("node", node.name, "deleted (its instance no longer exists)")
            continue
        _apply(node, facts, report)


def _apply(node: NodeState, facts: CloudFacts, report: Report) -> None:
    if not node.provider_id and facts.provider_id:
        node.provider_id = facts.provider_id
        report.change("node", node.name, f"set provider ID {facts.provider_id}")
    if facts.addresses and list(facts.addresses) != node.addresses:
        node.addresses = list(facts.addresses)
        report.change(
            "node",
            node.name,
            "set addresses " + ", ".join(f"{a.type.value}={a.address}" for a in facts.addresses),
        )
    own = (LABEL_INSTANCE_TYPE, LABEL_REGION, LABEL_ZONE)
    extra = [(k, v) for k, v in facts.additional_labels if k not in own]
    for key, value in [
        (LABEL_INSTANCE_TYPE, facts.instance_type),
        (LABEL_REGION, facts.region),
        (LABEL_ZONE, facts.zone),
        *extra,
    ]:
        if value and node.labels.get(key) != value:
            node.labels[key] = value
            report.change("node", node.name, f"set label {key}={value}")
    _set_taint(node, TAINT_SHUTDOWN, facts.shutdown, report, "instance is shut down")
    _set_taint(node, TAINT_UNINITIALIZED, False, report, "")


def _set_taint(node: NodeState, taint: Taint, wanted: bool, report: Report, why: str) -> None:
    present = [t for t in node.taints if t.key == taint.key]
    if wanted and not present:
        node.taints.append(taint)
        report.change("node", node.name, f"added taint {taint.key}:{taint.effect} ({why})")
    elif not wanted and present:
        node.taints = [t for t in node.taints if t.key != taint.key]
        report.change("node", node.name, f"removed taint {taint.key}")
