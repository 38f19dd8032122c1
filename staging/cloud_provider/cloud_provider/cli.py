"""``cloud-provider``: the framework's command for provider authors.

- ``cloud-provider new NAME [--into DIR]`` writes a provider package (see cloud_provider.scaffold).
- ``cloud-provider conformance PATH... [--json FILE] [--section FILE]`` runs the conformance suite of
  every provider whose tests are under PATH and prints the matrix (see cloud_provider.matrix).

Exit codes: 0 done / every check passed, 1 a conformance check failed, 2 usage error (one line).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from cloud_provider.scaffold import ScaffoldError, write_provider

PROG = "cloud-provider"


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Tools for cloud provider authors.")
    sub = parser.add_subparsers(dest="command", required=True)
    new = sub.add_parser(
        "new", help="write a provider package that implements the Interface, supporting nothing"
    )
    new.add_argument("name", help="provider name: lower-case letters, digits, single underscores (my_cloud)")
    new.add_argument("--into", type=Path, default=Path(), help="folder to write cloud_provider_NAME in (.)")
    conf = sub.add_parser("conformance", help="run every provider's conformance suite and print the matrix")
    conf.add_argument("paths", nargs="+", type=Path, help="test folders or files of the providers")
    conf.add_argument("--json", type=Path, help="also write the raw results (JSON) to this file")
    conf.add_argument("--section", type=Path, help="also write the matrix as a report section (JSON)")
    return parser


def cmd_new(args: argparse.Namespace) -> int:
    target = write_provider(args.name, args.into)
    print(f"{PROG}: wrote {target} (provider {args.name!r}, every capability unsupported)", flush=True)
    return 0


def cmd_conformance(args: argparse.Namespace) -> int:
    # Here, not at the top: the matrix is a pytest plugin, and importing pytest would cost every other
    # command (`new`, `--help`) a third of a second of start-up.
    from cloud_provider.matrix import FAIL, render_text, section, table  # noqa: PLC0415

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or folder")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        cmd = [sys.executable, "-m", "pytest", "-q", "--no-header", "-p", "no:cacheprovider"]
        cmd += ["-p", "cloud_provider.matrix", f"--conformance-results={out}", "--tb=line"]
        cmd += [str(p) for p in args.paths]
        print(f"{PROG}: running the conformance suite: {' '.join(cmd[1:])}", flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if not out.exists():
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or ["no output"]
            raise UsageError(f"pytest ended with exit code {proc.returncode} before any result: {tail[0]}")
        results = json.loads(out.read_text())["providers"]
    if not results:
        raise UsageError(
            f"no conformance test (a ProviderConformance subclass) under {' '.join(map(str, args.paths))}"
        )
    header, rows = table(results)
    sys.stdout.write(render_text(header, rows))
    failures = sorted(
        (p, c, r["detail"]) for p, checks in results.items() for c, r in checks.items() if r["result"] == FAIL
    )
    for provider, check, detail in failures:
        print(f"FAIL {provider} {check}: {detail}")
    passed = sum(1 for checks in results.values() for r in checks.values() if r["result"] == "pass")
    print(f"{len(results)} providers, {passed} checks passed, {len(failures)} failed.", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"providers": results}, indent=1, sort_keys=True) + "\n")
    if args.section:
        args.section.parent.mkdir(parents=True, exist_ok=True)
        args.section.write_text(json.dumps(section(header, rows), indent=1) + "\n")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return cmd_new(args) if args.command == "new" else cmd_conformance(args)
    except (ScaffoldError, UsageError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
