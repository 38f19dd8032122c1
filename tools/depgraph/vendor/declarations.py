"""What staging distributions declare: the third-party requirements to install, and the root's view of them.

`requirements` lists what the staging packages need from outside (the set-up script installs it);
`root_declarations` says where the root's [project] disagrees with the set of staging distributions.
"""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement

from depgraph.base.errors import ConfigError
from depgraph.discover.environment import STATIC, Environment, installed
from depgraph.discover.workspace import Workspace, normalize


def requirements(ws: Workspace, extras: tuple[str, ...] = ()) -> list[str]:
    """Third-party requirements of every staging distribution (dependencies + the named extras), sorted."""
    first_party = {normalize(d.name) for d in ws.distributions}
    found: dict[str, tuple[str, str]] = {}
    for dist in ws.staging:
        groups = [("dependencies", dist.requires)]
        groups += [(f"optional-dependencies.{name}", reqs) for name, reqs in dist.extras if name in extras]
        for key, reqs in groups:
            for text in reqs:
                try:
                    req = Requirement(text)
                except InvalidRequirement as exc:
                    raise ConfigError(
                        f"{ws.root / dist.pyproject}: project.{key}: {text!r}: {str(exc).splitlines()[0]}"
                    ) from None
                if normalize(req.name) in first_party:
                    continue
                line = str(req)
                found.setdefault(line, (normalize(req.name), line))
    return [line for _, line in sorted(found.values())]


def root_declarations(ws: Workspace, env: Environment = STATIC) -> list[str]:
    """How the root's [project] (dependencies and every extra) disagrees with the staging distributions.

    Every staging distribution must be declared. A declared name that no staging distribution has, that
    looks like one (it extends a staging name: `cloud-provider-gce` next to `cloud-provider`) and that is
    not a third-party distribution installed in `env` either (the repository's environment, named with
    `--python` or the `python` key; depgraph's own is never read), is reported too: usually a package
    removed from staging/ but still declared.
    """
    core = ws.core
    if core is None:
        return []
    declared: dict[str, tuple[str, str]] = {}
    for key, reqs in (
        ("dependencies", core.requires),
        *((f"optional-dependencies.{n}", r) for n, r in core.extras),
    ):
        for text in reqs:
            try:
                name = Requirement(text).name
            except InvalidRequirement as exc:
                raise ConfigError(
                    f"{ws.root / core.pyproject}: project.{key}: {text!r}: {str(exc).splitlines()[0]}"
                ) from None
            declared.setdefault(normalize(name), (key, name))
    staging = {normalize(d.name) for d in ws.staging}
    first_party = {normalize(d.name) for d in ws.distributions}
    problems = [
        f"{core.pyproject}: staging distribution {d.name!r} is not declared in [project] dependencies "
        "or optional-dependencies"
        for d in ws.staging
        if normalize(d.name) not in declared
    ]
    for norm, (key, name) in sorted(declared.items()):
        if norm in first_party or not any(norm.startswith(s + "-") for s in staging):
            continue
        if installed(env, name) is None:
            where = (
                f"it is not installed in {env.python}"
                if env.python
                else "name the environment where it is installed with --python or the `python` key"
            )
            problems.append(
                f"{core.pyproject}: project.{key} declares {name!r}, which looks like a staging "
                f"distribution, but there is none by that name ({where})"
            )
    return problems
