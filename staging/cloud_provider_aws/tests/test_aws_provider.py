"""What the aws provider does beyond the shared contract, against moto's in-process EC2 and ELBv2."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cloud_provider import (
    CloudProviderError,
    ConfigError,
    InstanceNotFound,
    Node,
    Route,
    Service,
    ServicePort,
    get_provider,
)
from cloud_provider.types import Protocol
from cloud_provider_aws import AWSError, AWSProvider
from moto import mock_aws

# moto and botocore warm up once per process (~2-3 s of CPU): every moto test on one worker
pytestmark = pytest.mark.xdist_group("moto")


def _helpers() -> Any:
    spec = importlib.util.spec_from_file_location("aws_moto", Path(__file__).with_name("aws_moto.py"))
    assert spec and spec.loader
    if "aws_moto" not in sys.modules:
        module = importlib.util.module_from_spec(spec)
        sys.modules["aws_moto"] = module
        spec.loader.exec_module(module)
    return sys.modules["aws_moto"]


aws_moto = _helpers()


@pytest.fixture
def vpc(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    aws_moto.fake_credentials(monkeypatch)
    with mock_aws():
        yield aws_moto.build_vpc(aws_moto.ec2_client())


@pytest.fixture
def provider(vpc: Any) -> AWSProvider:
    p = get_provider("aws", {"region": aws_moto.REGION, "cluster_id": aws_moto.CLUSTER, "vpc_id": vpc.vpc_id})
    assert isinstance(p, AWSProvider)
    return p


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"cluster_id": "c"}, "missing key 'region' (required by the aws provider)"),
        ({"region": "us-east-1"}, "missing key 'cluster_id'"),
        ({"region": "us-east-1", "cluster_id": "c", "vpc": "x"}, "unknown key 'vpc' for aws"),
        ({"region": 1, "cluster_id": "c"}, "key 'region' must be a string"),
    ],
)
def test_bad_config(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        get_provider("aws", config)
    assert message in str(err.value)


def test_only_the_clusters_instances_are_seen(vpc: Any, provider: AWSProvider) -> None:
    aws_moto.run_instance(vpc, "ours", "us-east-1a")
    aws_moto.run_instance(vpc, "theirs", "us-east-1a", cluster_tag="kubernetes.io/cluster/other")
    instances = provider.instances()
    assert instances.instance_type("ours") == "t3.micro"
    with pytest.raises(InstanceNotFound, match="no EC2 instance tagged Name=theirs in cluster conformance"):
        instances.instance_id("theirs")
    address_types = [a.type.value for a in instances.node_addresses("ours")]
    assert address_types[:1] == ["InternalIP"] and "Hostname" in address_types


def test_provider_ids_of_other_clouds_are_not_found(provider: AWSProvider) -> None:
    assert provider.instances().instance_exists_by_provider_id("gce://p/z/i-1") is False
    with pytest.raises(InstanceNotFound, match="not an AWS provider ID"):
        provider.instances().node_addresses_by_provider_id("aws:///us-east-1a/vol-1")


def test_api_failures_are_one_error_type(provider: AWSProvider) -> None:
    with pytest.raises(AWSError) as err:
        provider.clients.call(provider.clients.ec2.describe_route_tables, RouteTableIds=["rtb-nope"])
    assert err.value.code and str(err.value).startswith("AWS describe_route_tables failed: ")
    assert isinstance(err.value, CloudProviderError)


def test_routes_need_one_tagged_route_table(vpc: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    other = get_provider("aws", {"region": aws_moto.REGION, "cluster_id": "no-table"})
    with pytest.raises(
        CloudProviderError, match=r"exactly one route table tagged kubernetes.io/cluster/no-table, found 0"
    ):
        other.routes().list_routes("x")  # type: ignore[union-attr]
    with pytest.raises(CloudProviderError, match=r"no subnet tagged kubernetes.io/cluster/no-table"):
        other.load_balancer().ensure_load_balancer(
            "x", Service("d", "s", "u-1", (ServicePort(80, 30080),)), []
        )  # type: ignore[union-attr]


def test_routes_turn_off_source_dest_check_and_blackhole_terminated(vpc: Any, provider: AWSProvider) -> None:
    inst = aws_moto.run_instance(vpc, "node-a", "us-east-1a")
    routes = provider.routes()
    routes.create_route("k", "node-a", Route("node-a", "10.244.1.0/24"))
    attr = vpc.ec2.describe_instance_attribute(InstanceId=inst["InstanceId"], Attribute="sourceDestCheck")
    assert attr["SourceDestCheck"]["Value"] is False
    table = vpc.ec2.describe_route_tables(RouteTableIds=[vpc.route_table])["RouteTables"][0]
    assert {"10.244.1.0/24": inst["InstanceId"]} == {
        r["DestinationCidrBlock"]: r["InstanceId"] for r in table["Routes"] if "InstanceId" in r
    }
    vpc.ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    assert routes.list_routes("k") == [Route("node-a", "10.244.1.0/24", "10.244.1.0/24", blackhole=True)]


def test_load_balancer_layout_follows_the_ports(vpc: Any, provider: AWSProvider) -> None:
    inst = aws_moto.run_instance(vpc, "node-a", "us-east-1b")
    node = Node("node-a", f"aws:///us-east-1b/{inst['InstanceId']}")
    lb = provider.load_balancer()
    svc = Service(
        "default",
        "dns",
        "5d1e8a3c-0b7f-4e2a-9c6d-3f1b2a4c5e6d",
        (ServicePort(53, 30053, Protocol.UDP), ServicePort(80, 30080)),
    )
    status = lb.ensure_load_balancer("k", svc, [node])
    assert status.ingress[0].hostname.startswith("a5d1e8a3c0b7f4e2a9c6d3f1b2a4c5e6")
    elb = provider.clients.elbv2
    arn = elb.describe_load_balancers(Names=[lb.get_load_balancer_name("k", svc)])["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    described = elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    assert described["Type"] == "network" and len(described["AvailabilityZones"]) == 2
    listeners = elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]
    assert sorted((x["Port"], x["Protocol"]) for x in listeners) == [(53, "UDP"), (80, "TCP")]
    tags = elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
    assert {"Key": "kubernetes.io/service-name", "Value": "default/dns"} in tags

    only_web = Service(svc.namespace, svc.name, svc.uid, (ServicePort(80, 30080),))
    lb.ensure_load_balancer("k", only_web, [node])
    listeners = elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]
    assert [(x["Port"], x["Protocol"]) for x in listeners] == [(80, "TCP")]
    names = [g["TargetGroupName"] for g in elb.describe_target_groups()["TargetGroups"]]
    assert len(names) == 1, "the UDP target group is deleted with its listener"
    lb.ensure_load_balancer_deleted("k", only_web)
    assert elb.describe_target_groups()["TargetGroups"] == []
