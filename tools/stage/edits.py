"""The files `stage apply` writes or edits, each a small function of the plan (no git, no graph building).

- `retarget`: a moved file's absolute imports of the old path, rewritten to the new one on the lines
  depgraph found them (relative imports need nothing);
- `new_pyproject`, `new_readme`, `smoke_test`: the new distribution's files;
- `edit_root`: the root pyproject.toml: the new dependency, the root requirements only the package used,
  the uv source, the depgraph restrictions naming the old path, the record of the move;
- `add_publish_rule`: the package's `[[package]]` rule, modelled on an existing one.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from stage.errors import StageError
from stage.plan import Plan
from stage.record import Move, add_move

_RESTRICTION_MODULE_KEYS = ("from-modules", "deny-modules", "allow-modules")


def _dotted(old: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.]){re.escape(old)}(?![\w])")


def retarget(path: Path, lines: set[int], old: str, new: str) -> int:
    """Rewrite `old` (dotted) to `new` in the import statements starting on `lines`; how many changed."""
    pattern = _dotted(old)
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    for start in sorted(lines):
        for at in range(start - 1, min(start + 9, len(text))):  # the name is on the statement's first
            updated = pattern.sub(new, text[at])  # line, but a backslash continuation can move it
            if updated != text[at]:
                text[at] = updated
                changed += 1
                break
    path.write_text("".join(text), encoding="utf-8")
    return changed


# Entry points moved from the root: table ("scripts", "gui-scripts" or "entry-points.GROUP") -> name -> value.
EntryPoints = dict[str, dict[str, str]]


def new_pyproject(plan: Plan, requires_python: str | None, entry_points: EntryPoints) -> str:
    doc = tomlkit.document()
    doc["build-system"] = {"requires": ["setuptools>=77"], "build-backend": "setuptools.build_meta"}
    project = tomlkit.table()
    project["name"] = plan.name
    project["version"] = "0.1.0"
    project["description"] = f"{plan.import_name}, moved out of {plan.core} (was {plan.package})"
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
    groups = tomlkit.table(is_super_table=True)
    for table, entries in sorted(entry_points.items()):
        if table.startswith("entry-points."):
            groups[table.removeprefix("entry-points.")] = dict(sorted(entries.items()))
        else:
            project[table] = dict(sorted(entries.items()))
    if groups:
        project["entry-points"] = groups
    doc["project"] = project
    find = tomlkit.table()
    find["include"] = [f"{plan.import_name}*"]
    doc.add(tomlkit.nl())
    doc["tool"] = {"setuptools": {"packages": {"find": find}}}
    return tomlkit.dumps(doc)


def new_readme(plan: Plan, release: str) -> str:
    return (
        f"# {plan.name}\n\n"
        f"`{plan.import_name}`, moved out of the core ({plan.core}) by `stage apply`: it was `{plan.package}`"
        f" ({plan.folder}/).\n\nImport it as `import {plan.import_name}`. The old path still works until"
        f" release {release}, with a `DeprecationWarning`.\n"
    )


def smoke_test(plan: Plan) -> str:
    """The tests folder's first test when no test moved with the package: it imports without the core."""
    return (
        f'"""{plan.name} imports on its own (written by `stage apply`; add the package\'s tests here)."""\n\n'
        "import importlib\n\n\n"
        f"def test_{plan.import_name}_imports() -> None:\n"
        f'    assert importlib.import_module("{plan.import_name}").__name__ == "{plan.import_name}"\n'
    )


def _name(text: str) -> str:
    try:
        return str(canonicalize_name(Requirement(text).name))
    except InvalidRequirement:
        return ""


def _renamed(value: str, old: str, new: str) -> str | None:
    """`value` (a dotted module prefix) as it reads under the new path, or None when not under `old`."""
    if value == old or value.startswith(old + "."):
        return new + value[len(old) :]
    return None


def _take_entry_points(project: Any, plan: Plan) -> EntryPoints:
    """Remove the root's entry points naming the package; return them under the new path."""
    tables = [(key, project.get(key)) for key in ("scripts", "gui-scripts")]
    tables += [(f"entry-points.{g}", t) for g, t in project.get("entry-points", {}).items()]
    taken: EntryPoints = {}
    for key, table in tables:
        for name, value in list((table or {}).items()):
            module, colon, attr = str(value).partition(":")
            new = _renamed(module.strip(), plan.package, plan.import_name)
            if new is not None:
                taken.setdefault(key, {})[str(name)] = f"{new}{colon}{attr}"
                del table[name]
    groups = project.get("entry-points", {})
    for key in list(groups):
        if not groups[key]:
            del groups[key]
    for key in ("scripts", "gui-scripts", "entry-points"):
        if key in project and not project[key]:
            del project[key]
    return taken


def edit_root(doc: Any, plan: Plan, move: Move, dropped: set[str]) -> tuple[list[str], EntryPoints]:
    """Edit the root pyproject.toml's tomlkit document: one line per change made, and the entry points
    taken from it (they name the package: the new distribution declares them, under the new path)."""
    said = []
    project = doc.get("project")
    if project is None or "dependencies" not in project:
        raise StageError("pyproject.toml: the root has no [project] dependencies to add the package to")
    taken = _take_entry_points(project, plan)
    for key, entries in sorted(taken.items()):
        for name, value in sorted(entries.items()):
            said.append(f"pyproject.toml: [project.{key}] {name} moves to {plan.target} as {value!r}")
    deps = project["dependencies"]
    for text in [str(d) for d in deps]:
        if _name(text) in dropped:
            deps.remove(text)
            said.append(f"pyproject.toml: [project] dependencies -= {text!r} (only {plan.package} used it)")
    if canonicalize_name(plan.name) not in {_name(str(d)) for d in deps}:
        deps.append(plan.name)
        said.append(f"pyproject.toml: [project] dependencies += {plan.name!r} (the shim imports it)")
    tool = doc.get("tool", {})
    sources = tool.get("uv", {}).get("sources")
    if sources is not None and plan.name not in sources:
        sources[plan.name] = tomlkit.parse("x = { workspace = true }")["x"]
        said.append(f"pyproject.toml: [tool.uv.sources] {plan.name} = {{ workspace = true }}")
    for rule in tool.get("depgraph", {}).get("restrictions", []):
        for key in _RESTRICTION_MODULE_KEYS:
            values = [str(v) for v in rule.get(key, [])]
            renamed = [_renamed(v, plan.package, plan.import_name) for v in values]
            added = [n for n in renamed if n is not None and n not in values]
            if added:
                rule[key].extend(added)
                said.append(
                    f"pyproject.toml: restriction {rule.get('name', '?')!r} {key} += {', '.join(added)}"
                )
    add_move(doc, move)
    said.append(f"pyproject.toml: recorded the move in [[tool.stage.moved]] (release {move.release})")
    return said, taken


def _model(rules: Any, plan: Plan) -> dict[str, Any] | None:
    """The first rule of a package in the same staging folder as the new one, to copy."""
    for pkg in rules.get("package", []):
        source = str(pkg.get("source", ""))
        if source.startswith(PurePosixPath(plan.target).parent.as_posix() + "/"):
            return dict(pkg)
    return None


def publish_rule(
    rules_text: str, rules_name: str, plan: Plan, staging: set[str]
) -> tuple[str, dict[str, Any]]:
    """The rules file with a `[[package]]` rule for the new distribution appended, and that rule.

    The rule names the package's folder before the move as its `earlier` home, so that `publish` publishes
    the history from before the move too, the old folder's tree placed at the import package's folder.

    `staging` holds the (normalised) names of the staging distributions: those among the plan's
    requirements are the rule's `dependencies`.
    """
    rules = tomlkit.parse(rules_text)
    if any(_name(str(p.get("name", ""))) == _name(plan.name) for p in rules.get("package", [])):
        raise StageError(f"{rules_name}: a [[package]] rule named {plan.name!r} is already there")
    model = _model(rules, plan)
    if model is None:
        raise StageError(
            f"{rules_name}: no [[package]] rule of a staging package to model the rule of {plan.name} on; "
            "add one by hand first"
        )
    old_folder = PurePosixPath(str(model["source"])).name
    new_folder = PurePosixPath(plan.target).name
    rule: dict[str, Any] = {"name": plan.name, "source": plan.target}
    for key, value in model.items():
        if key in ("name", "source", "dependencies", "branch"):
            continue
        rule[key] = value.replace(old_folder, new_folder) if key == "destination" else value
    if rule.get("destination") == model.get("destination"):
        raise StageError(
            f"{rules_name}: cannot derive a destination for {plan.name} from {model.get('destination')!r}; "
            "add its rule by hand first"
        )
    siblings = sorted({r.name for r in plan.requirements if r.name in staging})
    if siblings:
        rule["dependencies"] = siblings
    table = tomlkit.table()
    for key in ("name", "source", "destination", "dependencies"):
        if key in rule:
            table[key] = rule.pop(key)
    for key, value in rule.items():
        table[key] = value
    home = tomlkit.inline_table()  # publish the package's history from before the move (publish.earlier)
    home.update({"source": plan.folder, "as": plan.import_name})
    earlier = tomlkit.array()
    earlier.append(home)
    table["earlier"] = earlier
    entry = tomlkit.document()
    entry["package"] = tomlkit.aot()
    entry["package"].append(table)
    return rules_text.rstrip("\n") + "\n\n" + tomlkit.dumps(entry), dict(table)
