"""What the fake provider adds to the contract: config loading, persistence, honest errors."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from cloud_provider import (
    ConfigError,
    Node,
    NodeAddress,
    NodeAddressType,
    NotWritable,
    Route,
    Service,
    ServicePort,
    Zone,
    get_provider,
    load_cloud_config,
)
from cloud_provider_fake import FakeProvider, create_provider

CONFIG = {
    "zone": "zone-a",
    "region": "region-1",
    "instances": [
        {
            "name": "node-a",
            "id": "i-1",
            "zone": "zone-b",
            "type": "m.small",
            "addresses": [{"type": "InternalIP", "address": "10.1.0.1"}],
        },
        {"name": "node-b", "state": "stopped"},
    ],
}


def test_instances_from_config() -> None:
    provider = create_provider(CONFIG)
    assert provider.node_addresses("node-a") == [NodeAddress(NodeAddressType.INTERNAL_IP, "10.1.0.1")]
    assert provider.get_zone_by_provider_id("fake://i-1") == Zone("zone-b", "region-1")
    assert provider.instance_type("node-a") == "m.small"
    assert provider.instance_shutdown_by_provider_id("fake://node-b") is True
    assert provider.get_zone() == Zone("zone-a", "region-1")
    assert provider.has_cluster_id() is False
    assert provider.cloud.calls[-1] == "get-zone"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"instances": [{"id": "x"}]}, "instances[0]: missing key 'name'"),
        ({"instances": [{"name": "a", "state": "paused"}]}, "instances[0]: key 'state' must be"),
        (
            {"instances": [{"name": "a", "addresses": [{"type": "Bogus", "address": "x"}]}]},
            "unknown node address type 'Bogus'",
        ),
        ({"lb_network": "not-a-cidr"}, "invalid fake cloud state"),
        ({"state_file": 3}, "'state_file' must be a string"),
        ({"cluster_id": 3}, "'cluster_id' must be a string"),
        ({"instance": [{"name": "a"}]}, "cloud config: unknown key 'instance'"),
        ({"instances": [{"name": "a", "tpye": "x"}]}, "instances[0]: unknown key 'tpye'"),
        ({"instances": [{"name": 7}]}, "instances[0]: key 'name' must be a string, got int"),
        ({"instances": "node-a"}, "key 'instances' must be a list, got str"),
        ({"clusters": {"k": 1}}, "clusters: key 'k' must be a string, got int"),
        ({"zone": True}, "key 'zone' must be a string, got bool"),
    ],
)
def test_bad_config_is_one_clear_error(config: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        get_provider("fake", config)


def test_state_file_keeps_the_cloud_between_runs(tmp_path: Path) -> None:
    state = tmp_path / "cloud.json"
    first = create_provider({**CONFIG, "state_file": str(state)})
    svc = Service("default", "web", "uid-1", (ServicePort(80, 30080),))
    status = first.ensure_load_balancer("k", svc, [Node("node-a")])
    first.create_route("k", "node-a", Route("node-a", "10.244.0.0/24"))

    second = create_provider({"state_file": str(state)})  # instances come from the file, not the config
    assert second.get_load_balancer("k", svc) == (status, True)
    assert [(r.target_node, r.destination_cidr) for r in second.list_routes("k")] == [
        ("node-a", "10.244.0.0/24")
    ]
    assert second.instance_id("node-a") == "i-1"
    saved = json.loads(state.read_text())
    assert [lb["service"] for lb in saved["load_balancers"]] == ["default/web"]


def test_a_relative_state_file_is_resolved_against_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    config_file = tmp_path / "conf" / "fake.toml"
    config_file.write_text('state_file = "cloud.json"\n')
    provider = get_provider("fake", load_cloud_config(config_file))
    assert isinstance(provider, FakeProvider)
    assert provider.cloud.state_file == tmp_path / "conf" / "cloud.json"
    assert not provider.cloud.state_file.exists()  # nothing is written until the cloud changes
    provider.cloud.add_instance("node-a")
    assert json.loads((tmp_path / "conf" / "cloud.json").read_text())["instances"][0]["name"] == "node-a"


def test_a_read_only_cloud_state_file_is_refused_and_kept(tmp_path: Path) -> None:
    state = tmp_path / "cloud.json"
    create_provider({"state_file": str(state)}).cloud.add_instance("node-a")
    state.chmod(0o444)
    before = state.read_text()
    with pytest.raises(NotWritable, match="cloud.json: the fake cloud state file is read-only"):
        create_provider({"state_file": str(state)})
    assert state.read_text() == before and state.stat().st_mode & 0o777 == 0o444


def test_corrupt_state_file_names_the_file(tmp_path: Path) -> None:
    state = tmp_path / "cloud.json"
    state.write_text("{not json")
    with pytest.raises(ConfigError, match=r"cloud.json: cannot load fake cloud state"):
        create_provider({"state_file": str(state)})


def test_load_balancer_ips_are_allocated_and_kept() -> None:
    provider = FakeProvider()
    one = provider.ensure_load_balancer("k", Service("default", "a", "uid-a"), [])
    two = provider.ensure_load_balancer("k", Service("default", "b", "uid-b"), [])
    asked = provider.ensure_load_balancer(
        "k", Service("default", "c", "uid-c", load_balancer_ip="192.0.2.99"), []
    )
    assert [s.ingress[0].ip for s in (one, two, asked)] == ["192.0.2.1", "192.0.2.2", "192.0.2.99"]


def test_routes_to_deleted_nodes_are_blackholes() -> None:
    provider = FakeProvider()
    provider.cloud.add_instance("node-a")
    provider.create_route("k", "a", Route("node-a", "10.244.0.0/24"))
    provider.cloud.remove_instance("node-a")
    assert [r.blackhole for r in provider.list_routes("k")] == [True]


def test_with_a_stop_event_saves_are_batched_and_flushed_on_stop(tmp_path: Path) -> None:
    state = tmp_path / "cloud.json"
    provider = create_provider({"state_file": str(state)})
    stop = threading.Event()
    provider.initialize(None, stop)
    provider.cloud.save_interval = 3600  # counted from initialize: these changes wait for the stop
    try:
        provider.cloud.add_instance("node-a")
        provider.cloud.add_instance("node-b")
        assert not state.exists()
    finally:
        stop.set()
    flusher = next(t for t in threading.enumerate() if t.name == "fake-cloud-flush")
    flusher.join(timeout=10)
    assert [i["name"] for i in json.loads(state.read_text())["instances"]] == ["node-a", "node-b"]
