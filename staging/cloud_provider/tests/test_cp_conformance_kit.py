"""The conformance suite fails providers that break the contract (run as a real pytest subprocess)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

BROKEN = """
from __future__ import annotations

import pytest

from cloud_provider import Zone
from cloud_provider.conformance import CloudHarness, PreparedInstance, ProviderConformance
from cloud_provider_fake import STOPPED, FakeProvider


class Liar(FakeProvider):
    def provider_name(self):
        return "liar"

    def instance_exists_by_provider_id(self, provider_id):
        return True  # never admits an instance is gone

    def routes(self):
        return None  # but the test class claims routes


class Harness(CloudHarness):
    zones = (Zone("zone-a", "region-1"), Zone("zone-b", "region-1"))

    def __init__(self, provider):
        self.cloud = provider.cloud

    def add_instance(self, name, zone):
        inst = self.cloud.add_instance(name, zone)
        return PreparedInstance(name, f"fake://{inst.id}", inst.zone, inst.type)

    def shutdown_instance(self, name):
        self.cloud.set_state(name, STOPPED)

    def remove_instance(self, name):
        self.cloud.remove_instance(name)

    def unknown_provider_id(self):
        return "fake://nope"


class TestLiar(ProviderConformance):
    provider_name = "fake"
    capabilities = frozenset({"load_balancer", "instances", "instances_v2", "zones", "clusters", "routes"})

    @pytest.fixture
    def provider(self):
        return Liar()

    @pytest.fixture
    def cloud(self, provider):
        return Harness(provider)
"""


def test_suite_catches_a_provider_that_breaks_the_contract(tmp_path: Path) -> None:
    (tmp_path / "test_liar.py").write_text(textwrap.dedent(BROKEN))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-rf",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    failed = sorted(
        line.split("::")[-1].split(" ")[0] for line in proc.stdout.splitlines() if line.startswith("FAILED")
    )
    assert failed == [
        "test_capabilities_match_accessors",
        "test_instance_lookups_by_name_and_provider_id_agree",
        "test_registered_under_its_name",
        "test_routes_create_list_delete",
        "test_shutdown_and_removed_instances",
        "test_unknown_instance_is_not_found",
    ], proc.stdout
    assert proc.returncode == 1
