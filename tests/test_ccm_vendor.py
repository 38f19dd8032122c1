"""In the monorepo the framework and providers are imported through vendor/, as published packages will be."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import cloud_controller_manager

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "cloud_provider": "staging/cloud_provider/cloud_provider",
    "cloud_provider_fake": "staging/cloud_provider_fake/cloud_provider_fake",
    "cloud_provider_baremetal": "staging/cloud_provider_baremetal/cloud_provider_baremetal",
    "cloud_provider_aws": "staging/cloud_provider_aws/src/cloud_provider_aws",
}


@pytest.mark.parametrize(("package", "target"), sorted(PACKAGES.items()))
def test_imported_through_a_relative_vendor_link(package: str, target: str) -> None:
    module = importlib.import_module(package)
    link = ROOT / "vendor" / package
    assert Path(module.__file__).parent == link  # type: ignore[arg-type]
    assert link.is_symlink() and not link.readlink().is_absolute()
    assert link.resolve() == (ROOT / target).resolve()


def staging_packages() -> list[str]:
    """The import packages of every staging distribution (flat or src layout), read from staging/."""
    found = []
    for dist in (ROOT / "staging").iterdir():
        base = dist / "src" if (dist / "src").is_dir() else dist
        found += [p.name for p in base.iterdir() if (p / "__init__.py").is_file()]
    return sorted(found)


def test_vendor_holds_exactly_the_staging_packages() -> None:
    assert set(PACKAGES) <= set(staging_packages())  # a package moved to staging/ later joins them
    assert sorted(p.name for p in (ROOT / "vendor").iterdir()) == staging_packages()


def test_the_core_is_imported_from_the_repository_root() -> None:
    assert Path(cloud_controller_manager.__file__).parent == ROOT / "cloud_controller_manager"
