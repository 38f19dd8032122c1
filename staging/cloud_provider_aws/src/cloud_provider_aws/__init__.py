"""An AWS cloud provider for the ``cloud-provider`` framework, over boto3.

It reaches the real AWS APIs (or any endpoint given as ``endpoint_url``, such as a moto server): EC2 for
instances, zones, subnets and route tables, ELBv2 for network load balancers and target groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloud_provider_aws.client import AWSError, Clients
from cloud_provider_aws.config import AWSConfig
from cloud_provider_aws.provider import AWSProvider

__version__ = "0.1.0"

__all__ = ["AWSConfig", "AWSError", "AWSProvider", "Clients", "create_provider"]


def create_provider(config: Mapping[str, Any]) -> AWSProvider:
    """The entry point factory (group ``cloud_provider.providers``, name ``aws``).

    Config keys: ``region`` and ``cluster_id`` (required); ``endpoint_url``, ``vpc_id``, ``zone``,
    ``node_name_tag`` (default ``Name``). Credentials come from boto3's usual chain (environment,
    files, roles).
    """
    return AWSProvider(AWSConfig.from_mapping(config))
