"""The installed-distribution map read straight from the metadata folders on sys.path (real ones)."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from depgraph.graph import classify


def test_direct_scan_equals_importlib_metadata_on_this_environment() -> None:
    paths = tuple(sys.path)
    direct = classify._scan_installed(paths)
    assert direct == classify._scan_with_importlib(paths)
    assert "click" in direct  # an installed distribution this project depends on


def _dist(site: Path, folder: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = site / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_names_and_tops_from_every_kind_of_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    _dist(
        site,
        "alpha-1.0.dist-info",
        {
            "METADATA": "Metadata-Version: 2.1\nName: Alpha\n\nName: not this\n",
            "top_level.txt": "alpha\nalpha_ext\n",
        },
    )
    record = "beta/__init__.py,sha256=x,1\nbeta_single.py,,\nbeta-2.0.dist-info/RECORD,,\n../../bin/beta,,\n"
    _dist(site, "beta-2.0.dist-info", {"METADATA": "Name: beta\nVersion: 2.0\n", "RECORD": record})
    _dist(site, "gamma-3.0.egg-info", {"PKG-INFO": "Name: gamma\n", "SOURCES.txt": "gamma/__init__.py\n"})
    _dist(site, "gamma", {"__init__.py": ""})  # Python 3.13 lists only SOURCES.txt entries that exist
    _dist(site, "nameless-0.dist-info", {"METADATA": "Version: 0\n", "top_level.txt": "nameless\n"})
    assert classify._scan_installed((str(site), str(tmp_path / "missing"))) == {
        "alpha": ("Alpha",),
        "alpha_ext": ("Alpha",),
        "beta": ("beta",),
        "beta_single": ("beta",),
        "gamma": ("gamma",),
    }


def test_an_archive_on_sys_path_is_left_to_importlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("delta-1.0.dist-info/METADATA", "Name: delta\n")
        zf.writestr("delta-1.0.dist-info/top_level.txt", "delta\n")
    assert classify._metadata_folders((str(archive),)) is None
    assert classify._scan_installed((str(archive),)) == {"delta": ("delta",)}
