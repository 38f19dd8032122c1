"""`make new-provider NAME=x`: add a provider to this monorepo in one command.

The framework's own command (`cloud-provider new`, cloud_provider/scaffold.py) writes the package; this
script wires it into the monorepo around it: the publishing rule (publish-rules.toml, modelled on an
existing provider's rule), the core's extra, the uv workspace member (when the root has
[tool.uv.workspace]), the vendor/ link (`depgraph vendor update`) and the package's metadata in the
environment (`pip install --no-deps -e`, so its entry point is registered).

Everything that can be refused is refused first, with one line and exit 2, before any file is written.
Usage: python tools/scripts/new_provider.py NAME [--root DIR]   (run with the environment's python)
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import tomlkit
from cloud_provider.scaffold import ProviderNames, ScaffoldError, check_name


class Refused(Exception):
    pass


def _say(text: str) -> None:
    print(f"new-provider: {text}", flush=True)


def _publish_template(rules: Any, names: ProviderNames) -> tuple[dict[str, Any], str, str]:
    """An existing provider's rule (the first one of a cloud-provider-* package), to copy."""
    for pkg in rules.get("package", []):
        name = str(pkg.get("name", ""))
        if name.startswith("cloud-provider-") and name != names.distribution:
            folder = Path(str(pkg.get("source", ""))).name
            return dict(pkg), name, folder
    raise Refused("publish-rules.toml: no cloud-provider-* package rule to model the new one on")


def plan(root: Path, names: ProviderNames) -> dict[str, Any]:
    """Read everything the change needs; refuse an existing provider before anything is written."""
    target = root / "staging" / names.package
    if target.exists():
        raise Refused(f"{target.relative_to(root)}: already exists (provider {names.name!r} is taken)")
    rules_path = root / "publish-rules.toml"
    rules = tomlkit.parse(rules_path.read_text())
    if any(str(p.get("name")) == names.distribution for p in rules.get("package", [])):
        raise Refused(f"publish-rules.toml: a package {names.distribution!r} is already there")
    pyproject = tomlkit.parse((root / "pyproject.toml").read_text())
    extra = names.name.replace("_", "-")
    extras = pyproject.get("project", {}).get("optional-dependencies", {})
    if extra in extras:
        raise Refused(f"pyproject.toml: [project.optional-dependencies] already has {extra!r}")
    template, model_name, model_folder = _publish_template(rules, names)
    return {
        "target": target,
        "rules": rules,
        "rules_path": rules_path,
        "template": template,
        "model": (model_name, model_folder),
        "extra": extra,
    }


def add_publish_rule(p: dict[str, Any], names: ProviderNames) -> None:
    model_name, model_folder = p["model"]
    table = tomlkit.table()
    for key, value in p["template"].items():
        renamed = value.replace(model_folder, names.package) if isinstance(value, str) else value
        table[key] = renamed.replace(model_name, names.distribution) if isinstance(renamed, str) else renamed
    entry = tomlkit.document()
    entry["package"] = tomlkit.aot()
    entry["package"].append(table)
    text = p["rules_path"].read_text()
    p["rules_path"].write_text(text.rstrip("\n") + "\n\n" + tomlkit.dumps(entry))


def add_extra(root: Path, names: ProviderNames, extra: str) -> None:
    """Insert `extra = ["distribution"]` among the provider extras, in alphabetical order."""
    path = root / "pyproject.toml"
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "[project.optional-dependencies]")
    line_re = re.compile(r'([A-Za-z0-9_.-]+) = \["cloud-provider-')
    section = []
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("["):
            break
        section.append(i)
    providers = [(i, m.group(1)) for i in section if (m := line_re.match(lines[i]))]
    at = providers[0][0] if providers else start + 1
    for i, key in providers:
        if key < extra:
            at = i + 1
    lines.insert(at, f'{extra} = ["{names.distribution}"]\n')
    path.write_text("".join(lines))


def add_workspace_member(root: Path, names: ProviderNames) -> str:
    path = root / "pyproject.toml"
    doc = tomlkit.parse(path.read_text())
    uv = doc.get("tool", {}).get("uv", {})
    if "workspace" not in uv:
        return "no [tool.uv.workspace] in pyproject.toml: no workspace member to add"
    member = f"staging/{names.package}"
    members = uv["workspace"].setdefault("members", tomlkit.array())
    said = []
    if not any(fnmatch.fnmatch(member, str(m)) for m in members):
        at = next((i for i, m in enumerate(members) if str(m) > member), len(members))
        members.insert(at, member)
        said.append(f"added {member} to [tool.uv.workspace] members")
    sources = uv.get("sources")
    if sources is not None and names.distribution not in sources:
        sources[names.distribution] = tomlkit.parse("x = { workspace = true }")["x"]
        said.append(f"added {names.distribution} to [tool.uv.sources]")
    path.write_text(tomlkit.dumps(doc).rstrip("\n") + "\n")
    return "; ".join(said) or f"{member} is already a member of the uv workspace (by a glob)"


def find_uv() -> str | None:
    """uv on PATH, else the copy the set-up installs (tools/scripts/setup-env.sh)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    found = shutil.which("uv") or cache / "monorepo-staging-tools" / "uv" / "bin" / "uv"
    return str(found) if Path(found).is_file() else None


def run(cmd: list[str], root: Path) -> None:
    """Run a step; its output is shown as it comes, except pip's (shown only when it fails)."""
    _say("running " + " ".join(cmd))
    if "pip" not in cmd:
        subprocess.run(cmd, cwd=root, check=True)
        return
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise subprocess.CalledProcessError(done.returncode, cmd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="new-provider")
    parser.add_argument("name")
    parser.add_argument("--root", type=Path, default=Path())
    parser.add_argument("--no-lock", action="store_true", help="leave uv.lock as it is (run `uv lock` later)")
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="skip `pip install -e` (the entry point is then not registered)",
    )
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    python = sys.executable
    try:
        names = check_name(args.name)
        p = plan(root, names)
    except (ScaffoldError, Refused) as exc:
        print(f"new-provider: error: {exc}", file=sys.stderr, flush=True)
        return 2
    try:
        run([python, "-m", "cloud_provider.cli", "new", names.name, "--into", "staging"], root)
        add_publish_rule(p, names)
        _say(f"added the publishing rule of {names.distribution} to publish-rules.toml")
        add_extra(root, names, p["extra"])
        _say(f"added the extra {p['extra']!r} to pyproject.toml")
        _say(add_workspace_member(root, names))
        run([str(Path(python).parent / "depgraph"), "vendor", "update"], root)
        uv = find_uv()
        if (root / "uv.lock").exists():
            if uv is None or args.no_lock:
                _say("uv.lock not refreshed: run `uv lock` to add the new member to it")
            else:
                run([uv, "lock", "--quiet"], root)
        if not args.no_install:
            pip = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e"]
            run([*pip, f"staging/{names.package}"], root)
    except subprocess.CalledProcessError as exc:
        print(
            f"new-provider: error: {' '.join(map(str, exc.cmd))} failed (exit {exc.returncode})",
            file=sys.stderr,
        )
        return 1
    _say(f"done: staging/{names.package}; next: make verify-deps, then"
         f" .venv/bin/python -m pytest staging/{names.package}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
