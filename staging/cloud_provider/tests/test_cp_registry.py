"""The plugin registry, with real entry points from a distribution written to a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from cloud_provider import CloudProviderError, ProviderNotFound, available_providers, get_provider


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A distribution 'cp-test-plugins' registering three providers: one good, two broken."""
    (tmp_path / "cp_test_plugins.py").write_text(
        textwrap.dedent(
            """
            from cloud_provider import Interface

            class Nothing(Interface):
                def __init__(self, config):
                    self.config = dict(config)

                def load_balancer(self): return None
                def instances(self): return None
                def zones(self): return None
                def clusters(self): return None
                def routes(self): return None
                def provider_name(self): return "zz-good"
                def has_cluster_id(self): return False

            def good(config):
                return Nothing(config)

            def not_an_interface(config):
                return object()
            """
        )
    )
    info = tmp_path / "cp_test_plugins-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cp-test-plugins\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[cloud_provider.providers]\n"
        "zz-good = cp_test_plugins:good\n"
        "zz-object = cp_test_plugins:not_an_interface\n"
        "zz-missing = cp_test_plugins_gone:factory\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_available_providers_is_sorted_and_includes_plugins(plugins: Path) -> None:
    names = available_providers()
    assert names == sorted(names)
    assert {"zz-good", "zz-missing", "zz-object"} <= set(names)


def test_get_provider_passes_the_config(plugins: Path) -> None:
    provider = get_provider("zz-good", {"a": 1})
    assert provider.config == {"a": 1}  # type: ignore[attr-defined]


def test_unknown_provider_lists_the_available_names(plugins: Path) -> None:
    with pytest.raises(ProviderNotFound) as err:
        get_provider("nope", {})
    assert "unknown cloud provider 'nope' (available: " in str(err.value)
    assert {"zz-good", "zz-missing", "zz-object"} <= set(err.value.available)


def test_broken_plugins_are_named(plugins: Path) -> None:
    with pytest.raises(
        CloudProviderError, match=r"'zz-missing' cannot be loaded \(cp_test_plugins_gone:factory\)"
    ):
        get_provider("zz-missing")
    with pytest.raises(CloudProviderError, match="returned object, not an Interface"):
        get_provider("zz-object")
