"""A real network transport: `git daemon` on 127.0.0.1, including a destination that goes away mid-run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pub_fixtures import heads, log, make_monorepo, publish

pytestmark = pytest.mark.usefixtures("git_env")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Daemon:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.stop()  # a daemon killed meanwhile is reaped first
        # `git daemon` runs `git-daemon` as a child (and it forks one per connection): in a session of its
        # own, the whole process group is stopped at once, whichever of them is alive.
        self.proc = subprocess.Popen(
            [
                "git",
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--enable=receive-pack",
                f"--base-path={self.base}",
                "--listen=127.0.0.1",
                f"--port={self.port}",
                f"--pid-file={self.pidfile}",
                str(self.base),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise AssertionError("git daemon did not start")

    @property
    def pidfile(self) -> Path:
        return self.base / "daemon.pid"

    @property
    def group(self) -> int:
        assert self.proc is not None
        return self.proc.pid  # the session leader's pid is the process group's id

    def alive(self) -> bool:
        try:
            os.killpg(self.group, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.alive():
            os.killpg(self.group, signal.SIGKILL)
        self.proc.wait()
        for _ in range(500):  # the group's other members are reaped by init
            if not self.alive():
                break
            time.sleep(0.01)
        assert not self.alive(), "git daemon's process group outlived it"
        if self.pidfile.exists():
            pid = int(self.pidfile.read_text())
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    base = tmp_path / "served"
    base.mkdir()
    for name in ("fw.git", "prov.git"):
        subprocess.run(["git", "init", "-q", "--bare", str(base / name)], check=True)
    d = Daemon(base)
    d.start()
    yield d
    d.stop()


def test_publish_over_git_daemon_and_survive_a_destination_that_goes_away(
    tmp_path: Path, daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "unused")
    rules = (repo.path / "publish-rules.toml").read_text()
    rules = rules.replace(f"{tmp_path}/unused/fw.git", daemon.url("fw.git"))
    rules = rules.replace(f"{tmp_path}/unused/prov.git", daemon.url("prov.git"))
    # prov's smoke test runs after its fetch and before its push: the destination vanishes right there.
    assert daemon.proc is not None
    head, _, tail = rules.rpartition('smoke = ""')
    repo.write({"publish-rules.toml": head + f'smoke = "kill -9 -{daemon.group}"' + tail})
    assert publish(repo.path, "sync") == 1
    out, err = capsys.readouterr()
    assert "fw: pushed refs/heads/main (new)" in out
    line = next(x for x in out.splitlines() if x.startswith("prov: FAILED"))
    assert f"git push to git://127.0.0.1:{daemon.port}/prov.git failed: " in line and "refused" in line
    assert "prov: attempt 1 failed" in err  # retried (a bounded number of times), then gave up
    assert heads(daemon.base / "prov.git") == {}
    # The destination comes back: the next run finishes the job, and fw has nothing new.
    repo.write({"publish-rules.toml": rules})
    daemon.start()
    assert publish(repo.path, "sync") == 0
    out = capsys.readouterr().out
    assert "fw: up to date" in out and "prov: pushed refs/heads/main (new)" in out
    assert log(daemon.base / "prov.git", "%s", "main") == ["prov: first version"]
