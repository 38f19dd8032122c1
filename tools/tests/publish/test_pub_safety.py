"""Nothing is ever lost: fast-forwards only, divergence refused (and --force by name), dry runs push nothing,
smoke tests stop a package's push, one run at a time, unreachable destinations fail only their package."""

from __future__ import annotations

import http.server
import subprocess
import threading
from pathlib import Path

import pytest
from pub_fixtures import Repo, heads, log, make_monorepo, publish
from test_pub_preflight import snapshot

from publish.lock import locked

pytestmark = pytest.mark.usefixtures("git_env")


def foreign_commit(bare: Path, tmp: Path) -> str:
    """Someone else pushes a commit to the destination's main."""
    clone = tmp / "someone"
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    other = Repo(clone)
    sha = other.commit("someone else's fix", {"fix.py": "x = 1\n"})
    other.git("push", "-q", "origin", "HEAD:main")
    return sha


def test_divergent_destination_is_refused_naming_branch_and_both_shas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    assert publish(repo.path, "sync") == 0
    theirs = foreign_commit(tmp_path / "dest/prov.git", tmp_path)
    repo.commit("both: new", {"staging/fw/fw/new.py": "N = 1\n", "staging/prov/prov/new.py": "N = 1\n"})
    before = snapshot(tmp_path / "dest/prov.git")
    capsys.readouterr()
    assert publish(repo.path, "sync") == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("prov: FAILED"))
    assert "refs/heads/main" in line and theirs in line and "--force prov:main" in line
    assert heads(tmp_path / "dest/prov.git")["refs/heads/main"] == theirs  # untouched
    assert snapshot(tmp_path / "dest/prov.git") == before  # byte for byte
    assert "fw: pushed refs/heads/main" in out  # the other package went on
    # --force names what may be overwritten.
    assert publish(repo.path, "sync", "--force", "prov:main") == 0
    assert log(tmp_path / "dest/prov.git", "%s", "-1", "main") == ["both: new"]


def test_dry_run_lists_commits_and_tags_and_pushes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    repo.git("tag", "v1.2.3")
    assert publish(repo.path, "sync", "--dry-run") == 0
    out = capsys.readouterr().out
    assert not (tmp_path / "dest").exists() and not (repo.path / "_work").exists()  # nothing on disk
    assert "fw: would push refs/heads/main (new) -> " in out and ", 2 commit(s)" in out
    assert "fw: would push refs/tags/v0.2.3 (new) -> " in out
    assert any(x.startswith("    ") and x.endswith(" fw: api") for x in out.splitlines())
    assert "prov: would push refs/heads/main" in out


def test_failing_smoke_test_stops_that_package_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    smoke = "test -f prov/__init__.py || (echo no prov here >&2; exit 3)"
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest", smoke=smoke)
    # prov depends on fw, so fw must pass for prov to be tried: fw fails here, and prov is not published.
    assert publish(repo.path, "sync") == 1
    out = capsys.readouterr().out
    assert "fw: FAILED: smoke test failed on refs/heads/main" in out and "exited 3: no prov here" in out
    assert "prov: FAILED: not published: its dependency 'fw' failed" in out
    assert heads(tmp_path / "dest/fw.git") == {}
    # --no-smoke skips it.
    assert publish(repo.path, "sync", "--no-smoke") == 0


def test_smoke_test_runs_in_a_clean_checkout_of_the_published_tree(tmp_path: Path) -> None:
    smoke = (
        "test -f pyproject.toml && test ! -e staging && git status >/dev/null 2>&1; test $? -ne 0 || exit 9"
    )
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest", smoke=smoke)
    assert publish(repo.path, "sync") == 0


def test_a_second_run_at_once_is_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    with locked(repo.path / "_work"):
        assert publish(repo.path, "sync") == 2
    err = capsys.readouterr().err
    assert err.startswith("publish: error: another publish run (pid ") and "publish.lock" in err
    assert len(err.strip().splitlines()) == 1


def test_unreachable_destination_fails_that_package_after_retries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    rules = (repo.path / "publish-rules.toml").read_text()
    rules = rules.replace(
        f'destination = "{tmp_path}/dest/prov.git"', 'destination = "/nonexistent/prov.git"'
    )
    repo.write({"publish-rules.toml": rules.replace("create = true", "create = false")})
    (tmp_path / "dest").mkdir()
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "dest/fw.git")], check=True)
    assert publish(repo.path, "sync") == 1
    captured = capsys.readouterr()
    assert "attempt" not in captured.err  # a destination that does not exist is not worth another try
    line = next(x for x in captured.out.splitlines() if x.startswith("prov: FAILED"))
    assert line == (
        "prov: FAILED: destination /nonexistent/prov.git does not exist (its rule has create = false)"
    )
    assert "fw: pushed refs/heads/main" in captured.out


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("[defaults]\nbogus = 1\n", "publish-rules.toml: [defaults]: unknown key 'bogus'"),
        ("[[package]]\nname = 'x'\n", "publish-rules.toml: package 'x': missing key 'source'"),
        (
            "[[package]]\nname='x'\nsource='s'\ndestination='d'\npin='latest'\n",
            "publish-rules.toml: package 'x': pin must be one of commit, version, not 'latest'",
        ),
        ("[[package]\n", "publish-rules.toml: invalid TOML"),
    ],
)
def test_bad_rules_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: str, message: str
) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    repo.write({"publish-rules.toml": rules})
    assert publish(repo.path, "sync") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_unknown_tool_publish_key_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    text = (
        (repo.path / "pyproject.toml")
        .read_text()
        .replace('work-dir = "_work"', 'work-dir = "_work"\nlok = 1')
    )
    repo.write({"pyproject.toml": text})
    assert publish(repo.path, "verify-rules") == 2
    assert "[tool.publish]: unknown key 'lok'" in capsys.readouterr().err


def test_a_push_the_destination_declines_fails_at_once_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hook that declines is no transport failure: no second attempt; the line says what it said."""
    repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
    fw = tmp_path / "dest/fw.git"
    subprocess.run(["git", "init", "-q", "--bare", str(fw)], check=True)
    hook = fw / "hooks" / "pre-receive"
    hook.write_text('#!/bin/sh\necho "policy: no pushes on Fridays" >&2\nexit 1\n')
    hook.chmod(0o755)
    assert publish(repo.path, "sync") == 1
    out, err = capsys.readouterr()
    assert "attempt" not in err
    line = next(x for x in out.splitlines() if x.startswith("fw: FAILED"))
    assert line == (
        "fw: FAILED: the destination refused refs/heads/main: [remote rejected] (pre-receive hook declined) "
        "(it said: policy: no pushes on Fridays); nothing pushed"
    )
    assert heads(fw) == {}


class _Status(http.server.BaseHTTPRequestHandler):
    """An HTTP server that answers every request of git's smart protocol with one status code."""

    code = 500

    def do_GET(self) -> None:  # the name http.server calls
        self.send_response(self.code)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("code", "retried"), [(503, True), (403, False), (404, False)])
def test_only_a_servers_own_failure_is_retried_over_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], code: int, retried: bool
) -> None:
    """A real HTTP transport: a 5xx is worth another attempt, a 4xx (no permission, no such repository)
    is not, whatever git adds about the connection."""
    handler = type("Handler", (_Status,), {"code": code})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        repo = make_monorepo(tmp_path / "mono", tmp_path / "dest")
        url = f"http://127.0.0.1:{server.server_address[1]}/fw.git"
        text = (repo.path / "publish-rules.toml").read_text()
        repo.write({"publish-rules.toml": text.replace(f"{tmp_path}/dest/fw.git", url)})
        assert publish(repo.path, "sync", "-p", "fw") == 1
    finally:
        server.shutdown()
        server.server_close()
    out, err = capsys.readouterr()
    assert ("fw: attempt 1 failed" in err) is retried, err
    assert f"fw: FAILED: git fetch from {url} failed: " in out
