"""Load balancers as HAProxy configuration fragments, one file per service in ``haproxy_dir``.

Each fragment holds one frontend/backend pair per service port: the frontend binds the service's virtual
IP on the service port, the backend lists the nodes' addresses on the node port. A header records the
service, cluster and virtual IP, so the provider can read its own state back. Load HAProxy with
``haproxy -f haproxy.cfg -f <haproxy_dir>`` (it reads every *.cfg file of a directory, in order).
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cloud_provider import CloudProviderError, Protocol, ServicePort

HEADER = "# Managed by cloud-provider-baremetal; do not edit."


@dataclass(frozen=True)
class Backend:
    name: str  # node name
    address: str


@dataclass(frozen=True)
class Fragment:
    lb_name: str
    service: str  # namespace/name
    cluster: str
    vip: str
    ports: tuple[ServicePort, ...]
    backends: tuple[Backend, ...]

    def render(self) -> str:
        lines = [HEADER, f"# service: {self.service}", f"# cluster: {self.cluster}", f"# vip: {self.vip}"]
        for port in sorted(self.ports):
            if port.protocol is not Protocol.TCP:
                raise CloudProviderError(
                    f"baremetal: HAProxy balances TCP only;"
                    f" port {port.port} of {self.service} is {port.protocol.value}"
                )
            section = f"{self.lb_name}_{port.port}"
            lines += [
                "",
                f"frontend {section}",
                "    mode tcp",
                f"    bind {_host(self.vip)}:{port.port}",
                f"    default_backend {section}",
            ]
            lines += ["", f"backend {section}", "    mode tcp", "    balance roundrobin"]
            lines += [
                f"    server {b.name} {_host(b.address)}:{port.node_port} check"
                for b in sorted(self.backends, key=lambda b: b.name)
            ]
            lines += [f"    # node-port {port.node_port}"]
        return "\n".join(lines) + "\n"


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def parse(lb_name: str, text: str) -> Fragment:
    """Read back a fragment this module rendered."""
    meta: dict[str, str] = {}
    ports: list[ServicePort] = []
    backends: dict[str, Backend] = {}
    front_port = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# ") and ": " in stripped and not line.startswith(" "):
            key, _, value = stripped[2:].partition(": ")
            meta[key] = value
        elif stripped.startswith("bind "):
            front_port = int(stripped.rsplit(":", 1)[1])
        elif stripped.startswith("server "):
            _, name, target, *_ = stripped.split()
            backends[name] = Backend(name, target.rsplit(":", 1)[0].strip("[]"))
        elif stripped.startswith("# node-port "):
            ports.append(ServicePort(front_port, int(stripped.split()[-1])))
    return Fragment(
        lb_name,
        meta.get("service", ""),
        meta.get("cluster", ""),
        meta.get("vip", ""),
        tuple(sorted(ports)),
        tuple(sorted(backends.values(), key=lambda b: b.name)),
    )


class FragmentStore:
    """The fragment files of one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, lb_name: str) -> Path:
        return self.directory / f"{lb_name}.cfg"

    def read(self, lb_name: str) -> Fragment | None:
        try:
            return parse(lb_name, self.path(lb_name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def all(self) -> list[Fragment]:
        if not self.directory.is_dir():
            return []
        return [parse(p.stem, p.read_text(encoding="utf-8")) for p in sorted(self.directory.glob("*.cfg"))]

    def write(self, fragment: Fragment) -> None:
        """Write only when the content changes, atomically (HAProxy may be reloading)."""
        text = fragment.render()
        path = self.path(fragment.lb_name)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)

    def delete(self, lb_name: str) -> None:
        self.path(lb_name).unlink(missing_ok=True)

    def vips(self) -> set[str]:
        """The virtual IPs of every fragment, read from their headers only."""
        if not self.directory.is_dir():
            return set()
        used = set()
        for path in sorted(self.directory.glob("*.cfg")):
            with path.open(encoding="utf-8") as f:
                for line in itertools.islice(f, 8):
                    if line.startswith("# vip: "):
                        used.add(line[len("# vip: ") :].strip())
        return used

    def allocate_vip(self, pool: str, requested: str = "") -> str:
        used = self.vips()
        network = ipaddress.ip_network(pool)
        if requested:
            if ipaddress.ip_address(requested) not in network:
                raise CloudProviderError(
                    f"baremetal: requested load balancer IP {requested} is outside vip_pool {pool}"
                )
            if requested in used:
                raise CloudProviderError(
                    f"baremetal: requested load balancer IP {requested} is already in use"
                )
            return requested
        for host in network.hosts():
            if str(host) not in used:
                return str(host)
        raise CloudProviderError(f"baremetal: no free address left in vip_pool {pool}")


def backends_for(names: Sequence[str], addresses: dict[str, str]) -> tuple[Backend, ...]:
    return tuple(Backend(n, addresses[n]) for n in sorted(set(names)) if addresses.get(n))
