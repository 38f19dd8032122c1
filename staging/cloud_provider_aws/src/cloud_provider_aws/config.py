"""The provider's configuration, read from the cloud-config mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloud_provider import check_table, config_source

# The schema of the provider's cloud config: every key a string; region and cluster_id required.
SCHEMA: dict[str, type] = dict.fromkeys(
    ("region", "endpoint_url", "vpc_id", "cluster_id", "zone", "node_name_tag"), str
)
REQUIRED = ("region", "cluster_id")


@dataclass(frozen=True)
class AWSConfig:
    region: str
    cluster_id: str  # resources belong to the cluster when tagged kubernetes.io/cluster/<cluster_id>
    endpoint_url: str | None = None  # e.g. a moto server or a VPC endpoint
    vpc_id: str | None = None  # restrict instances, subnets and route tables to this VPC
    zone: str | None = None  # the zone this process runs in (get_zone); the metadata service is not queried
    node_name_tag: str = "Name"  # the instance tag holding the node name

    @property
    def cluster_tag(self) -> str:
        return f"kubernetes.io/cluster/{self.cluster_id}"

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> AWSConfig:
        check_table(config, SCHEMA, config_source(config), required=REQUIRED, owner="aws")
        return cls(**{key: config[key] for key in sorted(SCHEMA) if key in config})
