"""The aws provider passes the conformance suite against moto's in-process EC2 and ELBv2."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from cloud_provider import Interface
from cloud_provider.conformance import CloudHarness, ProviderConformance
from cloud_provider_aws import AWSProvider
from moto import mock_aws

# moto and botocore warm up once per process (~2-3 s of CPU): every moto test on one worker
pytestmark = pytest.mark.xdist_group("moto")


def _helpers() -> Any:
    # Loaded by path: test helper modules are not importable packages under --import-mode=importlib.
    spec = importlib.util.spec_from_file_location("aws_moto", Path(__file__).with_name("aws_moto.py"))
    assert spec and spec.loader
    module = sys.modules.get("aws_moto") or importlib.util.module_from_spec(spec)
    if "aws_moto" not in sys.modules:
        sys.modules["aws_moto"] = module
        spec.loader.exec_module(module)
    return module


aws_moto = _helpers()


@pytest.fixture
def moto_vpc(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    aws_moto.fake_credentials(monkeypatch)
    with mock_aws():
        yield aws_moto.build_vpc(aws_moto.ec2_client())


class TestAWSConformance(ProviderConformance):
    provider_name = "aws"
    capabilities = frozenset({"load_balancer", "instances", "instances_v2", "zones", "routes"})

    @pytest.fixture
    def provider_config(self, moto_vpc: Any) -> Mapping[str, Any]:
        return {
            "region": aws_moto.REGION,
            "cluster_id": aws_moto.CLUSTER,
            "vpc_id": moto_vpc.vpc_id,
            "zone": "us-east-1a",
        }

    @pytest.fixture
    def cloud(self, provider: Interface, moto_vpc: Any) -> CloudHarness:
        assert isinstance(provider, AWSProvider)
        return aws_moto.AWSHarness(moto_vpc, provider)
