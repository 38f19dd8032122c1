from __future__ import annotations

from pathlib import Path

import pytest
from cloud_provider import (
    ConfigError,
    InstanceNotFound,
    Instances,
    Interface,
    NodeAddress,
    NodeAddressType,
    Service,
    Unsupported,
    Zone,
    configured_zone,
    instance_found,
    load_cloud_config,
    make_provider_id,
    split_provider_id,
)


def test_provider_ids_round_trip() -> None:
    assert make_provider_id("aws", "/us-east-1a/i-1") == "aws:///us-east-1a/i-1"
    assert split_provider_id("aws:///us-east-1a/i-1") == ("aws", "/us-east-1a/i-1")
    for bad in ("", "i-1", "aws://", "://i-1"):
        with pytest.raises(ValueError, match="malformed provider ID"):
            split_provider_id(bad)


def test_node_address_parse_names_unknown_types() -> None:
    assert NodeAddress.parse("ExternalIP", "1.2.3.4") == NodeAddress(NodeAddressType.EXTERNAL_IP, "1.2.3.4")
    with pytest.raises(ValueError, match=r"unknown node address type 'Public'.*InternalIP"):
        NodeAddress.parse("Public", "1.2.3.4")


def test_value_objects_are_frozen_and_ordered() -> None:
    a, b = Service("default", "a", "u1"), Service("default", "b", "u2")
    assert sorted([b, a]) == [a, b] and a.key == "default/a"
    with pytest.raises(AttributeError):
        a.name = "c"  # type: ignore[misc]


def test_unsupported_is_a_not_implemented_error() -> None:
    assert issubclass(Unsupported, NotImplementedError)


def test_interface_defaults() -> None:
    class Minimal(Interface):
        def load_balancer(self) -> None:
            return None

        def instances(self) -> None:
            return None

        def zones(self) -> None:
            return None

        def clusters(self) -> None:
            return None

        def routes(self) -> None:
            return None

        def provider_name(self) -> str:
            return "minimal"

        def has_cluster_id(self) -> bool:
            return False

    provider = Minimal()
    provider.initialize(None, None)
    assert provider.instances_v2() is None
    with pytest.raises(TypeError):
        Instances()  # type: ignore[abstract]


def test_load_cloud_config_toml_and_json(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('region = "r1"\n[[instances]]\nname = "a"\n')
    (tmp_path / "c.json").write_text('{"region": "r2"}')
    assert load_cloud_config(tmp_path / "c.toml") == {"region": "r1", "instances": [{"name": "a"}]}
    assert load_cloud_config(tmp_path / "c.json") == {"region": "r2"}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.toml", "region = ", "bad.toml: invalid cloud config"),
        ("bad.json", "[1, 2]", "bad.json: cloud config must be a table"),
        ("missing.toml", None, "missing.toml: cannot read cloud config"),
    ],
)
def test_load_cloud_config_errors_name_the_file(
    tmp_path: Path, name: str, text: str | None, message: str
) -> None:
    if text is not None:
        (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_cloud_config(tmp_path / name)


def test_instance_found_is_false_only_for_instance_not_found() -> None:
    machines = {"a": "i-1"}

    def lookup(name: str) -> str:
        if name == "broken":
            raise ConfigError("the inventory cannot be read")
        if name not in machines:
            raise InstanceNotFound(name)
        return machines[name]

    assert instance_found(lookup, "a") is True
    assert instance_found(lookup, "b") is False
    with pytest.raises(ConfigError, match="cannot be read"):
        instance_found(lookup, "broken")


def test_configured_zone_is_the_config_s_or_unsupported_with_the_advice() -> None:
    assert configured_zone("z1", "r1", "set 'zone'") == Zone("z1", "r1")
    with pytest.raises(Unsupported, match=r"^set 'zone'$"):
        configured_zone("", "r1", "set 'zone'")
