"""The route controller: one cloud route per node pod CIDR; missing routes are created, stale ones deleted.

A route is stale when its node is gone, its node's pod CIDR changed, or the cloud reports it as a
blackhole. When the state sets ``cluster_cidr``, routes outside it are not the cluster's and are left alone.
New routes carry the node's addresses (``target_node_addresses``). A provider whose routes are
``ImplementedElsewhere`` is left alone: nothing is reported, nothing fails.
"""

from __future__ import annotations

import ipaddress

from cloud_provider import ImplementedElsewhere, Interface, Route

from cloud_controller_manager.changes import Report
from cloud_controller_manager.state import ClusterState


def _in_cluster(cidr: str, cluster_cidr: str) -> bool:
    if not cluster_cidr:
        return True
    try:
        return ipaddress.ip_network(cidr).subnet_of(ipaddress.ip_network(cluster_cidr))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False


def reconcile_routes(provider: Interface, state: ClusterState, report: Report) -> None:
    routes = provider.routes()
    if routes is None:
        return
    try:
        existing = routes.list_routes(state.cluster_name)
    except ImplementedElsewhere:
        return
    except Exception as exc:
        report.fail("route", state.cluster_name, exc)
        return
    desired = {(n.name, n.pod_cidr) for n in state.nodes if n.pod_cidr}
    addresses = {n.name: tuple(n.addresses) for n in state.nodes}
    present = set()
    for route in sorted(existing):
        pair = (route.target_node, route.destination_cidr)
        if not _in_cluster(route.destination_cidr, state.cluster_cidr):
            continue
        if pair in desired and not route.blackhole:
            present.add(pair)
            continue
        try:
            if not report.dry_run:
                routes.delete_route(state.cluster_name, route)
        except ImplementedElsewhere:
            return
        except Exception as exc:
            report.fail("route", route.destination_cidr, exc)
            continue
        why = "blackhole" if route.blackhole else "no node has this pod CIDR"
        report.change("route", route.destination_cidr, f"deleted route to node {route.target_node} ({why})")
    for node_name, cidr in sorted(desired - present):
        try:
            if not report.dry_run:
                route = Route(node_name, cidr, target_node_addresses=addresses[node_name])
                routes.create_route(state.cluster_name, node_name, route)
        except ImplementedElsewhere:
            return
        except Exception as exc:
            report.fail("route", cidr, exc)
            continue
        report.change("route", cidr, f"created route to node {node_name}")
