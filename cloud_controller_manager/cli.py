"""cloud-controller-manager: reconcile a cluster state file through a cloud provider chosen by name.

Exit codes: 0 when every object was reconciled, 1 when some could not be (one "error:" line each, on
stderr), 2 for bad input (unknown provider, unreadable or malformed state or cloud config, a state file
that cannot be written, a bad --interval or --iterations), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from cloud_provider import (
    CloudProviderError,
    Interface,
    available_providers,
    check_writable,
    get_provider,
    load_cloud_config,
)

from cloud_controller_manager import __version__
from cloud_controller_manager.changes import Report
from cloud_controller_manager.manager import reconcile
from cloud_controller_manager.state import StateError, load_state, save_state

PROG = "cloud-controller-manager"


class UsageError(Exception):
    """Bad input: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Bad arguments: one line and exit code 2, like every other bad input."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


EPILOG = """exit codes:
  0    every object was reconciled
  1    some objects could not be reconciled (one "error:" line each, on stderr)
  2    bad input: arguments, provider name, cloud config, cluster state, a state file or folder that
       cannot be written (checked before the cloud is changed)
  130  interrupted"""


def _interval(text: str) -> float:
    """Seconds between passes: a finite number above zero (0 would be a busy loop, inf never returns)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds above 0, got {text!r}")
    return value


def _iterations(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"must be 1 or more (leave it out to loop until stopped), got {value}"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--cloud-provider",
        metavar="NAME",
        help="registered provider name (see --list-providers)",
    )
    p.add_argument(
        "--cloud-config",
        metavar="FILE",
        type=Path,
        help="the provider's configuration (TOML, or JSON for *.json)",
    )
    p.add_argument(
        "--state", metavar="FILE", type=Path, help="cluster state JSON file, read and written back"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="report changes without changing the cloud or the state file"
    )
    p.add_argument("--loop", action="store_true", help="reconcile repeatedly instead of once")
    p.add_argument(
        "--interval",
        type=_interval,
        default=10.0,
        metavar="S",
        help="seconds between passes with --loop, finite and above 0 (default 10)",
    )
    p.add_argument(
        "--iterations",
        type=_iterations,
        default=None,
        metavar="N",
        help="stop after N passes with --loop, N >= 1 (default: until SIGTERM)",
    )
    p.add_argument(
        "--list-providers", action="store_true", help="print the installed provider names and exit"
    )
    p.add_argument("--debug", action="store_true", help="re-raise errors with their traceback")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return p


def _provider(args: argparse.Namespace, stop: threading.Event) -> Interface:
    config = load_cloud_config(args.cloud_config) if args.cloud_config else {}
    provider = get_provider(args.cloud_provider, config)
    provider.initialize(None, stop)  # no cluster client here: the cluster is the state file
    return provider


def _one_pass(provider: Interface, args: argparse.Namespace) -> Report:
    state = load_state(args.state)
    if not args.dry_run:
        check_writable(args.state, "cluster state file")  # before the cloud is changed
    report = reconcile(provider, state, dry_run=args.dry_run)
    prefix = "[dry-run] " if args.dry_run else ""
    for change in report.changes:
        print(f"{prefix}{change}", flush=True)
    for failure in report.failures:
        print(f"{PROG}: error: {failure}", file=sys.stderr, flush=True)
    if not args.dry_run:
        save_state(state, args.state)
    return report


def run(args: argparse.Namespace) -> int:
    if args.list_providers:
        print("\n".join(available_providers()))
        return 0
    if args.state is None:
        raise UsageError("--state is required")
    if not args.cloud_provider:
        raise UsageError("--cloud-provider is required")
    # Everything the command can refuse is refused before a provider is built (a provider may keep
    # state of its own) and before the cloud is changed: the cluster state, and where it is written.
    load_state(args.state)
    if not args.dry_run:
        check_writable(args.state, "cluster state file")
    stop = threading.Event()  # set when the command ends, as Kubernetes closes the stop channel
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        provider = _provider(args, stop)
        passes = args.iterations if args.loop else 1
        failed = False
        n = 0
        while passes is None or n < passes:
            if n and stop.wait(args.interval):  # SIGTERM: stop between passes, the state file is whole
                break
            failed = bool(_one_pass(provider, args).failures)
            n += 1
        return 1 if failed else 0
    finally:
        stop.set()
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except (UsageError, StateError, CloudProviderError) as exc:
        if args.debug:
            raise
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
