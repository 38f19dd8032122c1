"""The provider's configuration, read from the cloud-config mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloud_provider import ConfigError, config_source

KNOWN_KEYS = {"region", "endpoint_url", "vpc_id", "cluster_id", "zone", "node_name_tag"}


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
        where = config_source(config)
        unknown = sorted(set(config) - KNOWN_KEYS)
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {unknown[0]!r} for aws (known: {', '.join(sorted(KNOWN_KEYS))})"
            )
        values: dict[str, Any] = {}
        for key in sorted(KNOWN_KEYS):
            if key in config and not isinstance(config[key], str):
                raise ConfigError(f"{where}: key {key!r} must be a string")
            if key in config:
                values[key] = config[key]
        for key in ("region", "cluster_id"):
            if not values.get(key):
                raise ConfigError(f"{where}: missing key {key!r} (required by the aws provider)")
        return cls(**values)
