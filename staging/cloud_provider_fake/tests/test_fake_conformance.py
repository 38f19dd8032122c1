"""The fake provider passes the framework's conformance suite."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from cloud_provider import Interface, Service, Zone
from cloud_provider.conformance import CloudHarness, PreparedInstance, ProviderConformance
from cloud_provider_fake import STOPPED, FakeProvider


class FakeHarness(CloudHarness):
    zones = (Zone("zone-a", "region-1"), Zone("zone-b", "region-1"))

    def __init__(self, provider: FakeProvider) -> None:
        self.cloud = provider.cloud

    def add_instance(self, name: str, zone: Zone) -> PreparedInstance:
        labels = {"example.com/instance": f"i-{name}", "example.com/zone-kind": "lab"}
        inst = self.cloud.add_instance(name, zone, id=f"i-{name}", type="fake.large", labels=labels)
        return PreparedInstance(name, f"fake://{inst.id}", inst.zone, inst.type)

    def shutdown_instance(self, name: str) -> None:
        self.cloud.set_state(name, STOPPED)

    def remove_instance(self, name: str) -> None:
        self.cloud.remove_instance(name)

    def unknown_provider_id(self) -> str:
        return "fake://i-does-not-exist"

    def additional_labels(self, name: str) -> dict[str, str]:
        return dict(self.cloud.instances[name].labels)

    def add_cluster(self, name: str, master: str) -> None:
        self.cloud.add_cluster(name, master)

    def load_balancer_targets(self, cluster_name: str, service: Service) -> frozenset[str]:
        lb = next(lb for lb in self.cloud.load_balancers.values() if lb.service == service.key)
        return frozenset(lb.nodes)


class TestFakeConformance(ProviderConformance):
    provider_name = "fake"
    capabilities = frozenset({"load_balancer", "instances", "instances_v2", "zones", "clusters", "routes"})

    @pytest.fixture
    def provider_config(self) -> Mapping[str, Any]:
        return {"zone": "zone-a", "region": "region-1", "clusters": {"conformance": "https://10.0.0.1:6443"}}

    @pytest.fixture
    def cloud(self, provider: Interface) -> CloudHarness:
        assert isinstance(provider, FakeProvider)
        return FakeHarness(provider)


class TestFakeConformanceWithStateFile(TestFakeConformance):
    """The same contract when every change goes through the JSON state file."""

    @pytest.fixture
    def provider_config(self, tmp_path: Any) -> Mapping[str, Any]:
        return {"state_file": str(tmp_path / "cloud.json")}
