"""Pod CIDR routes in the cluster's VPC route table (tagged ``kubernetes.io/cluster/<cluster_id>``),
each to the node's instance, whose source/destination check is turned off so it may forward pod traffic."""

from __future__ import annotations

from typing import Any

from cloud_provider import CloudProviderError, Route, Routes

from cloud_provider_aws.client import Clients
from cloud_provider_aws.config import AWSConfig
from cloud_provider_aws.instances import Directory, addresses_of, is_alive


class AWSRoutes(Routes):
    def __init__(self, config: AWSConfig, clients: Clients, directory: Directory) -> None:
        self.config, self.clients, self.directory = config, clients, directory

    def _table(self) -> dict[str, Any]:
        filters = [{"Name": "tag-key", "Values": [self.config.cluster_tag]}]
        if self.config.vpc_id:
            filters.append({"Name": "vpc-id", "Values": [self.config.vpc_id]})
        tables = self.clients.paginate(
            self.clients.ec2, "describe_route_tables", "RouteTables", Filters=filters
        )
        if len(tables) != 1:
            raise CloudProviderError(
                f"aws: expected exactly one route table tagged {self.config.cluster_tag}, found {len(tables)}"
            )
        return dict(tables[0])

    def list_routes(self, cluster_name: str) -> list[Route]:
        table = self._table()
        routed = [r for r in table.get("Routes", []) if r.get("InstanceId") and r.get("DestinationCidrBlock")]
        known = {i["InstanceId"]: i for i in self.directory.by_ids(sorted({r["InstanceId"] for r in routed}))}
        routes = []
        for r in routed:
            instance = known.get(r["InstanceId"])
            name = self.directory.node_name(instance) if instance else ""
            blackhole = r.get("State") == "blackhole" or instance is None or not is_alive(instance)
            routes.append(
                Route(
                    name or r["InstanceId"],
                    r["DestinationCidrBlock"],
                    name=r["DestinationCidrBlock"],
                    blackhole=blackhole,
                    target_node_addresses=tuple(addresses_of(instance)) if instance and not blackhole else (),
                )
            )
        return sorted(routes)

    def create_route(self, cluster_name: str, name_hint: str, route: Route) -> None:
        instance = self.directory.by_name(route.target_node)
        ec2 = self.clients.ec2
        if instance.get("SourceDestCheck", True):
            self.clients.call(
                ec2.modify_instance_attribute,
                InstanceId=instance["InstanceId"],
                SourceDestCheck={"Value": False},
            )
        table = self._table()
        exists = any(r.get("DestinationCidrBlock") == route.destination_cidr for r in table.get("Routes", []))
        operation = ec2.replace_route if exists else ec2.create_route
        self.clients.call(
            operation,
            RouteTableId=table["RouteTableId"],
            DestinationCidrBlock=route.destination_cidr,
            InstanceId=instance["InstanceId"],
        )

    def delete_route(self, cluster_name: str, route: Route) -> None:
        self.clients.call(
            self.clients.ec2.delete_route,
            ignore=("InvalidRoute.NotFound",),
            RouteTableId=self._table()["RouteTableId"],
            DestinationCidrBlock=route.destination_cidr,
        )
