"""The Kubernetes cloud provider framework (k8s.io/cloud-provider) in Python.

Providers implement ``Interface`` and register a factory in the entry-point group
``cloud_provider.providers``; controllers pick one with ``get_provider(name, config)``.
"""

from __future__ import annotations

from cloud_provider.config import (
    CloudConfig,
    check_table,
    config_source,
    load_cloud_config,
    read_data_file,
    resolve_path,
)
from cloud_provider.errors import (
    CloudProviderError,
    ConfigError,
    ImplementedElsewhere,
    InstanceNotFound,
    ProviderNotFound,
    Unsupported,
    instance_found,
)
from cloud_provider.files import NotWritable, check_writable, write_text_atomic
from cloud_provider.interface import (
    Clusters,
    Instances,
    InstancesV2,
    Interface,
    LoadBalancer,
    Routes,
    Zones,
)
from cloud_provider.registry import ENTRY_POINT_GROUP, available_providers, get_provider
from cloud_provider.types import (
    InstanceMetadata,
    LoadBalancerIngress,
    LoadBalancerStatus,
    Node,
    NodeAddress,
    NodeAddressType,
    Protocol,
    Route,
    Service,
    ServicePort,
    Zone,
    configured_zone,
    make_provider_id,
    split_provider_id,
)

__version__ = "0.1.0"

__all__ = [
    "ENTRY_POINT_GROUP",
    "CloudConfig",
    "CloudProviderError",
    "Clusters",
    "ConfigError",
    "ImplementedElsewhere",
    "InstanceMetadata",
    "InstanceNotFound",
    "Instances",
    "InstancesV2",
    "Interface",
    "LoadBalancer",
    "LoadBalancerIngress",
    "LoadBalancerStatus",
    "Node",
    "NodeAddress",
    "NodeAddressType",
    "NotWritable",
    "Protocol",
    "ProviderNotFound",
    "Route",
    "Routes",
    "Service",
    "ServicePort",
    "Unsupported",
    "Zone",
    "Zones",
    "available_providers",
    "check_table",
    "check_writable",
    "config_source",
    "configured_zone",
    "get_provider",
    "instance_found",
    "load_cloud_config",
    "make_provider_id",
    "read_data_file",
    "resolve_path",
    "split_provider_id",
    "write_text_atomic",
]
