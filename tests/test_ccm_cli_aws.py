"""The console command against the aws provider, reaching a real moto server on 127.0.0.1 over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

# moto and botocore warm up once per process (~2-3 s of CPU): every moto test on one worker
pytestmark = pytest.mark.xdist_group("moto")

CCM = Path(sys.executable).parent / "cloud-controller-manager"
REGION, CLUSTER = "us-east-1", "demo"
TAG = f"kubernetes.io/cluster/{CLUSTER}"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for key, value in {**CREDENTIALS, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}.items():
        monkeypatch.setenv(key, value)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _cluster(ec2: Any) -> dict[str, str]:
    """A VPC with a tagged subnet per zone, a tagged route table, and two instances named node-a, node-b."""
    tagged = lambda kind, *extra: [{"ResourceType": kind, "Tags": [{"Key": TAG, "Value": "owned"}, *extra]}]  # noqa: E731
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_route_table(VpcId=vpc, TagSpecifications=tagged("route-table"))
    ids = {"vpc": vpc}
    for i, (name, zone) in enumerate((("node-a", "us-east-1a"), ("node-b", "us-east-1b"))):
        subnet = ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone, TagSpecifications=tagged("subnet")
        )
        run = ec2.run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            InstanceType="m5.large",
            SubnetId=subnet["Subnet"]["SubnetId"],
            TagSpecifications=tagged("instance", {"Key": "Name", "Value": name}),
        )
        ids[name] = run["Instances"][0]["InstanceId"]
    return ids


@pytest.mark.heavy
def test_aws_provider_through_a_moto_server(endpoint: str, tmp_path: Path) -> None:
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint)
    ids = _cluster(ec2)
    (tmp_path / "cloud.toml").write_text(
        f'region = "{REGION}"\ncluster_id = "{CLUSTER}"\n'
        f'endpoint_url = "{endpoint}"\nvpc_id = "{ids["vpc"]}"\n'
    )
    state = {
        "cluster_name": CLUSTER,
        "nodes": [
            {"name": "node-a", "pod_cidr": "10.244.1.0/24"},
            {"name": "node-b", "pod_cidr": "10.244.2.0/24"},
        ],
        "services": [
            {
                "name": "web",
                "uid": "6f1d2c3b-4a5e-4f6d-8e7c-9b0a1c2d3e4f",
                "type": "LoadBalancer",
                "ports": [{"port": 80, "node_port": 30080}],
            }
        ],
    }
    (tmp_path / "state.json").write_text(json.dumps(state))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}, **CREDENTIALS}

    def run() -> subprocess.CompletedProcess[str]:
        cmd = [str(CCM), "--cloud-provider", "aws", "--cloud-config", "cloud.toml", "--state", "state.json"]
        return subprocess.run(
            cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    first = run()
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert f"node/node-a: set provider ID aws:///us-east-1a/{ids['node-a']}" in lines
    assert "node/node-b: set label topology.kubernetes.io/zone=us-east-1b" in lines
    assert "node/node-b: set label node.kubernetes.io/instance-type=m5.large" in lines
    assert "service/default/web: ensured load balancer (created) with hosts node-a, node-b" in lines
    assert lines[-2:] == [
        "route/10.244.1.0/24: created route to node node-a",
        "route/10.244.2.0/24: created route to node node-b",
    ]
    saved = json.loads((tmp_path / "state.json").read_text())
    hostname = saved["services"][0]["status"]["load_balancer"]["ingress"][0]["hostname"]
    assert hostname.startswith("a6f1d2c3b4a5e4f6d8e7c9b0a1c2d3e4") and hostname.endswith(".elb.amazonaws.com")

    second = run()
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")

    ec2.terminate_instances(InstanceIds=[ids["node-b"]])
    third = run()
    assert third.returncode == 0, third.stderr
    assert third.stdout.splitlines() == [
        "node/node-b: deleted (its instance no longer exists)",
        "service/default/web: updated load balancer hosts: -node-b (now 1)",
        "route/10.244.2.0/24: deleted route to node node-b (blackhole)",
    ]
    elb = boto3.client("elbv2", region_name=REGION, endpoint_url=endpoint)
    (group,) = elb.describe_target_groups()["TargetGroups"]
    targets = elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]
    assert [t["Target"]["Id"] for t in targets] == [ids["node-a"]]
