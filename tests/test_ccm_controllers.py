"""The controllers end to end against the reference (fake) provider, selected by name through the registry."""

from __future__ import annotations

from typing import Any

import pytest
from cloud_provider import ImplementedElsewhere, Interface, NodeAddress, Route, Zone, get_provider

from cloud_controller_manager.manager import reconcile
from cloud_controller_manager.node_controller import TAINT_SHUTDOWN, TAINT_UNINITIALIZED
from cloud_controller_manager.state import ClusterState, parse_state


def _state(**extra: object) -> ClusterState:
    data = {
        "cluster_name": "demo",
        "nodes": [
            {
                "name": "node-a",
                "pod_cidr": "10.244.1.0/24",
                "taints": [{"key": TAINT_UNINITIALIZED.key, "value": "true"}],
            },
            {"name": "node-b", "pod_cidr": "10.244.2.0/24"},
        ],
        "services": [
            {
                "name": "web",
                "uid": "uid-web",
                "type": "LoadBalancer",
                "ports": [{"port": 80, "node_port": 30080}],
            },
            {
                "name": "internal",
                "uid": "uid-int",
                "type": "ClusterIP",
                "ports": [{"port": 81, "node_port": 30081}],
            },
        ],
    }
    data.update(extra)
    return parse_state(data, "state.json")


@pytest.fixture
def provider() -> Interface:
    p = get_provider("fake", {"region": "r1"})
    cloud = p.cloud  # type: ignore[attr-defined]
    cloud.add_instance(
        "node-a",
        Zone("z1", "r1"),
        id="i-a",
        type="m.small",
        addresses=(NodeAddress.parse("InternalIP", "10.0.0.1"),),
    )
    cloud.add_instance(
        "node-b",
        Zone("z2", "r1"),
        id="i-b",
        type="m.large",
        addresses=(NodeAddress.parse("InternalIP", "10.0.0.2"),),
    )
    return p


def _lines(report: object) -> list[str]:
    return [str(c) for c in report.changes]  # type: ignore[attr-defined]


def test_first_pass_initializes_everything_and_second_pass_changes_nothing(provider: Interface) -> None:
    state = _state()
    report = reconcile(provider, state)
    assert _lines(report) == [
        "node/node-a: set provider ID fake://i-a",
        "node/node-a: set addresses InternalIP=10.0.0.1",
        "node/node-a: set label node.kubernetes.io/instance-type=m.small",
        "node/node-a: set label topology.kubernetes.io/region=r1",
        "node/node-a: set label topology.kubernetes.io/zone=z1",
        "node/node-a: removed taint node.cloudprovider.kubernetes.io/uninitialized",
        "node/node-b: set provider ID fake://i-b",
        "node/node-b: set addresses InternalIP=10.0.0.2",
        "node/node-b: set label node.kubernetes.io/instance-type=m.large",
        "node/node-b: set label topology.kubernetes.io/region=r1",
        "node/node-b: set label topology.kubernetes.io/zone=z2",
        "service/default/web: ensured load balancer (created) with hosts node-a, node-b",
        "service/default/web: set load balancer ingress 192.0.2.1",
        "route/10.244.1.0/24: created route to node node-a",
        "route/10.244.2.0/24: created route to node node-b",
    ]
    assert not report.failures
    cloud = provider.cloud  # type: ignore[attr-defined]
    assert [lb.nodes for lb in cloud.load_balancers.values()] == [("node-a", "node-b")]
    assert sorted((r.target_node, r.destination_cidr) for r in provider.routes().list_routes("demo")) == [  # type: ignore[union-attr]
        ("node-a", "10.244.1.0/24"),
        ("node-b", "10.244.2.0/24"),
    ]
    # Round trip through JSON, then a second pass: nothing to do.
    again = parse_state(__import__("json").loads(state.to_json()), "state.json")
    assert _lines(reconcile(provider, again)) == []
    assert again.to_json() == state.to_json()


def test_gone_and_shutdown_instances(provider: Interface) -> None:
    state = _state()
    reconcile(provider, state)
    cloud = provider.cloud  # type: ignore[attr-defined]
    cloud.remove_instance("node-b")
    cloud.set_state("node-a", "stopped")
    assert _lines(reconcile(provider, state)) == [
        "node/node-a: added taint node.cloudprovider.kubernetes.io/shutdown:NoSchedule"
        " (instance is shut down)",
        "node/node-b: deleted (its instance no longer exists)",
        "service/default/web: updated load balancer hosts: -node-a, -node-b (now 0)",
        "route/10.244.2.0/24: deleted route to node node-b (blackhole)",
    ]
    assert [n.name for n in state.nodes] == ["node-a"]
    assert TAINT_SHUTDOWN in state.nodes[0].taints
    cloud.set_state("node-a", "running")
    assert _lines(reconcile(provider, state)) == [
        "node/node-a: removed taint node.cloudprovider.kubernetes.io/shutdown",
        "service/default/web: updated load balancer hosts: +node-a (now 1)",
    ]


def test_service_changes_and_deletion(provider: Interface) -> None:
    state = _state()
    reconcile(provider, state)
    web = next(s for s in state.services if s.name == "web")
    web.ports[0] = type(web.ports[0])(8080, 30090)
    assert _lines(reconcile(provider, state)) == [
        "service/default/web: ensured load balancer (spec changed) with hosts node-a, node-b"
    ]
    web.type = "ClusterIP"
    assert _lines(reconcile(provider, state)) == [
        "service/default/web: deleted load balancer (service is gone or no longer of type LoadBalancer)",
        "service/default/web: cleared load balancer status",
    ]
    assert provider.cloud.load_balancers == {}  # type: ignore[attr-defined]
    web.type = "LoadBalancer"
    reconcile(provider, state)
    state.services.remove(web)
    assert _lines(reconcile(provider, state)) == [
        "service/default/web: deleted load balancer (service is gone or no longer of type LoadBalancer)"
    ]
    assert provider.cloud.load_balancers == {} and state.load_balancers == {}  # type: ignore[attr-defined]


def test_load_balancer_removed_behind_our_back_is_rebuilt(provider: Interface) -> None:
    state = _state()
    reconcile(provider, state)
    provider.cloud.load_balancers.clear()  # type: ignore[attr-defined]
    assert _lines(reconcile(provider, state)) == [
        "service/default/web: ensured load balancer (was missing) with hosts node-a, node-b"
    ]


def test_excluded_nodes_and_changed_pod_cidrs(provider: Interface) -> None:
    state = _state(cluster_cidr="10.244.0.0/16")
    provider.routes().create_route("demo", "other", Route("node-a", "172.16.0.0/24"))  # type: ignore[union-attr]
    reconcile(provider, state)
    node_b = next(n for n in state.nodes if n.name == "node-b")
    node_b.labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    node_b.pod_cidr = "10.244.9.0/24"
    assert _lines(reconcile(provider, state)) == [
        "service/default/web: updated load balancer hosts: -node-b (now 1)",
        "route/10.244.2.0/24: deleted route to node node-b (no node has this pod CIDR)",
        "route/10.244.9.0/24: created route to node node-b",
    ]
    # The route outside cluster_cidr is not ours: left alone.
    assert ("node-a", "172.16.0.0/24") in {
        (r.target_node, r.destination_cidr) for r in provider.routes().list_routes("demo")
    }  # type: ignore[union-attr]


def test_dry_run_changes_neither_cloud_nor_reports_status(provider: Interface) -> None:
    state = _state()
    report = reconcile(provider, state, dry_run=True)
    assert "route/10.244.1.0/24: created route to node node-a" in _lines(report)
    cloud = provider.cloud  # type: ignore[attr-defined]
    assert cloud.load_balancers == {} and cloud.routes == {}
    assert not any("ingress" in line for line in _lines(report))


def test_provider_failures_are_reported_per_object(provider: Interface) -> None:
    state = _state()
    state.nodes.append(
        type(state.nodes[0])(name="node-x", provider_id="fake://i-x", pod_cidr="10.244.3.0/24")
    )
    report = reconcile(provider, state)
    # node-x has no instance: deleted, so its route is never created; nothing failed.
    assert "node/node-x: deleted (its instance no longer exists)" in _lines(report)
    state.nodes.append(
        type(state.nodes[0])(name="node-y", pod_cidr="10.244.4.0/24")
    )  # no instance; route creation fails
    provider.instances_v2 = lambda: None  # type: ignore[method-assign]
    provider.instances = lambda: None  # type: ignore[method-assign]
    report = reconcile(provider, state)
    assert [str(f) for f in report.failures] == [
        "route/10.244.4.0/24: InstanceNotFound: no instance for node 'node-y'"
    ]
    assert "route/10.244.4.0/24: created route to node node-y" not in _lines(report)


def test_recreated_service_gets_a_new_load_balancer(provider: Interface) -> None:
    state = _state()
    reconcile(provider, state)
    web = next(s for s in state.services if s.name == "web")
    web.uid = "uid-web-2"
    assert _lines(reconcile(provider, state)) == [
        "service/default/web: deleted load balancer (service was re-created)",
        "service/default/web: cleared load balancer status",
        "service/default/web: ensured load balancer (created) with hosts node-a, node-b",
        "service/default/web: set load balancer ingress 192.0.2.1",
    ]
    lbs = provider.cloud.load_balancers  # type: ignore[attr-defined]
    assert list(lbs) == [provider.load_balancer().get_load_balancer_name("demo", web.to_service())]  # type: ignore[union-attr]


def test_a_failed_ensure_is_retried_and_its_load_balancer_still_deleted(provider: Interface) -> None:
    state = _state()
    lb = provider.load_balancer()
    assert lb is not None
    real_ensure = lb.ensure_load_balancer

    def half_built(cluster_name: str, service: Any, nodes: Any) -> Any:
        real_ensure(cluster_name, service, nodes)  # the cloud built it, then the call failed
        raise RuntimeError("quota exceeded")

    lb.ensure_load_balancer = half_built  # type: ignore[method-assign]
    report = reconcile(provider, state)
    assert [str(f) for f in report.failures] == ["service/default/web: RuntimeError: quota exceeded"]
    assert state.load_balancers["default/web"].pending
    lb.ensure_load_balancer = real_ensure  # type: ignore[method-assign]
    assert _lines(reconcile(provider, state)) == [
        "service/default/web: ensured load balancer (retry after a failure) with hosts node-a, node-b",
        "service/default/web: set load balancer ingress 192.0.2.1",
    ]
    assert not state.load_balancers["default/web"].pending

    lb.ensure_load_balancer = half_built  # type: ignore[method-assign]
    state.services[0].ports[0] = type(state.services[0].ports[0])(81, 30081)
    reconcile(provider, state)  # fails again, half-building the new spec
    state.services.clear()  # then the service goes: the half-built load balancer goes too
    assert _lines(reconcile(provider, state)) == [
        "service/default/web: deleted load balancer (service is gone or no longer of type LoadBalancer)"
    ]
    assert provider.cloud.load_balancers == {}  # type: ignore[attr-defined]


def test_additional_labels_are_applied_but_never_over_the_controllers_own(provider: Interface) -> None:
    cloud = provider.cloud  # type: ignore[attr-defined]
    labels = {"example.com/rack": "r7", "topology.kubernetes.io/zone": "spoofed"}
    cloud.add_instance("node-a", Zone("z1", "r1"), id="i-a", type="m.small", labels=labels)
    state = _state()
    lines = _lines(reconcile(provider, state))
    assert "node/node-a: set label example.com/rack=r7" in lines
    assert state.nodes[0].labels["example.com/rack"] == "r7"
    assert (
        state.nodes[0].labels["topology.kubernetes.io/zone"] == "z1"
    )  # the controller's own, not the cloud's
    assert not any("spoofed" in line for line in lines)
    assert "example.com/rack" not in state.nodes[1].labels
    assert _lines(reconcile(provider, state)) == []


def test_new_routes_carry_the_nodes_addresses(provider: Interface) -> None:
    reconcile(provider, _state())
    routes = provider.routes().list_routes("demo")  # type: ignore[union-attr]
    assert [(r.target_node, r.target_node_addresses) for r in routes] == [
        ("node-a", (NodeAddress.parse("InternalIP", "10.0.0.1"),)),
        ("node-b", (NodeAddress.parse("InternalIP", "10.0.0.2"),)),
    ]


def test_implemented_elsewhere_is_not_this_providers_job(provider: Interface) -> None:
    def elsewhere(*args: Any, **kwargs: Any) -> Any:
        raise ImplementedElsewhere("another controller does this")

    state = _state()
    provider.ensure_load_balancer = elsewhere  # type: ignore[attr-defined]
    provider.list_routes = elsewhere  # type: ignore[attr-defined]
    report = reconcile(provider, state)
    assert not report.failures
    assert not any(line.startswith(("service/", "route/")) for line in _lines(report))
    assert state.load_balancers == {}  # no record left behind for a load balancer that is not ours
    assert provider.cloud.load_balancers == {}  # type: ignore[attr-defined]

    # A load balancer built earlier, whose deletion is now someone else's: forgotten, not failed.
    del provider.ensure_load_balancer  # type: ignore[attr-defined]
    reconcile(provider, state)
    assert list(state.load_balancers) == ["default/web"]
    provider.ensure_load_balancer_deleted = elsewhere  # type: ignore[attr-defined]
    state.services = []
    report = reconcile(provider, state)
    assert not report.failures and state.load_balancers == {}
    assert _lines(report) == [
        "service/default/web: forgot load balancer (service is gone or no longer of type LoadBalancer;"
        " implemented elsewhere)"
    ]

    # Nodes a provider leaves to another component are skipped, neither changed nor failed.
    provider.instance_metadata = elsewhere  # type: ignore[attr-defined]
    fresh = _state()
    report = reconcile(provider, fresh)
    assert not report.failures and not any(line.startswith("node/") for line in _lines(report))
