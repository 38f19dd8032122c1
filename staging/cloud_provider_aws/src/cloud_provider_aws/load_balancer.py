"""Services of type LoadBalancer as ELBv2 network load balancers.

One NLB per service, named like Kubernetes' AWS provider does ("a" + the service UID without dashes, 32
characters at most), in the subnets tagged for the cluster (one per availability zone); one listener per
service port, forwarding to a target group on the node port whose targets are the nodes' instances.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from cloud_provider import (
    CloudProviderError,
    LoadBalancer,
    LoadBalancerIngress,
    LoadBalancerStatus,
    Node,
    Service,
    ServicePort,
)

from cloud_provider_aws.client import Clients
from cloud_provider_aws.config import AWSConfig
from cloud_provider_aws.instances import Directory, instance_id_from_provider_id

SERVICE_TAG = "kubernetes.io/service-name"


def target_group_name(lb_name: str, port: ServicePort) -> str:
    digest = hashlib.sha256(
        f"{lb_name}/{port.protocol.value}/{port.port}/{port.node_port}".encode()
    ).hexdigest()
    return f"k8s-{digest[:28]}"


class AWSLoadBalancer(LoadBalancer):
    def __init__(self, config: AWSConfig, clients: Clients, directory: Directory) -> None:
        self.config, self.clients, self.directory = config, clients, directory

    @property
    def elb(self) -> Any:
        return self.clients.elbv2

    def get_load_balancer_name(self, cluster_name: str, service: Service) -> str:
        return ("a" + service.uid.replace("-", ""))[:32]

    def _find(self, service: Service) -> dict[str, Any] | None:
        name = self.get_load_balancer_name("", service)
        found = self.clients.call(
            self.elb.describe_load_balancers, ignore=("LoadBalancerNotFound",), Names=[name]
        )
        return found["LoadBalancers"][0] if found and found["LoadBalancers"] else None

    def get_load_balancer(
        self, cluster_name: str, service: Service
    ) -> tuple[LoadBalancerStatus | None, bool]:
        lb = self._find(service)
        return (None, False) if lb is None else (_status(lb), True)

    def ensure_load_balancer(
        self, cluster_name: str, service: Service, nodes: Sequence[Node]
    ) -> LoadBalancerStatus:
        lb = self._find(service) or self._create(service)
        wanted = {target_group_name(lb["LoadBalancerName"], p): p for p in service.ports}
        listeners = self.clients.paginate(
            self.elb, "describe_listeners", "Listeners", LoadBalancerArn=lb["LoadBalancerArn"]
        )
        by_port = {(lst["Port"], lst["Protocol"]): lst for lst in listeners}
        groups = self._target_groups(lb)
        for name, port in sorted(wanted.items()):
            group = groups.get(name) or self._create_group(lb, name, port, service)
            groups[name] = group
            action = [{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}]
            listener = by_port.pop((port.port, port.protocol.value), None)
            if listener is None:
                self.clients.call(
                    self.elb.create_listener,
                    LoadBalancerArn=lb["LoadBalancerArn"],
                    Protocol=port.protocol.value,
                    Port=port.port,
                    DefaultActions=action,
                )
            elif _forwards_to(listener) != group["TargetGroupArn"]:
                self.clients.call(
                    self.elb.modify_listener, ListenerArn=listener["ListenerArn"], DefaultActions=action
                )
        for listener in by_port.values():  # ports the service no longer has
            self.clients.call(self.elb.delete_listener, ListenerArn=listener["ListenerArn"])
        for name in sorted(set(groups) - set(wanted)):
            self.clients.call(
                self.elb.delete_target_group,
                ignore=("TargetGroupNotFound",),
                TargetGroupArn=groups[name]["TargetGroupArn"],
            )
        self._sync_targets([groups[n] for n in sorted(wanted)], nodes)
        return _status(lb)

    def update_load_balancer(self, cluster_name: str, service: Service, nodes: Sequence[Node]) -> None:
        lb = self._find(service)
        if lb is None:
            raise CloudProviderError(
                f"aws: load balancer {self.get_load_balancer_name(cluster_name, service)}"
                f" of {service.key} does not exist"
            )
        self._sync_targets(list(self._target_groups(lb).values()), nodes)

    def ensure_load_balancer_deleted(self, cluster_name: str, service: Service) -> None:
        lb = self._find(service)
        if lb is None:
            return
        groups = self._target_groups(lb)
        self.clients.call(self.elb.delete_load_balancer, LoadBalancerArn=lb["LoadBalancerArn"])
        for _, group in sorted(groups.items()):
            self.clients.call(
                self.elb.delete_target_group,
                ignore=("TargetGroupNotFound",),
                TargetGroupArn=group["TargetGroupArn"],
            )

    # -- pieces ---------------------------------------------------------------------------------------
    def _tags(self, service: Service) -> list[dict[str, str]]:
        return [
            {"Key": self.config.cluster_tag, "Value": "owned"},
            {"Key": SERVICE_TAG, "Value": service.key},
        ]

    def _create(self, service: Service) -> dict[str, Any]:
        created = self.clients.call(
            self.elb.create_load_balancer,
            Name=self.get_load_balancer_name("", service),
            Subnets=self._subnets(),
            Scheme="internet-facing",
            Type="network",
            Tags=self._tags(service),
        )
        return dict(created["LoadBalancers"][0])

    def _subnets(self) -> list[str]:
        filters = [{"Name": "tag-key", "Values": [self.config.cluster_tag]}]
        if self.config.vpc_id:
            filters.append({"Name": "vpc-id", "Values": [self.config.vpc_id]})
        subnets = self.clients.paginate(self.clients.ec2, "describe_subnets", "Subnets", Filters=filters)
        per_zone: dict[str, str] = {}
        for subnet in sorted(subnets, key=lambda s: str(s["SubnetId"])):
            per_zone.setdefault(subnet["AvailabilityZone"], subnet["SubnetId"])
        if not per_zone:
            raise CloudProviderError(
                f"aws: no subnet tagged {self.config.cluster_tag} to put a load balancer in"
            )
        return [per_zone[z] for z in sorted(per_zone)]

    def _target_groups(self, lb: dict[str, Any]) -> dict[str, dict[str, Any]]:
        # AWS answers an empty list when no group is attached; moto answers TargetGroupNotFound.
        groups = self.clients.call(
            self.elb.describe_target_groups,
            ignore=("TargetGroupNotFound",),
            LoadBalancerArn=lb["LoadBalancerArn"],
        )
        return {g["TargetGroupName"]: g for g in (groups or {}).get("TargetGroups", [])}

    def _create_group(
        self, lb: dict[str, Any], name: str, port: ServicePort, service: Service
    ) -> dict[str, Any]:
        created = self.clients.call(
            self.elb.create_target_group,
            Name=name,
            Protocol=port.protocol.value,
            Port=port.node_port,
            VpcId=lb["VpcId"],
            TargetType="instance",
            Tags=self._tags(service),
        )
        return dict(created["TargetGroups"][0])

    def _sync_targets(self, groups: list[dict[str, Any]], nodes: Sequence[Node]) -> None:
        wanted = set()
        for node in nodes:
            if node.provider_id:
                wanted.add(instance_id_from_provider_id(node.provider_id))
            else:
                wanted.add(self.directory.by_name(node.name)["InstanceId"])
        for group in groups:
            arn = group["TargetGroupArn"]
            health = self.clients.call(self.elb.describe_target_health, TargetGroupArn=arn)[
                "TargetHealthDescriptions"
            ]
            current = {h["Target"]["Id"] for h in health}
            if wanted - current:
                self.clients.call(
                    self.elb.register_targets,
                    TargetGroupArn=arn,
                    Targets=[{"Id": i} for i in sorted(wanted - current)],
                )
            if current - wanted:
                self.clients.call(
                    self.elb.deregister_targets,
                    TargetGroupArn=arn,
                    Targets=[{"Id": i} for i in sorted(current - wanted)],
                )


def _forwards_to(listener: dict[str, Any]) -> str:
    return next(
        (
            a.get("TargetGroupArn", "")
            for a in listener.get("DefaultActions", [])
            if a.get("Type") == "forward"
        ),
        "",
    )


def _status(lb: dict[str, Any]) -> LoadBalancerStatus:
    return LoadBalancerStatus(ingress=(LoadBalancerIngress(hostname=lb["DNSName"]),))
