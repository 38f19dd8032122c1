"""The Python environment whose installed metadata decides who owns a third-party import.

By default there is none: depgraph's own environment (wherever it happens to be installed) never decides a
finding, and ownership comes from the declared requirements and a static table
(`depgraph.discover.import_names`).
With `--python PATH` or `python = "..."` in [tool.depgraph], that interpreter is asked once for its
`sys.path`, standard-library names and marker environment; its `*.dist-info`/`*.egg-info` folders are then
read statically (`depgraph.graph.classify`). The interpreter runs with the caller's environment variables, as
the repository's code would (PYTHONPATH included); the current folder is left off its path. The answer is
cached in the cache folder, keyed by the interpreter's path and stat and re-checked against the `.pth` files
of its `sys.path` (installing a package that adds a path entry changes them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from depgraph.base.errors import DepgraphError

if TYPE_CHECKING:
    from importlib.metadata import Distribution

    from depgraph.discover.config import Config

_PROBE_VERSION = 1
_PROBE = r"""
import json, os, platform, sys
def version(info):
    v = "{0.major}.{0.minor}.{0.micro}".format(info)
    return v if info.releaselevel == "final" else v + info.releaselevel[0] + str(info.serial)
markers = {
    "implementation_name": sys.implementation.name,
    "implementation_version": version(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps({
    "path": [os.path.abspath(p) for p in sys.path if p],
    "stdlib": sorted(getattr(sys, "stdlib_module_names", ())),
    "markers": markers,
    "version": sys.version,
}))
"""


@dataclass(frozen=True, slots=True)
class Environment:
    """Where installed metadata is read (`python` None: nowhere, the static mapping alone decides)."""

    python: str | None
    paths: tuple[str, ...] = ()  # the interpreter's sys.path, absolute
    stdlib: frozenset[str] = frozenset(sys.stdlib_module_names)
    markers: Mapping[str, str] | None = None  # PEP 508 marker environment; None: the running one
    version: str = sys.version

    @property
    def static(self) -> bool:
        return self.python is None

    def key(self) -> str:
        """What identifies it in cache keys."""
        return repr((self.python, self.paths, sorted(self.stdlib), sorted((self.markers or {}).items())))


STATIC = Environment(None)


def interpreter(value: str, where: str, base: Path) -> str:
    """The interpreter a `--python` value or `python` key names: a file, or a virtual environment's folder
    (its `bin/python` or `Scripts/python.exe`); relative to `base`. `where` names the option or key."""
    path = Path(os.path.expanduser(value))  # noqa: PTH111 - ~ as a shell would
    if not path.is_absolute():
        path = base / path
    if path.is_dir():
        for candidate in (path / "bin" / "python", path / "Scripts" / "python.exe"):
            if candidate.is_file():
                return str(candidate.absolute())
        raise DepgraphError(f"{where}: {value!r} is a folder without bin/python (not a virtual environment)")
    if not path.is_file():
        raise DepgraphError(f"{where}: no interpreter at {value!r} ({path})")
    if not os.access(path, os.X_OK):
        raise DepgraphError(f"{where}: {value!r} is not executable")
    return str(path.absolute())


def _pth_names(paths: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for entry in paths:
        try:
            with os.scandir(entry) as it:
                found += sorted(f"{entry}/{e.name}" for e in it if e.name.endswith(".pth"))
        except OSError:
            continue
    return found


def _identity(python: str) -> str:
    parts = [python, os.environ.get("PYTHONPATH", "")]
    for path in (Path(python), Path(python).parent.parent / "pyvenv.cfg"):
        try:
            real = path.resolve()
            st = real.stat()
        except OSError:
            continue
        parts.append(f"{real}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
    return "|".join(parts)


def _ask(python: str, where: str) -> dict[str, object]:
    try:
        done = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DepgraphError(f"{where}: cannot run {python}: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise DepgraphError(f"{where}: {python} failed (exit {done.returncode}): {last}")
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        raise DepgraphError(f"{where}: {python} is not a Python interpreter depgraph can read") from None
    if not isinstance(answer, dict):
        raise DepgraphError(f"{where}: {python} is not a Python interpreter depgraph can read")
    return answer


def load_environment(python: str | None, where: str, cache_dir: Path | None) -> Environment:
    """The environment of `python` (None: the static one), asking the interpreter at most once per change."""
    if python is None:
        return STATIC
    identity = _identity(python)
    cache_file = None
    if cache_dir is not None:
        from hashlib import blake2b  # noqa: PLC0415

        name = blake2b(f"{_PROBE_VERSION}{identity}".encode(), digest_size=12).hexdigest()
        cache_file = cache_dir / f"python-{name}.json"
        try:
            stored = json.loads(cache_file.read_text(encoding="utf-8"))
            if stored["pth"] == _pth_names(tuple(stored["answer"]["path"])):
                return _environment(python, stored["answer"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    answer = _ask(python, where)
    env = _environment(python, answer)
    if cache_file is not None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"answer": answer, "pth": _pth_names(env.paths)}), encoding="utf-8")
            tmp.replace(cache_file)
        except OSError:
            pass  # a read-only cache folder only costs time
    return env


def _environment(python: str, answer: Mapping[str, object]) -> Environment:
    paths = answer.get("path")
    stdlib = answer.get("stdlib")
    markers = answer.get("markers")
    version = answer.get("version")
    if not (isinstance(paths, list) and isinstance(stdlib, list) and isinstance(markers, dict)):
        raise DepgraphError(f"{python}: unexpected answer to depgraph's probe")
    return Environment(
        python=python,
        paths=tuple(str(p) for p in paths),
        # before Python 3.10 there is no sys.stdlib_module_names: this interpreter's list is the best guess
        stdlib=frozenset(map(str, stdlib)) or frozenset(sys.stdlib_module_names),
        markers=MappingProxyType({str(k): str(v) for k, v in markers.items()}),
        version=str(version),
    )


def of_config(config: Config, cache_dir: Path | None) -> Environment:
    """The environment the configuration names (`python` key, or `--python` put there by the CLI)."""
    if config.python is None:
        return STATIC
    where = config.python_where or "--python"
    base = Path.cwd() if where == "--python" else config.root
    return load_environment(interpreter(config.python, where, base), where, cache_dir)


def installed(env: Environment, name: str) -> Distribution | None:
    """The distribution `name` as installed in `env`: its metadata files, read where that interpreter's
    `sys.path` finds them first (none of its code runs). None without an environment (depgraph's own is
    never read) or when it is not installed there."""
    if env.static:
        return None
    from importlib.metadata import Distribution  # noqa: PLC0415 - only with an environment

    return next(iter(Distribution.discover(name=name, path=list(env.paths))), None)
