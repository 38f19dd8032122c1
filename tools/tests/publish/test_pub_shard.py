"""`publish sync --shard I/N`: a stable split of the packages by a hash of their names."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from publish.errors import PublishError
from publish.shard import parse_shard, shard_of


def test_every_package_in_exactly_one_shard_and_stable() -> None:
    names = [f"pkg-{i}" for i in range(200)]
    for count in (1, 2, 3, 7):
        shards = [shard_of(n, count) for n in names]
        assert all(1 <= s <= count for s in shards)
        assert shards == [shard_of(n, count) for n in names]  # a rerun: the same split
    assert len({shard_of(n, 4) for n in names}) == 4  # all four used


def test_shard_is_the_sha256_of_the_name_not_the_position() -> None:
    # adding or removing other packages never moves a package: its shard depends on its name alone
    digest = hashlib.sha256(b"cloud-provider-aws").digest()
    assert shard_of("cloud-provider-aws", 5) == int.from_bytes(digest[:8], "big") % 5 + 1


@pytest.mark.parametrize("bad", ["0/2", "3/2", "1", "a/b", "1/0", ""])
def test_bad_shard_is_one_line(bad: str) -> None:
    with pytest.raises(PublishError, match="--shard"):
        parse_shard(bad)


def test_parse() -> None:
    assert parse_shard("2/4") == (2, 4)


def test_cli_refuses_a_bad_shard_before_doing_anything() -> None:
    from click.testing import CliRunner  # noqa: PLC0415

    from publish.cli import cli  # noqa: PLC0415

    project = Path(__file__).resolve().parents[3]
    result = CliRunner().invoke(cli, ["--root", str(project), "sync", "--shard", "5/4", "--dry-run"])
    assert result.exit_code != 0
    assert "--shard '5/4': I must be between 1 and N" in str(result.exception) + result.output


@pytest.mark.usefixtures("git_env")
def test_shards_publish_what_one_run_publishes(tmp_path: Path) -> None:
    """prov depends on fw; in different shards, prov's job publishes fw too, and fw's job finds it there."""
    from pub_fixtures import heads, make_monorepo, publish  # noqa: PLC0415

    count = next(n for n in range(2, 10) if shard_of("fw", n) != shard_of("prov", n))
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    for index in sorted(range(1, count + 1), key=lambda i: i != shard_of("prov", count)):  # prov's first
        assert publish(repo.path, "sync", "--shard", f"{index}/{count}") == 0
    (tmp_path / "dest").rename(tmp_path / "dest-sharded")
    assert publish(repo.path, "sync") == 0  # one run, to a new destination
    for name in ("fw", "prov"):
        sharded = heads(tmp_path / "dest-sharded" / f"{name}.git")
        assert sharded and sharded == heads(tmp_path / "dest" / f"{name}.git")
