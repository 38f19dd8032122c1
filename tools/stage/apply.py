"""`stage apply` (unfinished, not on main): move a package whose plan is clean, leaving the shim behind.

Done here: refuse unless the plan is clean and the work tree is clean (before anything changes); `git mv`
the package to staging/NAME/IMPORT (so `git log --follow` sees its history); the shim at the old path;
the new distribution's pyproject.toml (its requirements from the plan) and README; the root's dependency.
Still to do: the tests folder (moving the core tests the plan says can move), the vendor link and uv
workspace member (`depgraph vendor update`), the publish rule, rewriting the package's absolute imports of
itself, and the tests of all of it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import tomlkit

from stage.errors import StageError
from stage.plan import Plan
from stage.shim import shim_source


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StageError(f"git {' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def preconditions(root: Path, plan: Plan) -> None:
    if not plan.clean:
        raise StageError(
            f"{plan.folder}: {len(plan.blockers)} imports into the core block the move; "
            f"see `stage plan {plan.folder} --to {plan.target}`"
        )
    changes = _git(root, "status", "--porcelain").splitlines()
    if changes:
        raise StageError(
            f"{root}: the work tree has {len(changes)} uncommitted changes; commit or stash them"
        )


def pyproject_text(plan: Plan, requires_python: str | None) -> str:
    doc = tomlkit.document()
    doc["build-system"] = {"requires": ["setuptools>=77"], "build-backend": "setuptools.build_meta"}
    project = tomlkit.table()
    project["name"] = plan.name
    project["version"] = "0.1.0"
    project["readme"] = "README.md"
    if requires_python:
        project["requires-python"] = requires_python
    project["dependencies"] = [r.requirement for r in plan.requirements if r.use == "runtime"]
    extras = {
        "optional": [r.requirement for r in plan.requirements if r.use == "optional"],
        "test": [r.requirement for r in plan.requirements if r.use == "test"],
    }
    extras = {k: v for k, v in extras.items() if v}
    if extras:
        project["optional-dependencies"] = extras
    doc["project"] = project
    return tomlkit.dumps(doc)


def apply(root: Path, plan: Plan, release: str) -> list[str]:
    """Make the move; returns what was done, one line each."""
    preconditions(root, plan)
    target = root / plan.target
    target.mkdir(parents=True)
    done = [f"created {plan.target}"]
    _git(root, "mv", plan.folder, f"{plan.target}/{plan.import_name}")
    done.append(f"moved {plan.folder} -> {plan.target}/{plan.import_name} (git mv)")
    shim = root / plan.folder / "__init__.py"
    shim.parent.mkdir(parents=True, exist_ok=True)
    shim.write_text(shim_source(plan.package, plan.import_name, plan.target, release), encoding="utf-8")
    done.append(f"wrote the shim {plan.folder}/__init__.py (goes away in release {release})")
    root_doc = tomlkit.parse((root / "pyproject.toml").read_text(encoding="utf-8"))
    project = root_doc.get("project", {})
    (target / "pyproject.toml").write_text(pyproject_text(plan, project.get("requires-python")), "utf-8")
    (target / "README.md").write_text(
        f"# {plan.name}\n\nMoved out of the core from `{plan.package}`; import it as `{plan.import_name}`.\n",
        encoding="utf-8",
    )
    done.append(f"wrote {plan.target}/pyproject.toml and README.md")
    deps = project.get("dependencies")
    if deps is not None and plan.name not in [str(d) for d in deps]:
        deps.append(plan.name)
        (root / "pyproject.toml").write_text(tomlkit.dumps(root_doc), encoding="utf-8")
        done.append(f"pyproject.toml: [project].dependencies += {plan.name!r}")
    return done
