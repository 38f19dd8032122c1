"""AWSProvider: the framework's Interface over EC2 and ELBv2 (boto3)."""

from __future__ import annotations

from cloud_provider import Clusters, Instances, InstancesV2, Interface, LoadBalancer, Routes, Zones

from cloud_provider_aws.client import Clients
from cloud_provider_aws.config import AWSConfig
from cloud_provider_aws.instances import PROVIDER_NAME, AWSInstances, AWSInstancesV2, Directory
from cloud_provider_aws.load_balancer import AWSLoadBalancer
from cloud_provider_aws.routes import AWSRoutes


class AWSProvider(Interface):
    """Reaches the AWS APIs of ``config.region`` (or ``config.endpoint_url``) with boto3's credentials."""

    def __init__(self, config: AWSConfig, clients: Clients | None = None) -> None:
        self.config = config
        self.clients = clients or Clients(config)
        directory = Directory(config, self.clients)
        self._instances = AWSInstances(config, directory)
        self._instances_v2 = AWSInstancesV2(config, directory)
        self._load_balancer = AWSLoadBalancer(config, self.clients, directory)
        self._routes = AWSRoutes(config, self.clients, directory)

    def load_balancer(self) -> LoadBalancer:
        return self._load_balancer

    def instances(self) -> Instances:
        return self._instances

    def instances_v2(self) -> InstancesV2:
        return self._instances_v2

    def zones(self) -> Zones:
        return self._instances

    def clusters(self) -> Clusters | None:
        return None  # as in Kubernetes' AWS provider

    def routes(self) -> Routes:
        return self._routes

    def provider_name(self) -> str:
        return PROVIDER_NAME

    def has_cluster_id(self) -> bool:
        return True
