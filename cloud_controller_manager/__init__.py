"""A vendor-neutral cloud controller manager.

It reconciles a cluster's nodes, LoadBalancer services and routes through whichever cloud provider is
selected by name at run time (``cloud_provider.get_provider``); it never imports a provider.
"""

from __future__ import annotations

__version__ = "0.1.0"
