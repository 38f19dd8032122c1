"""Shared by the aws tests: a moto-backed VPC laid out for a cluster, and the conformance harness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from cloud_provider import Service, Zone
from cloud_provider.conformance import CloudHarness, PreparedInstance
from cloud_provider_aws import AWSConfig, AWSProvider, Clients

REGION = "us-east-1"
CLUSTER = "conformance"
TAG = f"kubernetes.io/cluster/{CLUSTER}"
IMAGE = "ami-12c6146b"  # any ID: moto does not check it against its image catalogue


def fake_credentials(monkeypatch: Any) -> None:
    """Credentials moto accepts, and no default AMI catalogue (loading it costs a second per test)."""
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def ec2_client(endpoint_url: str | None = None) -> Any:
    """An EC2 client built like the provider's own (one shared botocore session: models load once)."""
    return Clients(AWSConfig(region=REGION, cluster_id=CLUSTER, endpoint_url=endpoint_url)).ec2


@dataclass
class Vpc:
    ec2: Any
    vpc_id: str
    subnets: dict[str, str]  # zone -> subnet
    route_table: str


def build_vpc(ec2: Any) -> Vpc:
    """A VPC with two tagged subnets (us-east-1a, us-east-1b) and a tagged route table."""
    tags = [{"ResourceType": "", "Tags": [{"Key": TAG, "Value": "owned"}]}]
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = {}
    for i, zone in enumerate(("us-east-1a", "us-east-1b")):
        spec = [{**tags[0], "ResourceType": "subnet"}]
        subnet = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=f"10.0.{i + 1}.0/24", AvailabilityZone=zone, TagSpecifications=spec
        )
        subnets[zone] = subnet["Subnet"]["SubnetId"]
    spec = [{**tags[0], "ResourceType": "route-table"}]
    table = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=spec)["RouteTable"]["RouteTableId"]
    return Vpc(ec2, vpc_id, subnets, table)


def run_instance(
    vpc: Vpc, name: str, zone: str, instance_type: str = "t3.micro", cluster_tag: str = TAG
) -> dict[str, Any]:
    spec = [
        {
            "ResourceType": "instance",
            "Tags": [{"Key": "Name", "Value": name}, {"Key": cluster_tag, "Value": "owned"}],
        }
    ]
    reservation = vpc.ec2.run_instances(
        ImageId=IMAGE,
        MinCount=1,
        MaxCount=1,
        InstanceType=instance_type,
        SubnetId=vpc.subnets[zone],
        TagSpecifications=spec,
    )
    return dict(reservation["Instances"][0])


class AWSHarness(CloudHarness):
    zones = (Zone("us-east-1a", REGION), Zone("us-east-1b", REGION))

    def __init__(self, vpc: Vpc, provider: AWSProvider) -> None:
        self.vpc, self.provider = vpc, provider
        self.ids: dict[str, str] = {}

    def add_instance(self, name: str, zone: Zone) -> PreparedInstance:
        inst = run_instance(self.vpc, name, zone.failure_domain)
        self.ids[name] = inst["InstanceId"]
        return PreparedInstance(name, f"aws:///{zone.failure_domain}/{inst['InstanceId']}", zone, "t3.micro")

    def shutdown_instance(self, name: str) -> None:
        self.vpc.ec2.stop_instances(InstanceIds=[self.ids[name]])

    def remove_instance(self, name: str) -> None:
        self.vpc.ec2.terminate_instances(InstanceIds=[self.ids[name]])

    def unknown_provider_id(self) -> str:
        return "aws:///us-east-1a/i-0123456789abcdef0"

    def load_balancer_targets(self, cluster_name: str, service: Service) -> frozenset[str]:
        """Read through boto3 against moto, not through the provider under test: the load balancer is
        found by its service tag, then its target groups and their registered instances."""
        elb = boto3.client("elbv2", region_name=REGION)
        arns = [lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]]
        tagged = elb.describe_tags(ResourceArns=arns)["TagDescriptions"] if arns else []
        mine = [
            t["ResourceArn"]
            for t in tagged
            if {"Key": "kubernetes.io/service-name", "Value": service.key} in t["Tags"]
        ]
        assert len(mine) == 1, f"{len(mine)} load balancers tagged for {service.key}"
        by_id = {v: k for k, v in self.ids.items()}
        names = set()
        for group in elb.describe_target_groups(LoadBalancerArn=mine[0])["TargetGroups"]:
            health = elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
            names |= {by_id[h["Target"]["Id"]] for h in health["TargetHealthDescriptions"]}
        return frozenset(names)

    def additional_labels(self, name: str) -> dict[str, str]:
        """The zone ID of the instance's zone, as EC2 (through boto3) tells it."""
        ec2 = boto3.client("ec2", region_name=REGION)
        reservations = ec2.describe_instances(InstanceIds=[self.ids[name]])["Reservations"]
        zone = reservations[0]["Instances"][0]["Placement"]["AvailabilityZone"]
        (found,) = ec2.describe_availability_zones(ZoneNames=[zone])["AvailabilityZones"]
        return {"topology.k8s.aws/zone-id": found["ZoneId"]}
