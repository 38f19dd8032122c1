"""`publish verify-rules`: the rules must match the staging packages and their own manifests.

Staging packages and their declared dependencies come from depgraph's workspace discovery (one discovery
for both tools). Each problem is one line naming the rules file or the pyproject.toml at fault.
"""

from __future__ import annotations

import os
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from depgraph.base.errors import DepgraphError
from depgraph.discover.config import load_config
from depgraph.discover.workspace import load_workspace
from publish.errors import PublishError
from publish.rules import PackageRule, Rules, local_path


def _staging(root: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, folder, declared requirement strings) of every staging distribution."""
    try:
        workspace = load_workspace(root, load_config(root))
    except DepgraphError as exc:
        raise PublishError(str(exc)) from None
    found = []
    for d in workspace.staging:
        requires = list(d.requires) + [r for _, reqs in d.extras for r in reqs]
        found.append((d.name, d.root, tuple(requires)))
    return sorted(found)


def sibling_dependencies(requires: tuple[str, ...], siblings: set[str]) -> set[str]:
    names: set[str] = set()
    for text in requires:
        try:
            name = canonicalize_name(Requirement(text).name)
        except InvalidRequirement:
            continue
        if name in siblings:
            names.add(name)
    return names


def inside(root: Path, rel: str) -> bool:
    path = os.path.normpath(root / rel)
    return path == str(root) or path.startswith(str(root) + os.sep)


def destination_key(url: str) -> str:
    """One spelling per destination: a local path resolved, a URL without a final `/` or `.git`."""
    local = local_path(url)
    if local is not None:
        return str(local.resolve())
    return url.rstrip("/").removesuffix(".git")


def shared_destinations(packages: tuple[PackageRule, ...]) -> list[str]:
    """Two rules that publish to the same branch of one destination: each would overwrite the other."""
    owner: dict[tuple[str, str], PackageRule] = {}
    found = []
    for p in packages:
        for b in p.branches:
            key = (destination_key(p.destination), b.name)
            first = owner.setdefault(key, p)
            if first is not p:
                found.append(
                    f"packages {first.name!r} and {p.name!r} both publish to branch {b.name!r} "
                    f"of {p.destination}"
                )
    return found


def verify(rules: Rules) -> list[str]:
    """One line per problem; empty when the rules are complete and consistent."""
    root = rules.root
    where = rules.path.relative_to(root).as_posix() if rules.path.is_relative_to(root) else str(rules.path)
    staging = _staging(root)
    canon: dict[str, tuple[str, str, tuple[str, ...]]] = {
        canonicalize_name(name): (name, folder, reqs) for name, folder, reqs in staging
    }
    by_folder = {folder: name for name, folder, _ in staging}
    rules_by_name = {canonicalize_name(p.name): p for p in rules.packages}
    problems = [f"{where}: {line}" for line in shared_destinations(rules.packages)]
    for key, (name, folder, _) in sorted(canon.items()):
        if key not in rules_by_name:
            problems.append(f"{where}: staging package {name!r} ({folder}/) has no [[package]] rule")
    for p in rules.packages:
        head = f"{where}: package {p.name!r}"
        dirs = sorted({p.source} | {b.dir for b in p.branches})
        for d in dirs:
            if Path(d).is_absolute() or not inside(root, d):
                problems.append(f"{head}: directory {d!r} is outside the repository")
            elif d == p.source and not (root / d).is_dir():
                problems.append(f"{head}: directory {d!r} does not exist")
        if not inside(root, p.source) or not (root / p.source).is_dir():
            continue
        folder_name = by_folder.get(Path(os.path.normpath(p.source)).as_posix())
        if folder_name is None:
            problems.append(f"{head}: {p.source}/ is not a staging package (see [tool.depgraph] staging)")
            continue
        if canonicalize_name(folder_name) != canonicalize_name(p.name):
            problems.append(f"{head}: {p.source}/pyproject.toml names the distribution {folder_name!r}")
            continue
        for dep in p.dependencies:
            if canonicalize_name(dep) not in rules_by_name:
                problems.append(f"{head}: dependency {dep!r} has no [[package]] rule")
        declared = sibling_dependencies(
            canon[canonicalize_name(p.name)][2], set(canon) - {str(canonicalize_name(p.name))}
        )
        ruled = {canonicalize_name(d) for d in p.dependencies}
        if declared != ruled:
            missing = sorted(declared - ruled)
            extra = sorted(ruled - declared)
            detail = "; ".join(
                ([f"pyproject.toml declares {', '.join(missing)} but the rule does not"] if missing else [])
                + (
                    [f"the rule lists {', '.join(extra)} which {p.source}/pyproject.toml does not declare"]
                    if extra
                    else []
                )
            )
            problems.append(f"{head}: dependencies differ from {p.source}/pyproject.toml: {detail}")
    return sorted(problems)
