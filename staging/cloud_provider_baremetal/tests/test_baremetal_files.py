"""The files the baremetal provider writes: HAProxy accepts the fragments, routes are `ip -batch` lines."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cloud_provider import CloudProviderError, ConfigError, Node, Route, Service, ServicePort, get_provider
from cloud_provider.types import Protocol
from cloud_provider_baremetal import BareMetalProvider

INVENTORY = """
region = "dc-1"

[[machines]]
name = "node-a"
id = "srv-a"
zone = "rack-1"
type = "r640"
addresses = [{ type = "InternalIP", address = "10.0.0.1" }, { type = "ExternalIP", address = "198.51.100.1" }]

[[machines]]
name = "node-b"
zone = "rack-2"
power = "off"
addresses = [{ type = "ExternalIP", address = "198.51.100.2" }]
"""

WEB = Service(
    "default",
    "web",
    "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    (ServicePort(443, 30443), ServicePort(80, 30080)),
)


@pytest.fixture
def provider(tmp_path: Path) -> BareMetalProvider:
    (tmp_path / "inventory.toml").write_text(INVENTORY)
    config = {
        "inventory": str(tmp_path / "inventory.toml"),
        "haproxy_dir": str(tmp_path / "haproxy.d"),
        "routes_file": str(tmp_path / "routes.batch"),
        "vip_pool": "192.0.2.0/30",
    }
    p = get_provider("baremetal", config)
    assert isinstance(p, BareMetalProvider)
    return p


def test_fragment_content(provider: BareMetalProvider, tmp_path: Path) -> None:
    status = provider.load_balancer().ensure_load_balancer("demo", WEB, [Node("node-b"), Node("node-a")])  # type: ignore[union-attr]
    assert status.ingress[0].ip == "192.0.2.1"
    text = (tmp_path / "haproxy.d" / "a9a8b7c6d5e4f4a3b8c2d1e0f9a8b7c6.cfg").read_text()
    assert text.splitlines()[:4] == [
        "# Managed by cloud-provider-baremetal; do not edit.",
        "# service: default/web",
        "# cluster: demo",
        "# vip: 192.0.2.1",
    ]
    assert "    bind 192.0.2.1:80\n" in text and "    bind 192.0.2.1:443\n" in text
    assert "    server node-a 10.0.0.1:30080 check\n    server node-b 198.51.100.2:30080 check\n" in text


@pytest.mark.skipif(
    shutil.which("haproxy") is None, reason="haproxy is not installed (apt-get install haproxy)"
)
def test_haproxy_accepts_the_fragments(provider: BareMetalProvider, tmp_path: Path) -> None:
    lb = provider.load_balancer()
    assert lb is not None
    lb.ensure_load_balancer("demo", WEB, [Node("node-a"), Node("node-b")])
    lb.ensure_load_balancer(
        "demo",
        Service("default", "api", "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", (ServicePort(8080, 30081),)),
        [],
    )
    main = tmp_path / "haproxy.cfg"
    main.write_text(
        "global\n    log stdout format raw local0\n\n"
        "defaults\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n"
    )
    proc = subprocess.run(
        ["haproxy", "-c", "-f", str(main), "-f", str(tmp_path / "haproxy.d")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_vip_allocation(provider: BareMetalProvider) -> None:
    lb = provider.load_balancer()
    assert lb is not None
    asked = Service(
        "default",
        "asked",
        "2b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
        (ServicePort(80, 30080),),
        load_balancer_ip="192.0.2.2",
    )
    assert lb.ensure_load_balancer("demo", asked, []).ingress[0].ip == "192.0.2.2"
    assert lb.ensure_load_balancer("demo", WEB, []).ingress[0].ip == "192.0.2.1"
    third = Service("default", "third", "3b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", (ServicePort(80, 30080),))
    with pytest.raises(CloudProviderError, match=r"no free address left in vip_pool 192.0.2.0/30"):
        lb.ensure_load_balancer("demo", third, [])
    outside = Service(
        "default",
        "out",
        "4b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
        (ServicePort(80, 30080),),
        load_balancer_ip="10.9.9.9",
    )
    with pytest.raises(CloudProviderError, match="outside vip_pool"):
        lb.ensure_load_balancer("demo", outside, [])


def test_udp_is_refused(provider: BareMetalProvider) -> None:
    dns = Service(
        "kube-system", "dns", "5b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", (ServicePort(53, 30053, Protocol.UDP),)
    )
    with pytest.raises(
        CloudProviderError, match="HAProxy balances TCP only; port 53 of kube-system/dns is UDP"
    ):
        provider.load_balancer().ensure_load_balancer("demo", dns, [])  # type: ignore[union-attr]


def test_routes_file(provider: BareMetalProvider, tmp_path: Path) -> None:
    routes = provider.routes()
    assert routes is not None
    routes.create_route("demo", "a", Route("node-a", "10.244.1.0/24"))
    routes.create_route("demo", "b", Route("node-b", "10.244.2.0/24"))
    routes.create_route("other", "a", Route("node-a", "10.245.1.0/24"))
    assert (tmp_path / "routes.batch").read_text() == (
        "# Managed by cloud-provider-baremetal; apply with: ip -batch <this file>\n"
        "# cluster demo node node-a\nroute replace 10.244.1.0/24 via 10.0.0.1\n"
        "# cluster demo node node-b\nroute replace 10.244.2.0/24 via 198.51.100.2\n"
        "# cluster other node node-a\nroute replace 10.245.1.0/24 via 10.0.0.1\n"
    )
    assert [r.destination_cidr for r in routes.list_routes("demo")] == ["10.244.1.0/24", "10.244.2.0/24"]
    (tmp_path / "inventory.toml").write_text(
        INVENTORY.split("[[machines]]", maxsplit=1)[0] + "[[machines]]" + INVENTORY.split("[[machines]]")[1]
    )
    assert [r.blackhole for r in routes.list_routes("demo")] == [False, True]


def test_capabilities_follow_the_config(tmp_path: Path) -> None:
    (tmp_path / "inventory.toml").write_text(INVENTORY)
    p = get_provider("baremetal", {"inventory": str(tmp_path / "inventory.toml")})
    assert p.load_balancer() is None and p.routes() is None and p.instances() is not None


@pytest.mark.parametrize(
    ("inventory", "message"),
    [
        ("machines = 3", "inventory must be a table with a list 'machines'"),
        (
            "[[machines]]\nzone = 'z'\naddresses = [{type='InternalIP', address='1.2.3.4'}]",
            "machines[0]: missing or non-string key 'name'",
        ),
        ("[[machines]]\nname = 'a'\nzone = 'z'", "machines[0]: a machine needs at least one address"),
        (
            "[[machines]]\nname = 'a'\nzone = 'z'\npower = 'maybe'\n"
            "addresses = [{type='InternalIP', address='1'}]",
            "key 'power' must be 'on' or 'off'",
        ),
        (
            "[[machines]]\nname = 'a'\nzone = 'z'\naddresses = [{type='Public', address='1'}]",
            "unknown node address type 'Public'",
        ),
        ("name = ", "invalid inventory"),
    ],
)
def test_bad_inventory_names_the_file_and_entry(tmp_path: Path, inventory: str, message: str) -> None:
    (tmp_path / "inv.toml").write_text(inventory)
    with pytest.raises(ConfigError) as err:
        get_provider("baremetal", {"inventory": str(tmp_path / "inv.toml")}).initialize()
    assert str(err.value).startswith(str(tmp_path / "inv.toml")) and message in str(err.value)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "missing key 'inventory'"),
        ({"inventory": "x", "vip_pool": "nope"}, "key 'vip_pool' is not a CIDR"),
        ({"inventory": "x", "haproxy": "d"}, "unknown key 'haproxy' for baremetal"),
        ({"inventory": 1}, "key 'inventory' must be a string"),
    ],
)
def test_bad_config(config: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        get_provider("baremetal", config)
