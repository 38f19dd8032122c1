"""The reference cloud provider: an in-memory cloud, like Kubernetes' fake cloud provider.

It is honest about what it reaches: nothing outside this process, except the optional ``state_file``
(a local JSON file) it saves its cloud to, so that several runs of a command share one cloud.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloud_provider_fake.cloud import (
    RUNNING,
    STOPPED,
    FakeCloud,
    FakeInstance,
    FakeLoadBalancer,
    load_cloud,
)
from cloud_provider_fake.provider import PROVIDER_NAME, FakeProvider

__version__ = "0.1.0"

__all__ = [
    "PROVIDER_NAME",
    "RUNNING",
    "STOPPED",
    "FakeCloud",
    "FakeInstance",
    "FakeLoadBalancer",
    "FakeProvider",
    "create_provider",
]


def create_provider(config: Mapping[str, Any]) -> FakeProvider:
    """The entry point factory (group ``cloud_provider.providers``, name ``fake``).

    Config keys (all optional): ``zone``, ``region`` (of this machine), ``instances`` (list of tables:
    name, id, zone, region, type, state running|stopped, addresses [{type, address}], labels {key =
    value}: the instance's additional labels), ``clusters`` (name -> control plane address),
    ``lb_network`` (CIDR load balancer IPs come from), ``cluster_id``, ``state_file`` (JSON file the
    cloud is loaded from when it exists, and saved to after every change; relative to the config file's
    folder). An unknown key or a value of the wrong type is refused (ConfigError naming file and key).
    """
    cloud = load_cloud(config)  # checks every key first
    return FakeProvider(cloud, cluster_id=config.get("cluster_id", ""))
