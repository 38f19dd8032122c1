"""The smoke test: the rule's command in a clean checkout of a published commit, in a fresh venv."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
import venv
from dataclasses import dataclass
from pathlib import Path

from publish import git

TIMEOUT = 1800
VENV_LOCK = threading.Lock()


@dataclass(frozen=True)
class SmokeResult:
    ok: bool
    detail: str  # the last lines of its output when it failed


def checkout(repo: Path, commit: str, into: Path) -> None:
    """Extract the published tree (exactly what the commit holds, nothing else)."""
    data = git.run(["archive", "--format=tar", commit], repo).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        if sys.version_info >= (3, 12):
            tar.extractall(into, filter="data")
        else:  # pragma: no cover
            tar.extractall(into)


def run_smoke(repo: Path, commit: str, command: str, use_venv: bool) -> SmokeResult:
    with tempfile.TemporaryDirectory(prefix="publish-smoke-") as tmp:
        tree = Path(tmp) / "src"
        tree.mkdir()
        checkout(repo, commit, tree)
        env = dict(os.environ)
        for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
            env.pop(key, None)
        env["PUBLISH_COMMIT"] = commit
        if use_venv:
            env_dir = Path(tmp) / "venv"
            with VENV_LOCK:  # one at a time: a fork while another thread writes a file -> ETXTBSY
                venv.EnvBuilder(with_pip=True, clear=True, symlinks=True).create(env_dir)
            env["VIRTUAL_ENV"] = str(env_dir)
            env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
            env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        try:
            proc = subprocess.run(
                command, shell=True, cwd=tree, env=env, capture_output=True, timeout=TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            return SmokeResult(False, f"timed out after {TIMEOUT} s")
        if proc.returncode == 0:
            return SmokeResult(True, "")
        output = (proc.stdout + proc.stderr).decode("utf-8", "replace").strip().splitlines()
        output = [line for line in output if not line.startswith("WARNING:")] or output
        tail = " | ".join(line.strip() for line in output[-3:] if line.strip())
        return SmokeResult(False, f"`{command}` exited {proc.returncode}: {tail or '(no output)'}")
