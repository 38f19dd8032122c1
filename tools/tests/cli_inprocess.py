"""Run one of our console scripts (`depgraph`, `stage`, `publish`, `cloud-controller-manager`), or `python -m
MODULE` or `python SCRIPT.py`, inside the test's own process, as `subprocess.run` would run it: the same
arguments, working folder and environment (a given `env` replaces the whole environment, as it does for a
child), stdout and stderr captured apart, the exit code from the entry point's return value or
`SystemExit`, `CalledProcessError` with `check=True`.

Why: a new interpreter that imports click, networkx, packaging... costs about 0.1 s of CPU before the
command does anything, and the suite started ~230 of them (a fifth of `make test`'s CPU). What only a real
process shows stays tested with real processes: each console script's `--help`/`--version`
(test_dg_help.py, test_ccm_cli.py), a real `depgraph check` per exit code (test_dg_check_cli.py), output
byte-identical between processes (test_dg_replay.py, test_dg_draw.py), two processes sharing the cache
(test_dg_snapshot.py), `stage plan` and `stage apply` through the console script (test_stage_plan.py,
test_stage_apply.py, test_stage_rewrite_finish.py), `publish` killed mid-run (test_pub_interrupt.py),
SIGTERM (test_ccm_cli.py).

A process ends once its non-daemon threads have: so does a call here (the fake cloud writes its state file
from one). What a fresh process would not carry over is reset before each call: the `functools.cache`
memos of our packages (a file read in one call is read again in the next) and the warning filters
(Python's defaults; a warning the command emits is printed to its stderr, as a child would print it,
instead of being collected by pytest).
"""

from __future__ import annotations

import importlib
import os
import runpy
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner

ENTRY_POINTS = {  # console script -> "module:function", as tools/pyproject.toml declares them
    "depgraph": "depgraph.cli:main",
    "stage": "stage.cli:main",
    "publish": "publish.cli:main",
    "cloud-controller-manager": "cloud_controller_manager.cli:main",  # pyproject.toml
}
PACKAGES = ("depgraph", "stage", "publish", "cloud_controller_manager", "cloud_provider")


def _entry(argv: list[str]) -> tuple[Callable[[list[str]], Any], list[str]]:
    """The function that runs `argv`, and the arguments it takes: a console script's entry point, or, for
    `python -m MODULE ...` and `python SCRIPT.py ...`, the module or script run as __main__ (runpy)."""
    if Path(argv[0]).name.startswith("python") and argv[1:2] == ["-m"]:
        return lambda args: _as_main(argv[2], args, module=True), argv[3:]
    if Path(argv[0]).name.startswith("python") and argv[1].endswith(".py"):
        return lambda args: _as_main(argv[1], args, module=False), argv[2:]
    module, _, name = ENTRY_POINTS[Path(argv[0]).name].partition(":")
    entry: Callable[[list[str]], Any] = getattr(importlib.import_module(module), name)
    return entry, argv[1:]


def _as_main(target: str, args: list[str], *, module: bool) -> None:
    """Run a module (`python -m`) or a script file as __main__ with `args` in sys.argv; a script's folder
    first on sys.path, as Python puts it."""
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    try:
        if module:
            sys.argv = [target, *args]  # runpy puts the module's file in sys.argv[0]
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.argv = [target, *args]
            sys.path.insert(0, str(Path(target).resolve().parent))
            runpy.run_path(target, run_name="__main__")
    finally:
        sys.argv[:], sys.path[:] = saved_argv, saved_path


def _forget_memos() -> None:
    """Clear every `functools.cache`/`lru_cache` at module level in our packages: a new process has none."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.split(".")[0].startswith(PACKAGES):  # cloud_provider_aws too
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()


def _default_warning_filters() -> None:
    """The filters of a Python started without -W: DeprecationWarning shown in __main__ only, the pending,
    import and resource warnings ignored, the rest shown once per place."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    capture_output: bool = True,
    text: bool = False,
    check: bool = False,
) -> subprocess.CompletedProcess[Any]:
    """`subprocess.run(args, capture_output=True, ...)` for one of our console scripts, in this process."""
    assert capture_output, "only captured runs are run in-process"
    argv = [os.fspath(a) for a in args]
    entry, arguments = _entry(argv)
    overrides: dict[str, str | None] | None = None
    if env is not None:  # replace the environment whole, as a child's
        overrides = {key: None for key in os.environ if key not in env}
        overrides.update(env)
    _forget_memos()
    here = Path.cwd()
    with CliRunner().isolation(env=overrides) as (out, err, _), warnings.catch_warnings(record=True) as shown:
        _default_warning_filters()
        threads = set(threading.enumerate())
        try:
            if cwd is not None:
                os.chdir(cwd)
            try:
                result = entry(arguments)
                code = result if isinstance(result, int) else 0
            except SystemExit as exc:
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:  # sys.exit("message"): the message on stderr, exit 1
                    print(exc.code, file=sys.stderr)
                    code = 1
            finally:  # a process ends once its non-daemon threads have (in its working folder)
                for thread in set(threading.enumerate()) - threads:
                    if not thread.daemon:
                        thread.join()
        finally:
            os.chdir(here)
            for w in shown:
                sys.stderr.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line))
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    done: subprocess.CompletedProcess[Any] = subprocess.CompletedProcess(
        argv, code, stdout.decode() if text else stdout, stderr.decode() if text else stderr
    )
    if check:
        done.check_returncode()
    return done
