"""The cluster state file: round trip, and one clear error naming the file and place for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloud_controller_manager.state import StateError, load_state, save_state

GOOD = {
    "cluster_name": "demo",
    "cluster_cidr": "10.244.0.0/16",
    "nodes": [
        {
            "name": "b",
            "provider_id": "fake://b",
            "pod_cidr": "10.244.2.0/24",
            "labels": {"x": "1"},
            "taints": [{"key": "t", "effect": "NoExecute", "value": ""}],
            "addresses": [{"type": "InternalIP", "address": "10.0.0.2"}],
        },
        {"name": "a"},
    ],
    "services": [
        {
            "namespace": "ns",
            "name": "web",
            "uid": "u",
            "type": "LoadBalancer",
            "ports": [{"name": "http", "protocol": "UDP", "port": 53, "node_port": 30053}],
            "status": {"load_balancer": {"ingress": [{"hostname": "lb.example"}]}},
        }
    ],
    "load_balancers": [{"namespace": "ns", "name": "web", "uid": "u", "ports": [], "nodes": ["b"]}],
}


def test_round_trip_is_sorted_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(GOOD))
    state = load_state(path)
    assert [n.name for n in state.nodes] == ["b", "a"]
    save_state(state, path)
    saved = json.loads(path.read_text())
    assert [n["name"] for n in saved["nodes"]] == ["a", "b"]
    assert saved["services"][0]["status"] == {"load_balancer": {"ingress": [{"hostname": "lb.example"}]}}
    assert saved["services"][0]["ports"][0]["protocol"] == "UDP"
    again = load_state(path)
    save_state(again, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == path.read_text()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "state.json: expected an object, got list"),
        ({"nodes": {}}, "state.json: nodes: expected a list, got dict"),
        ({"nodes": [{"pod_cidr": "x"}]}, "state.json: nodes[0]: missing key 'name'"),
        ({"nodes": [{"name": "a", "pod_cidr": "10.0.0.0/33"}]}, "state.json: nodes[0].pod_cidr: not a CIDR"),
        (
            {"nodes": [{"name": "a", "addresses": [{"type": "Nope", "address": "x"}]}]},
            "nodes[0].addresses[0]: unknown node address type 'Nope'",
        ),
        ({"nodes": [{"name": "a"}, {"name": "a"}]}, "state.json: nodes: duplicate name 'a'"),
        ({"services": [{"name": "s"}]}, "state.json: services[0]: missing key 'uid'"),
        (
            {"services": [{"name": "s", "uid": "u", "ports": [{"port": 0, "node_port": 1}]}]},
            "services[0].ports[0].port: expected a port number, got 0",
        ),
        (
            {
                "services": [
                    {"name": "s", "uid": "u", "ports": [{"port": 1, "node_port": 2, "protocol": "ICMP"}]}
                ]
            },
            "protocol: unknown protocol 'ICMP'",
        ),
        ({"cluster_name": 3}, "state.json: cluster_name: expected a string, got int"),
        (
            {"load_balancers": [{"namespace": "n", "name": "s", "uid": "u", "pending": "yes"}]},
            "load_balancers[0].pending: expected true or false, got 'yes'",
        ),
        (
            {"load_balancers": [{"namespace": "n", "name": "s", "uid": "u", "nodes": [1]}]},
            "load_balancers[0].nodes: expected a list of node names",
        ),
    ],
)
def test_bad_state_is_one_clear_error(tmp_path: Path, data: object, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(data))
    with pytest.raises(StateError) as err:
        load_state(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_unreadable_and_invalid_json(tmp_path: Path) -> None:
    with pytest.raises(StateError, match=r"missing.json: cannot read cluster state"):
        load_state(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(StateError, match=r"bad.json: invalid JSON"):
        load_state(tmp_path / "bad.json")
