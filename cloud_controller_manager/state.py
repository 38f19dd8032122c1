"""The cluster state: a JSON file standing in for the Kubernetes API (nodes, services, what was built).

Layout::

    {
      "cluster_name": "kubernetes",
      "cluster_cidr": "10.244.0.0/16",            # optional: routes outside it are left alone
      "nodes": [{"name", "provider_id", "pod_cidr", "labels": {}, "taints": [{"key", "value", "effect"}],
                 "addresses": [{"type", "address"}]}],
      "services": [{"namespace", "name", "uid", "type", "load_balancer_ip",
                    "ports": [{"name", "protocol", "port", "node_port"}],
                    "status": {"load_balancer": {"ingress": [{"ip", "hostname"}]}}}],
      "load_balancers": [{"namespace", "name", "uid", "ports", "load_balancer_ip", "nodes"}]
    }

``load_balancers`` is written by the service controller: the load balancers it built, so it can delete
them once their service is gone (Kubernetes keeps a finalizer on the service for the same purpose).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloud_provider import (
    LoadBalancerIngress,
    LoadBalancerStatus,
    NodeAddress,
    Protocol,
    Service,
    ServicePort,
    write_text_atomic,
)


class StateError(Exception):
    """The state file cannot be read or is malformed; the message names the file and the place."""


@dataclass(frozen=True, order=True)
class Taint:
    key: str
    effect: str = "NoSchedule"
    value: str = ""


@dataclass
class NodeState:
    name: str
    provider_id: str = ""
    pod_cidr: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[Taint] = field(default_factory=list)
    addresses: list[NodeAddress] = field(default_factory=list)


@dataclass
class ServiceState:
    namespace: str
    name: str
    uid: str
    type: str = "ClusterIP"
    ports: list[ServicePort] = field(default_factory=list)
    load_balancer_ip: str = ""
    status: LoadBalancerStatus = field(default_factory=LoadBalancerStatus)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def to_service(self) -> Service:
        return Service(
            self.namespace,
            self.name,
            self.uid,
            tuple(sorted(self.ports)),
            self.type,
            self.load_balancer_ip,
            self.status,
        )


@dataclass(frozen=True)
class ManagedLoadBalancer:
    """A load balancer the service controller built (or began to build: ``pending``), and for what.

    The record is written before the first ensure call, as Kubernetes adds its finalizer first, so a load
    balancer half-built by a failed call is still deleted once its service goes.
    """

    namespace: str
    name: str
    uid: str
    ports: tuple[ServicePort, ...]
    load_balancer_ip: str
    nodes: tuple[str, ...]
    pending: bool = False  # the last ensure call did not succeed

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def to_service(self) -> Service:
        return Service(self.namespace, self.name, self.uid, self.ports, "LoadBalancer", self.load_balancer_ip)


@dataclass
class ClusterState:
    cluster_name: str = "kubernetes"
    cluster_cidr: str = ""
    nodes: list[NodeState] = field(default_factory=list)
    services: list[ServiceState] = field(default_factory=list)
    load_balancers: dict[str, ManagedLoadBalancer] = field(default_factory=dict)

    def to_json(self) -> str:
        data: dict[str, Any] = {"cluster_name": self.cluster_name}
        if self.cluster_cidr:
            data["cluster_cidr"] = self.cluster_cidr
        data["nodes"] = [_node_out(n) for n in sorted(self.nodes, key=lambda n: n.name)]
        data["services"] = [_service_out(s) for s in sorted(self.services, key=lambda s: s.key)]
        data["load_balancers"] = [_managed_out(m) for _, m in sorted(self.load_balancers.items())]
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def load_state(path: str | Path) -> ClusterState:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StateError(f"{path}: cannot read cluster state: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise StateError(f"{path}: invalid JSON: {exc}") from exc
    return parse_state(data, str(path))


def save_state(state: ClusterState, path: str | Path) -> None:
    """Replace the file atomically, keeping its mode; a read-only file is refused (NotWritable)."""
    write_text_atomic(path, state.to_json())


def parse_state(data: Any, where: str) -> ClusterState:
    r = _Reader(where)
    top = r.table(data, "")
    state = ClusterState(
        cluster_name=r.text(top, "cluster_name", "", default="kubernetes"),
        cluster_cidr=r.text(top, "cluster_cidr", "", default=""),
    )
    if state.cluster_cidr:
        r.cidr(state.cluster_cidr, "cluster_cidr")
    for i, raw in enumerate(r.items(top, "nodes", "")):
        state.nodes.append(r.node(raw, f"nodes[{i}]"))
    for i, raw in enumerate(r.items(top, "services", "")):
        state.services.append(r.service(raw, f"services[{i}]"))
    for i, raw in enumerate(r.items(top, "load_balancers", "")):
        managed = r.managed(raw, f"load_balancers[{i}]")
        state.load_balancers[managed.key] = managed
    for kind, names in (
        ("nodes", [n.name for n in state.nodes]),
        ("services", [s.key for s in state.services]),
    ):
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise StateError(f"{where}: {kind}: duplicate name {dupes[0]!r}")
    return state


class _Reader:
    """Typed reads of the JSON document; every failure names the file and the place in it."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, at: str, message: str) -> StateError:
        return StateError(f"{self.where}: {at + ': ' if at else ''}{message}")

    def table(self, value: Any, at: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(at, f"expected an object, got {type(value).__name__}")
        return value

    def items(self, table: Mapping[str, Any], key: str, at: str) -> list[Any]:
        value = table.get(key, [])
        if not isinstance(value, list):
            raise self.fail(_join(at, key), f"expected a list, got {type(value).__name__}")
        return value

    def text(self, table: Mapping[str, Any], key: str, at: str, default: str | None = None) -> str:
        if key not in table:
            if default is None:
                raise self.fail(at, f"missing key {key!r}")
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(_join(at, key), f"expected a string, got {type(value).__name__}")
        return value

    def port(self, table: Mapping[str, Any], key: str, at: str) -> int:
        value = table.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
            raise self.fail(_join(at, key), f"expected a port number, got {value!r}")
        return value

    def flag(self, table: Mapping[str, Any], key: str, at: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(_join(at, key), f"expected true or false, got {value!r}")
        return value

    def cidr(self, value: str, at: str) -> None:
        try:
            ipaddress.ip_network(value)
        except ValueError:
            raise self.fail(at, f"not a CIDR: {value!r}") from None

    def node(self, raw: Any, at: str) -> NodeState:
        t = self.table(raw, at)
        node = NodeState(
            self.text(t, "name", at), self.text(t, "provider_id", at, ""), self.text(t, "pod_cidr", at, "")
        )
        if node.pod_cidr:
            self.cidr(node.pod_cidr, _join(at, "pod_cidr"))
        labels = self.table(t.get("labels", {}), _join(at, "labels"))
        node.labels = {k: self.text(labels, k, _join(at, "labels")) for k in labels}
        for i, taint in enumerate(self.items(t, "taints", at)):
            tt = self.table(taint, f"{at}.taints[{i}]")
            w = f"{at}.taints[{i}]"
            node.taints.append(
                Taint(
                    self.text(tt, "key", w),
                    self.text(tt, "effect", w, "NoSchedule"),
                    self.text(tt, "value", w, ""),
                )
            )
        for i, addr in enumerate(self.items(t, "addresses", at)):
            w = f"{at}.addresses[{i}]"
            at_ = self.table(addr, w)
            try:
                node.addresses.append(
                    NodeAddress.parse(self.text(at_, "type", w), self.text(at_, "address", w))
                )
            except ValueError as exc:
                raise self.fail(w, str(exc)) from None
        return node

    def ports(self, table: Mapping[str, Any], at: str) -> list[ServicePort]:
        ports = []
        for i, raw in enumerate(self.items(table, "ports", at)):
            w = f"{at}.ports[{i}]"
            p = self.table(raw, w)
            try:
                protocol = Protocol(self.text(p, "protocol", w, "TCP"))
            except ValueError:
                raise self.fail(_join(w, "protocol"), f"unknown protocol {p['protocol']!r}") from None
            ports.append(
                ServicePort(
                    self.port(p, "port", w),
                    self.port(p, "node_port", w),
                    protocol,
                    self.text(p, "name", w, ""),
                )
            )
        return ports

    def service(self, raw: Any, at: str) -> ServiceState:
        t = self.table(raw, at)
        svc = ServiceState(
            self.text(t, "namespace", at, "default"),
            self.text(t, "name", at),
            self.text(t, "uid", at),
            self.text(t, "type", at, "ClusterIP"),
            self.ports(t, at),
            self.text(t, "load_balancer_ip", at, ""),
        )
        status = self.table(
            self.table(t.get("status", {}), f"{at}.status").get("load_balancer", {}),
            f"{at}.status.load_balancer",
        )
        ingress = []
        for i, raw_ing in enumerate(self.items(status, "ingress", f"{at}.status.load_balancer")):
            w = f"{at}.status.load_balancer.ingress[{i}]"
            ing = self.table(raw_ing, w)
            ingress.append(
                LoadBalancerIngress(self.text(ing, "ip", w, ""), self.text(ing, "hostname", w, ""))
            )
        svc.status = LoadBalancerStatus(tuple(ingress))
        return svc

    def managed(self, raw: Any, at: str) -> ManagedLoadBalancer:
        t = self.table(raw, at)
        nodes = self.items(t, "nodes", at)
        if not all(isinstance(n, str) for n in nodes):
            raise self.fail(_join(at, "nodes"), "expected a list of node names")
        return ManagedLoadBalancer(
            self.text(t, "namespace", at),
            self.text(t, "name", at),
            self.text(t, "uid", at),
            tuple(sorted(self.ports(t, at))),
            self.text(t, "load_balancer_ip", at, ""),
            tuple(sorted(nodes)),
            self.flag(t, "pending", at),
        )


def _join(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key


def _ports_out(ports: Any) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "protocol": p.protocol.value, "port": p.port, "node_port": p.node_port}
        for p in sorted(ports)
    ]


def _node_out(n: NodeState) -> dict[str, Any]:
    return {
        "name": n.name,
        "provider_id": n.provider_id,
        "pod_cidr": n.pod_cidr,
        "labels": dict(sorted(n.labels.items())),
        "taints": [{"key": t.key, "value": t.value, "effect": t.effect} for t in sorted(n.taints)],
        "addresses": [{"type": a.type.value, "address": a.address} for a in n.addresses],
    }


def _service_out(s: ServiceState) -> dict[str, Any]:
    ingress = [{k: v for k, v in (("ip", i.ip), ("hostname", i.hostname)) if v} for i in s.status.ingress]
    return {
        "namespace": s.namespace,
        "name": s.name,
        "uid": s.uid,
        "type": s.type,
        "load_balancer_ip": s.load_balancer_ip,
        "ports": _ports_out(s.ports),
        "status": {"load_balancer": {"ingress": ingress}},
    }


def _managed_out(m: ManagedLoadBalancer) -> dict[str, Any]:
    return {
        "namespace": m.namespace,
        "name": m.name,
        "uid": m.uid,
        "ports": _ports_out(m.ports),
        "load_balancer_ip": m.load_balancer_ip,
        "nodes": list(m.nodes),
        **({"pending": True} if m.pending else {}),
    }
