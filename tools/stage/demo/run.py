"""The demo: move an in-tree provider out of this repository's core, on a temporary copy, step by step.

1. clone the repository (its committed state) into a temporary folder, give the copy's core the in-tree
   provider (`in-tree-provider.patch`, committed) and a virtual environment of its own: the copy's
   distributions installed editable (`uv pip`, else pip), third-party packages read from the environment
   running the demo (a `.pth` line), the copy's vendor/ first on the path, as `make setup` does;
2. the core's tests and its footprint (`depgraph footprint`: import closure, installed size);
3. `stage plan` (blocked: exit 1), the prepared patch that cuts the tie (committed), `stage plan` (clean);
4. `stage apply` (committed), the new distribution installed; `make verify-deps`' checks; the core's tests
   with the shim, and the moved package's own tests;
5. `stage rewrite-imports` and `stage finish` (each committed, tests after each), when this checkout has them;
6. the footprint after; `git log --follow` and `publish sync --dry-run` of the moved package.

Every command is shown (`$ ...`) with its output, the temporary folder written as `$DEMO`; a step that
ends otherwise than the story says stops the demo with exit 1. Nothing in the real repository changes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
PACKAGE = "cloud_controller_manager/providers/static"
TARGET = "staging/cloud_provider_static"
NEW = "cloud_provider_static"
DIST = "cloud-provider-static"
CORE = "cloud-controller-manager"
RELEASE = "0.3.0"
QUICK_TESTS = ("tests/test_ccm_static.py", "tests/test_static_provider.py")
STAMP = "2026-12-01T12:00:00+00:00"


def _row(row: tuple[int, int, int, int] | None) -> str:
    if row is None:
        return "(no such row)"
    modules, lines, dists, size = row
    return f"{modules} modules, {lines} lines, {dists} distributions, {size / 2**20:.2f} MiB"


class Failed(Exception):
    """A step ended otherwise than the story says."""


def find_uv() -> str | None:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    found = shutil.which("uv") or cache / "monorepo-staging-tools" / "uv" / "bin" / "uv"
    return str(found) if Path(found).is_file() else None


class Demo:
    def __init__(self, source: Path, work: Path, *, quick: bool) -> None:
        self.source, self.work, self.quick = source, work, quick
        self.copy, self.venv = work / "repo", work / "venv"
        self.python = self.venv / "bin" / "python"
        self.tools = Path(sys.executable).parent
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GIT_", "VIRTUAL_ENV"))},
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Demo Maintainer",
            "GIT_AUTHOR_EMAIL": "maintainer@example.com",
            "GIT_COMMITTER_NAME": "Demo Maintainer",
            "GIT_COMMITTER_EMAIL": "maintainer@example.com",
            "GIT_AUTHOR_DATE": STAMP,
            "GIT_COMMITTER_DATE": STAMP,
            "NO_COLOR": "1",
        }

    def fixture(self, name: str) -> str:
        """A patch beside this file, named from the repository's root when it is inside it."""
        path = HERE / name
        return path.relative_to(self.source).as_posix() if path.is_relative_to(self.source) else str(path)

    def say(self, text: str = "") -> None:
        print(text.replace(str(self.work), "$DEMO"), flush=True)

    def run(
        self, *cmd: str | Path, expect: int | None = 0, show: bool = True, quiet: bool = False
    ) -> subprocess.CompletedProcess[str]:
        words = [str(c) for c in cmd]
        shown = " ".join(Path(w).name if w.startswith(str(self.tools)) else w for w in words)
        if show:
            self.say(f"$ {shown}")
        done = subprocess.run(words, cwd=self.copy, env=self.env, capture_output=True, text=True, check=False)
        if show and not quiet:
            for line in (done.stdout + done.stderr).rstrip("\n").splitlines():
                self.say(f"  {line}")
        if expect is not None and done.returncode != expect:
            if not show or quiet:
                self.say((done.stdout + done.stderr).rstrip("\n"))
            raise Failed(f"{shown}: exit {done.returncode}, expected {expect}")
        return done

    def tool(self, name: str, *args: str, expect: int = 0, quiet: bool = False) -> str:
        return self.run(self.tools / name, *args, expect=expect, quiet=quiet).stdout

    def commit(self, message: str) -> None:
        self.run("git", "add", "-A", show=False)
        self.run("git", "commit", "-q", "-m", message, show=False)
        sha = self.run("git", "rev-parse", "--short", "HEAD", show=False).stdout.strip()
        self.say(f"  (committed {sha}: {message})")

    def install(self, *folders: str) -> None:
        uv = find_uv()
        editables = [a for f in folders for a in ("-e", f)]
        if uv is not None:
            cmd = [uv, "pip", "install", "-q", "--python", str(self.python), "--no-deps", *editables]
            self.run(*cmd, "--no-build-isolation", show=False)
        else:
            pip = [sys.executable, "-m", "pip", "--python", str(self.python), "install", "-q", "--no-deps"]
            self.run(*pip, "--no-build-isolation", *editables, show=False)
        self.say(f"  (installed {', '.join(folders)} into the demo's environment)")

    def setup(self) -> None:
        self.say("== 1. A copy of this repository whose core has an in-tree provider")
        self.work.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "-q", str(self.source), str(self.copy)], env=self.env, check=True)
        self.run("git", "checkout", "-q", "-B", "main", show=False)
        self.say(f"$ git clone {self.source} $DEMO/repo   # this repository, as committed")
        self.run("git", "apply", "--3way", HERE / "in-tree-provider.patch", show=False)
        self.say(f"$ git apply {self.fixture('in-tree-provider.patch')}")
        self.commit("cloud-controller-manager: the in-tree static provider (instances from a list or a URL)")
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.venv)], check=True)
        site = Path(sysconfig.get_path("purelib", vars={"base": str(self.venv), "platbase": str(self.venv)}))
        (site / "00_demo_vendor.pth").write_text(f"{self.copy / 'vendor'}\n", encoding="utf-8")
        (site / "zz_outer_site.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
        staging = sorted(
            p.parent.relative_to(self.copy).as_posix() for p in self.copy.glob("staging/*/pyproject.toml")
        )
        self.install(".", *staging)

    def tests(self, when: str) -> None:
        moved = (self.copy / TARGET / "tests").is_dir()
        core = [t for t in QUICK_TESTS if (self.copy / t).is_file()] if self.quick else ["tests"]
        for label, paths in (("the core's tests", core), (f"{NEW}'s own tests", [f"{TARGET}/tests"])):
            if label.startswith(NEW) and not moved:
                continue
            cmd: list[str | Path] = [self.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths]
            done = self.run(*cmd, show=False)
            last = done.stdout.rstrip().splitlines()[-1]
            summary = re.sub(r" in [0-9.]+s( \([0-9:]+\))?", "", last.strip("= "))
            self.say(f"  {label} {when}: {summary} ({' '.join(paths)})")
            for warning in sorted(
                {ln.strip() for ln in done.stdout.splitlines() if "DeprecationWarning:" in ln}
            ):
                self.say(f"    {warning}")

    def footprint(self) -> dict[str, tuple[int, int, int, int]]:
        """The core's `depgraph footprint` rows, shown; (modules, lines, distributions, bytes) by variant."""
        args = ("footprint", "-d", CORE, "--python", str(self.venv))
        self.tool("depgraph", *args)
        out = self.run(self.tools / "depgraph", *args, "-f", "json", show=False).stdout
        rows = json.loads(out)["footprint"]
        return {r["variant"]: (r["modules"], r["lines"], r["distributions"], r["size"]) for r in rows}

    def story(self) -> None:
        self.setup()
        self.say("\n== 2. Before: the core's tests and footprint")
        self.tests("before")
        before = self.footprint()
        self.say("\n== 3. Plan the move: blocked by the provider's tie into the core")
        self.tool("stage", "plan", PACKAGE, "--to", TARGET, expect=1)
        self.run("git", "apply", "--3way", HERE / "cut-the-tie.patch", show=False)
        self.say(f"$ git apply {self.fixture('cut-the-tie.patch')}   # the provider stops importing the core")
        self.commit(
            "static provider: its User-Agent names the framework, not the core (cuts its tie to the core)"
        )
        self.tests("after the cut")
        self.tool("stage", "plan", PACKAGE, "--to", TARGET)
        self.say("\n== 4. Apply: the move, with a shim at the old path")
        self.tool("stage", "apply", PACKAGE, "--to", TARGET, "--release", RELEASE)
        self.commit(f"stage apply: {PACKAGE} -> {TARGET}")
        self.install(".", TARGET)
        self.verify_deps()
        self.tests("with the shim")
        self.later_steps()
        self.say("\n== 6. After: the core's footprint, and the moved package's history")
        after = self.footprint()
        moved = f"without {DIST}"
        self.say("The core, before -> after:")
        for variant in ("all", "no extras", moved):  # the core without it, against the core with it in-tree
            if variant in after:
                was = before.get(variant, before["all"])
                self.say(f"  {variant + ':':32} {_row(was)} -> {_row(after[variant])}")
        path = f"{TARGET}/{NEW}/provider.py"
        self.run("git", "log", "--follow", "--format=%h %ad %s", "--date=short", "--", path)
        self.say(
            f"$ publish sync --dry-run --no-smoke -p {DIST}   # its lines; those of cloud-provider left out"
        )
        out = self.run(
            self.tools / "publish", "sync", "--dry-run", "--no-smoke", "-p", DIST, show=False
        ).stdout
        ours = False
        for line in out.splitlines():
            ours = line.startswith(f"{DIST}:") or (ours and line.startswith(" "))
            if ours or line.startswith("publish:"):
                self.say(f"  {line}")

    def verify_deps(self) -> None:
        """The checks of `make verify-deps`."""
        for cmd in (("depgraph", "vendor", "verify"), ("depgraph", "check"), ("publish", "verify-rules")):
            self.tool(*cmd)

    def later_steps(self) -> None:
        self.say("\n== 5. Rewrite the imports of the old path, then finish (remove the shim)")
        for step in ("rewrite-imports", "finish"):
            has = self.run(self.tools / "stage", step, "--help", show=False, expect=None)
            if has.returncode != 0:
                self.say(f"  (stage {step}: not in this checkout yet; skipped)")
                continue
            self.tool("stage", step)
            self.commit(f"stage {step}: {PACKAGE.replace('/', '.')} -> {NEW}")
            self.install(".")
            self.verify_deps()
            self.tests(f"after {step}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stage-demo", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="The repository to copy (default: .)")
    parser.add_argument(
        "--keep", type=Path, help="Work in this folder and keep it (default: a temporary one)"
    )
    parser.add_argument("--quick", action="store_true", help="Run only the tests of the provider and its use")
    args = parser.parse_args(argv)
    top = subprocess.run(
        ["git", "-C", str(args.root), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    if top.returncode != 0:
        print(f"stage-demo: error: {args.root}: not a git repository", file=sys.stderr)
        return 2
    source = Path(top.stdout.strip())
    try:
        if args.keep is not None:
            Demo(source, args.keep.resolve(), quick=args.quick).story()
        else:
            with tempfile.TemporaryDirectory(prefix="stage-demo-") as work:
                Demo(source, Path(work), quick=args.quick).story()
    except Failed as exc:
        print(f"stage-demo: failed: {exc}", file=sys.stderr, flush=True)
        return 1
    print("\nstage-demo: done; the real repository is unchanged", flush=True)
    return 0
