"""The baremetal provider passes the conformance suite; its cloud is an inventory file in a temp folder."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cloud_provider import Interface, Service, Zone
from cloud_provider.conformance import CloudHarness, PreparedInstance, ProviderConformance
from cloud_provider_baremetal import BareMetalProvider
from cloud_provider_baremetal.haproxy import FragmentStore


class InventoryHarness(CloudHarness):
    zones = (Zone("rack-1", "dc-1"), Zone("rack-2", "dc-1"))

    def __init__(self, provider: BareMetalProvider) -> None:
        self.provider = provider
        self.path = provider.config.inventory

    def _edit(self, change: Any) -> None:
        data = json.loads(self.path.read_text())
        data["machines"] = change(data["machines"])
        self.path.write_text(json.dumps(data, indent=1))

    def add_instance(self, name: str, zone: Zone) -> PreparedInstance:
        n = len(json.loads(self.path.read_text())["machines"]) + 1
        machine = {
            "name": name,
            "id": f"srv-{n:03d}",
            "zone": zone.failure_domain,
            "region": zone.region,
            "type": "r640",
            "addresses": [
                {"type": "InternalIP", "address": f"10.0.0.{n}"},
                {"type": "Hostname", "address": name},
            ],
        }
        self._edit(lambda ms: [*ms, machine])
        return PreparedInstance(name, f"baremetal://srv-{n:03d}", zone, "r640")

    def shutdown_instance(self, name: str) -> None:
        self._edit(lambda ms: [{**m, "power": "off"} if m["name"] == name else m for m in ms])

    def remove_instance(self, name: str) -> None:
        self._edit(lambda ms: [m for m in ms if m["name"] != name])

    def unknown_provider_id(self) -> str:
        return "baremetal://srv-999"

    def load_balancer_targets(self, cluster_name: str, service: Service) -> frozenset[str]:
        store = FragmentStore(self.provider.config.haproxy_dir)  # type: ignore[arg-type]
        fragment = store.read(self.provider._lb.get_load_balancer_name(cluster_name, service))  # type: ignore[union-attr]
        assert fragment is not None
        return frozenset(b.name for b in fragment.backends)


class TestBareMetalConformance(ProviderConformance):
    provider_name = "baremetal"
    capabilities = frozenset({"load_balancer", "instances", "zones", "routes"})

    @pytest.fixture
    def provider_config(self, tmp_path: Path) -> Mapping[str, Any]:
        (tmp_path / "inventory.json").write_text('{"region": "dc-1", "machines": []}')
        return {
            "inventory": str(tmp_path / "inventory.json"),
            "haproxy_dir": str(tmp_path / "haproxy.d"),
            "routes_file": str(tmp_path / "routes.batch"),
            "zone": "rack-1",
            "region": "dc-1",
        }

    @pytest.fixture
    def cloud(self, provider: Interface) -> CloudHarness:
        assert isinstance(provider, BareMetalProvider)
        return InventoryHarness(provider)
