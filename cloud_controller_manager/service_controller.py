"""The service controller: a cloud load balancer for every Service of type LoadBalancer.

It ensures the load balancer when the service is new or its ports changed (or the load balancer went
missing), updates its hosts when the set of eligible nodes changed, writes the load balancer status back
into the service, and deletes load balancers whose service is gone or is no longer of type LoadBalancer.
In a dry run it reports what it would do and makes no call that changes the cloud.
A provider that answers ``ImplementedElsewhere`` (another controller builds its load balancers) is left to
it, as Kubernetes' service controller does: the service is skipped, and a load balancer it no longer
wants is forgotten without a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from cloud_provider import (
    ImplementedElsewhere,
    Interface,
    LoadBalancer,
    LoadBalancerStatus,
    Node,
)

from cloud_controller_manager.changes import Report
from cloud_controller_manager.node_controller import TAINT_SHUTDOWN, TAINT_UNINITIALIZED, as_node
from cloud_controller_manager.state import ClusterState, ManagedLoadBalancer, ServiceState

LABEL_EXCLUDE = "node.kubernetes.io/exclude-from-external-load-balancers"


def eligible_nodes(state: ClusterState) -> list[Node]:
    """Nodes a load balancer may send traffic to: initialized, running, not excluded by label."""
    skip = {TAINT_SHUTDOWN.key, TAINT_UNINITIALIZED.key}
    return [
        as_node(n)
        for n in sorted(state.nodes, key=lambda n: n.name)
        if n.provider_id and LABEL_EXCLUDE not in n.labels and not any(t.key in skip for t in n.taints)
    ]


def reconcile_services(provider: Interface, state: ClusterState, report: Report) -> None:
    lb = provider.load_balancer()
    if lb is None:
        return
    nodes = eligible_nodes(state)
    wanted = {s.key: s for s in state.services if s.type == "LoadBalancer"}
    for key in sorted(set(state.load_balancers) - set(wanted)):
        _delete(
            lb, state, state.load_balancers[key], report, "service is gone or no longer of type LoadBalancer"
        )
    for key, svc in sorted(wanted.items()):
        try:
            _sync(lb, state, svc, nodes, report)
        except ImplementedElsewhere:  # not this provider's job: forget any record begun this pass
            if state.load_balancers.get(key, None) is not None and state.load_balancers[key].pending:
                del state.load_balancers[key]
        except Exception as exc:  # one service's failure must not stop the others
            report.fail("service", key, exc)


def _delete(
    lb: LoadBalancer, state: ClusterState, managed: ManagedLoadBalancer, report: Report, why: str
) -> bool:
    """Delete the load balancer and forget it; False (and a failure reported) when the cloud refused."""
    try:
        if not report.dry_run:
            lb.ensure_load_balancer_deleted(state.cluster_name, managed.to_service())
    except ImplementedElsewhere:
        del state.load_balancers[managed.key]
        report.change(
            "service",
            managed.key,
            f"forgot load balancer ({why}; implemented elsewhere)",
        )
        return True
    except Exception as exc:
        report.fail("service", managed.key, exc)
        return False
    del state.load_balancers[managed.key]
    report.change("service", managed.key, f"deleted load balancer ({why})")
    for svc in state.services:
        if svc.key == managed.key and svc.status.ingress:
            svc.status = LoadBalancerStatus()
            report.change("service", svc.key, "cleared load balancer status")
    return True


def _sync(
    lb: LoadBalancer, state: ClusterState, svc: ServiceState, nodes: list[Node], report: Report
) -> None:
    managed = state.load_balancers.get(svc.key)
    if managed is not None and managed.uid != svc.uid:  # deleted and re-created under the same name
        if not _delete(lb, state, managed, report, "service was re-created"):
            return  # the old load balancer must go first; retried next pass
        managed = None
    service = svc.to_service()
    hosts = tuple(n.name for n in nodes)
    record = ManagedLoadBalancer(svc.namespace, svc.name, svc.uid, service.ports, svc.load_balancer_ip, hosts)
    status, exists = lb.get_load_balancer(state.cluster_name, service)
    spec = (record.ports, record.load_balancer_ip)
    spec_changed = managed is None or managed.pending or (managed.ports, managed.load_balancer_ip) != spec
    if spec_changed or not exists:
        why = _why(managed, spec_changed)
        if report.dry_run:  # the status is only known once the cloud has built the load balancer
            report.change("service", svc.key, f"ensured load balancer ({why}) with hosts {_names(hosts)}")
            return
        state.load_balancers[svc.key] = replace(record, pending=True)  # the finalizer, before the cloud call
        status = lb.ensure_load_balancer(state.cluster_name, service, nodes)
        report.change("service", svc.key, f"ensured load balancer ({why}) with hosts {_names(hosts)}")
    elif managed is not None and managed.nodes != hosts:
        if not report.dry_run:
            lb.update_load_balancer(state.cluster_name, service, nodes)
        diff = [f"-{n}" for n in set(managed.nodes) - set(hosts)] + [
            f"+{n}" for n in set(hosts) - set(managed.nodes)
        ]
        diff.sort(key=lambda d: (d[1:], d[0]))
        report.change("service", svc.key, f"updated load balancer hosts: {_names(diff)} (now {len(hosts)})")
    state.load_balancers[svc.key] = record
    if status is not None and status != svc.status:
        svc.status = status
        ingress = ", ".join(i.ip or i.hostname for i in status.ingress)
        report.change("service", svc.key, f"set load balancer ingress {ingress}")


def _why(managed: ManagedLoadBalancer | None, spec_changed: bool) -> str:
    if managed is None:
        return "created"
    if managed.pending:
        return "retry after a failure"
    return "spec changed" if spec_changed else "was missing"


def _names(names: Sequence[str], most: int = 10) -> str:
    """A readable list, cut after ``most`` names so that big clusters still print one short line."""
    if not names:
        return "(none)"
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"
