"""A plan as text for people and as JSON for scripts; both deterministic (everything sorted)."""

from __future__ import annotations

import dataclasses
import json

from stage.plan import Plan, Tie


def _tie(tie: Tie, *, show_distribution: bool = False) -> str:
    where = f" [{tie.distribution}]" if show_distribution else ""
    return f"  {tie.path}:{tie.line}{where}: {tie.kind}: {tie.text}  -> {tie.imported}"


def to_text(plan: Plan) -> str:
    lines = [
        f"stage plan: {plan.package} ({plan.folder}, {len(plan.modules)} files) -> {plan.target} "
        f"(distribution {plan.name}, import {plan.import_name})",
        "",
        f"Blockers: {len(plan.blockers)} imports from the package into the rest of the core",
    ]
    lines += [_tie(t) for t in plan.blockers] or ["  none"]
    ours = [t for t in plan.importers if t.distribution == plan.core]
    theirs = [t for t in plan.importers if t.distribution != plan.core]
    lines += ["", f"Importers: {len(plan.importers)} imports of the package the shim must keep working"]
    lines += [f" from the core ({len(ours)}):", *(_tie(t) for t in ours)] if ours else []
    if theirs:
        lines += [f" from other distributions ({len(theirs)}):"]
        lines += [_tie(t, show_distribution=True) for t in theirs]
    if not plan.importers:
        lines.append("  none")
    lines += ["", "Requirements: its future [project].dependencies (and extras)"]
    for use in ("runtime", "optional", "test"):
        found = [r for r in plan.requirements if r.use == use]
        if found:
            lines.append(f" {use}:")
            lines += [f"  {r.requirement}  ({r.source}; first imported at {r.where})" for r in found]
    if not plan.requirements:
        lines.append("  none")
    lines += ["", f"Tests: {len(plan.tests)} test files"]
    for test in plan.tests:
        if test.inside:
            lines.append(f"  {test.path}: inside the package, moves with it")
        elif test.others:
            lines.append(f"  {test.path}: stays; also imports {', '.join(test.others)}")
        else:
            lines.append(f"  {test.path}: can move (imports nothing else of the core)")
    if not plan.tests:
        lines.append("  none")
    lines += [
        "",
        f"Carried: {len(plan.carried)} core modules would have to move with it, or be inverted",
    ]
    for c in plan.carried:
        back = "; imports the package back: invert it" if c.imports_package else ""
        lines.append(f"  {c.module} ({c.path}): {c.via}{back}")
    if not plan.carried:
        lines.append("  none")
    lines.append("")
    if plan.clean:
        lines.append(f"clean: nothing of {plan.package} imports the rest of the core")
    else:
        lines.append(
            f"blocked: {len(plan.blockers)} imports into the core; cut each (or move its target along), "
            "then run `stage plan` again"
        )
    return "\n".join(lines) + "\n"


def to_json(plan: Plan) -> str:
    data = dataclasses.asdict(plan)
    data["clean"] = plan.clean
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
