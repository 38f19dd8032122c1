"""The one real installation: a published provider commit installs into a fresh virtual environment, its
sibling resolved through the rewritten direct reference to the sibling's published repository.

Needs pip to reach PyPI (or its cache): it upgrades itself (the pip bundled with Python 3.11 rejects
`git+file://` references) and setuptools in the smoke venv in one step, then builds both distributions
without build isolation (with that setuptools): the isolated build fetched and installed setuptools once per
distribution, most of the time these tests took, and is not what they are about. The second test, the
negative control (the same install fails when the rewritten reference leads nowhere), is `slow`: `make
test-all` and CI run it; a failing smoke test stopping the push is also tested cheaply in test_pub_safety."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pub_fixtures import heads, make_monorepo, publish

pytestmark = [pytest.mark.usefixtures("git_env"), pytest.mark.heavy]

PIP = f"{sys.executable} -m pip --python $VIRTUAL_ENV"
SMOKE = (
    f"{PIP} install -q --upgrade setuptools && {PIP} install -q --no-build-isolation . && "
    "python -c 'import fw, prov, os; assert os.sep + \\\"site-packages\\\" in fw.__file__'"
)


def test_published_provider_installs_with_its_sibling_from_the_published_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(
        tmp_path / "mono", tmp_path / "dest", fw_extra=""
    )  # install-url: the local destination
    rules = (repo.path / "publish-rules.toml").read_text()
    head, _, tail = rules.rpartition('smoke = ""')
    repo.write({"publish-rules.toml": head + f'smoke = "{SMOKE}"\nsmoke-venv = true' + tail})
    code = publish(repo.path, "sync")
    out = capsys.readouterr().out
    assert code == 0, out
    assert "prov: pushed refs/heads/main (new)" in out
    assert heads(tmp_path / "dest/prov.git")


@pytest.mark.slow  # the negative control of the install above: CI runs it (make test-all); ~7 s of CPU
def test_the_same_smoke_test_fails_when_the_sibling_cannot_be_resolved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(
        tmp_path / "mono", tmp_path / "dest", fw_extra='install-url = "file:///nonexistent/fw.git"'
    )
    rules = (repo.path / "publish-rules.toml").read_text()
    head, _, tail = rules.rpartition('smoke = ""')
    repo.write({"publish-rules.toml": head + f'smoke = "{SMOKE}"\nsmoke-venv = true' + tail})
    assert publish(repo.path, "sync") == 1
    out = capsys.readouterr().out
    assert "prov: FAILED: smoke test failed on refs/heads/main" in out
    assert heads(tmp_path / "dest/prov.git") == {}
