"""boto3 clients for the configured region/endpoint, and the one error type for AWS API failures."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from cloud_provider import CloudProviderError

from cloud_provider_aws.config import AWSConfig


class AWSError(CloudProviderError):
    """An AWS API call failed; ``code`` is AWS's error code ('' for client-side failures)."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        self.operation, self.code = operation, code
        super().__init__(f"AWS {operation} failed: {code + ': ' if code else ''}{message}")


@functools.cache
def _botocore_session() -> botocore.session.Session:
    """One botocore session per process, so API models are loaded once however many providers are built."""
    return botocore.session.get_session()


class Clients:
    """The EC2 and ELBv2 clients; ``call`` runs one API operation and turns failures into AWSError."""

    def __init__(self, config: AWSConfig) -> None:
        session = boto3.session.Session(region_name=config.region, botocore_session=_botocore_session())
        boto_config = BotoConfig(retries={"max_attempts": 3, "mode": "standard"})
        self.ec2: Any = session.client("ec2", endpoint_url=config.endpoint_url, config=boto_config)
        self.elbv2: Any = session.client("elbv2", endpoint_url=config.endpoint_url, config=boto_config)

    @staticmethod
    def call(operation: Callable[..., Any], /, *, ignore: tuple[str, ...] = (), **kwargs: Any) -> Any:
        """``operation(**kwargs)``; None when AWS answers with one of the ``ignore`` error codes."""
        name = getattr(operation, "__name__", "call")
        try:
            return operation(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            if code in ignore:
                return None
            raise AWSError(name, code, str(error.get("Message", exc))) from exc
        except BotoCoreError as exc:
            raise AWSError(name, "", str(exc)) from exc

    def paginate(self, client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
        """Every item under ``key`` across all pages of ``operation``."""
        items: list[Any] = []
        try:
            for page in client.get_paginator(operation).paginate(**kwargs):
                items.extend(page.get(key, []))
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise AWSError(operation, str(error.get("Code", "")), str(error.get("Message", exc))) from exc
        except BotoCoreError as exc:
            raise AWSError(operation, "", str(exc)) from exc
        return items
