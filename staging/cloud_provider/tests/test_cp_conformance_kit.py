"""The conformance suite passes an honest provider and fails one that breaks the contract.

Both run in a real pytest subprocess, registered through a real entry point (a dist-info folder on
PYTHONPATH), so the suite is exercised exactly as a provider's own test run uses it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROVIDER = '''
from cloud_provider import (
    Clusters, InstanceNotFound, Instances, Interface, NodeAddress, Zone, Zones, split_provider_id,
)


class Memory(Interface, Instances, Zones):
    """Instances and zones held in a dict: just enough cloud for the instance and zone checks."""

    def __init__(self, config):
        self.machines = {}  # name -> [id, zone, running]

    def add(self, name, zone):
        self.machines[name] = [f"m-{name}", zone, True]

    def _name(self, name):
        if name not in self.machines:
            raise InstanceNotFound(name)
        return self.machines[name]

    def _pid(self, provider_id):
        scheme, mid = split_provider_id(provider_id)
        for m in self.machines.values():
            if scheme == "memory" and m[0] == mid:
                return m
        raise InstanceNotFound(provider_id)

    def load_balancer(self): return None
    def instances(self): return self
    def zones(self): return self
    def clusters(self): return None
    def routes(self): return None
    def provider_name(self): return "memory"
    def has_cluster_id(self): return False

    def node_addresses(self, name): return [NodeAddress.parse("Hostname", name) for _ in [self._name(name)]]
    def node_addresses_by_provider_id(self, pid):
        m = self._pid(pid)
        return [NodeAddress.parse("Hostname", n) for n, v in self.machines.items() if v is m]
    def instance_id(self, name): return self._name(name)[0]
    def instance_type(self, name): return self._name(name) and "small"
    def instance_type_by_provider_id(self, pid): return self._pid(pid) and "small"
    def instance_exists_by_provider_id(self, pid):
        try:
            self._pid(pid)
        except InstanceNotFound:
            return False
        return True
    def instance_shutdown_by_provider_id(self, pid): return not self._pid(pid)[2]

    def get_zone(self): return Zone("z1", "r1")
    def get_zone_by_provider_id(self, pid): return self._pid(pid)[1]
    def get_zone_by_node_name(self, name): return self._name(name)[1]


class Liar(Memory):
    def provider_name(self): return "memory"  # registered as "liar"
    def instance_exists_by_provider_id(self, pid): return True  # never admits an instance is gone
    def routes(self): return None  # while the test class claims routes
    def clusters(self): return NoClusters()  # claims clusters, and lists none of those the cloud has


class NoClusters(Clusters):
    def list_clusters(self): return []
    def master(self, cluster_name): return ""


def create(config): return Memory(config)
def create_liar(config): return Liar(config)
'''

TESTS = """
import pytest

from cloud_provider import Zone
from cloud_provider.conformance import CloudHarness, PreparedInstance, ProviderConformance


class Harness(CloudHarness):
    zones = (Zone("z1", "r1"), Zone("z2", "r1"))

    def __init__(self, provider):
        self.provider = provider

    def add_instance(self, name, zone):
        self.provider.add(name, zone)
        return PreparedInstance(name, f"memory://m-{name}", zone, "small")

    def shutdown_instance(self, name): self.provider.machines[name][2] = False
    def remove_instance(self, name): del self.provider.machines[name]
    def unknown_provider_id(self): return "memory://m-nobody"
    def add_cluster(self, name, master): self.provider.clusters_made = {name: master}


class TestHonest(ProviderConformance):
    provider_name = "memory"
    capabilities = frozenset({"instances", "zones"})

    @pytest.fixture
    def cloud(self, provider):
        return Harness(provider)


class TestLiar(TestHonest):
    provider_name = "liar"
    capabilities = frozenset({"instances", "zones", "routes", "clusters"})
"""


def test_suite_passes_the_honest_and_fails_the_liar(tmp_path: Path) -> None:
    (tmp_path / "memory_provider.py").write_text(textwrap.dedent(PROVIDER))
    info = tmp_path / "memory_provider-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: memory-provider\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[cloud_provider.providers]\nmemory = memory_provider:create\nliar = memory_provider:create_liar\n"
    )
    (tmp_path / "test_memory.py").write_text(textwrap.dedent(TESTS))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-rfs",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        str(tmp_path),
    ]
    proc = subprocess.run(
        cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    failed = sorted(
        line.split()[1].split("::", 1)[1] for line in proc.stdout.splitlines() if line.startswith("FAILED ")
    )
    assert failed == [
        "TestLiar::test_capabilities_match_accessors",
        "TestLiar::test_clusters",  # an empty list does not pass: the harness made two clusters
        "TestLiar::test_registered_under_its_name",
        "TestLiar::test_route_to_a_node_without_instance_is_refused",
        "TestLiar::test_routes_create_list_delete",
        "TestLiar::test_shutdown_and_removed_instances",
        "TestLiar::test_unknown_instance_is_not_found",
    ], proc.stdout
    summary = proc.stdout.strip().splitlines()[-1]
    assert "7 failed" in summary and "passed" in summary, summary
    assert proc.returncode == 1
