"""One reconcile pass: nodes first (gone nodes then leave load balancers and routes), services, routes."""

from __future__ import annotations

from cloud_provider import Interface

from cloud_controller_manager.changes import Report
from cloud_controller_manager.node_controller import reconcile_nodes
from cloud_controller_manager.route_controller import reconcile_routes
from cloud_controller_manager.service_controller import reconcile_services
from cloud_controller_manager.state import ClusterState

CONTROLLERS = (reconcile_nodes, reconcile_services, reconcile_routes)


def reconcile(provider: Interface, state: ClusterState, *, dry_run: bool = False) -> Report:
    """Bring the cloud and ``state`` in line with each other; ``state`` is modified in place."""
    report = Report(dry_run=dry_run)
    for controller in CONTROLLERS:
        controller(provider, state, report)
    return report
