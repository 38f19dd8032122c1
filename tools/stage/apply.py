"""`stage apply`: move a package whose plan is clean to staging/NAME, leaving the shim at its old path.

Everything that can refuse does so before anything changes: a recorded earlier move (done: "already
applied", exit 0; half done: one line naming what is missing), a blocked plan, a dirty work tree, a root
without `[project] dependencies`, a publishing rule that cannot be derived. Then, in order:

1. `git mv` the package to staging/NAME/IMPORT (so `git log --follow` and `publish` see its history) and
   the core's test files the plan says can move to staging/NAME/tests/;
2. rewrite the moved files' absolute imports of the old path to the new one (lines from depgraph's graph);
3. the shim at the old path (`stage.shim`), the new pyproject.toml (requirements from the plan), README and
   tests folder (a first test when no test moved);
4. the root pyproject.toml (`stage.edits.edit_root`: the dependency, requirements only the package used,
   entry points naming the package (the new distribution declares them, under the new path), uv source,
   restrictions naming the old path, `[[tool.stage.moved]]`), the publishing rule, the vendor link and
   uv workspace member (`depgraph vendor update`);
5. depgraph's checks on the result: a finding on the shim's import of the new package (a restriction of
   the repository forbidding the core to import it by name, say) is silenced on that line, with the
   release as the reason: the shim is the one sanctioned exception until `stage finish` removes it;
6. `git add -A`: the move is staged, ready to review (`git diff --cached`) and commit.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import tomlkit

from depgraph.base.model import Finding, Origin
from depgraph.discover.config import load_config
from depgraph.discover.workspace import load_workspace, normalize
from depgraph.graph.graph import Graph, build_graph
from stage import edits
from stage.errors import StageError
from stage.plan import Plan
from stage.record import Move, find_move
from stage.shim import IMPORT_LINE, shim_source

Say = Callable[[str], None]
SHIM_MARK = "This shim keeps `import "


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StageError(f"git {' '.join(args)} (in {root}): {done.stderr.strip() or done.returncode}")
    return done.stdout


def earlier(root: Path, package: str) -> Move | None:
    """The recorded earlier move of `package` when it is complete; StageError when it is half done."""
    move = find_move(root, package)
    if move is None:
        return None
    missing = [
        f"{path} is missing"
        for path in (f"{move.target}/pyproject.toml", f"{move.target}/{move.new}/__init__.py")
        if not (root / path).is_file()
    ]
    shim = root / move.shim
    if shim.is_file() and SHIM_MARK not in shim.read_text(encoding="utf-8"):
        missing.append(f"{move.shim} is not the shim")
    if missing:
        raise StageError(
            f"pyproject.toml: [[tool.stage.moved]] records {move.old} -> {move.target}, but "
            f"{'; '.join(missing)}: a half-done earlier apply; undo it (git stash -u) and run apply again"
        )
    return move


def preconditions(root: Path, plan: Plan) -> None:
    if not plan.clean:
        raise StageError(
            f"{plan.folder}: {len(plan.blockers)} imports into the core block the move; "
            f"see `stage plan {plan.folder} --to {plan.target}`"
        )
    changes = git(root, "status", "--porcelain").splitlines()
    if changes:
        raise StageError(
            f"{root}: the work tree has {len(changes)} uncommitted changes; commit or stash them"
        )


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def movable_tests(plan: Plan) -> dict[str, str]:
    """Core test files that move with the package: old path -> new path."""
    return {
        t.path: f"{plan.target}/tests/{PurePosixPath(t.path).name}"
        for t in plan.tests
        if not t.inside and not t.others
    }


def dropped_requirements(graph: Graph, plan: Plan) -> set[str]:
    """Third-party root requirements the package uses that no other library module of the core imports."""
    tests = {m.path for m in graph.modules if m.is_test}
    moved = set(plan.modules)
    still = {
        normalize(e.imported_distribution)
        for e in graph.edges
        if e.importer_distribution == plan.core
        and e.path not in moved
        and e.path not in tests
        and e.imported_distribution
    }
    first_party = {normalize(d.name) for d in graph.distributions}  # staging ones stay declared
    return {
        r.name
        for r in plan.requirements
        if r.source == "root" and r.name not in still and r.name not in first_party
    }


def _self_imports(graph: Graph, plan: Plan, moved: dict[str, str]) -> dict[str, set[int]]:
    """New path -> lines of its absolute imports of the old path."""
    lines: dict[str, set[int]] = {}
    for edge in graph.edges:
        if edge.path in moved and _under(edge.imported, plan.package) and plan.package in edge.text:
            lines.setdefault(moved[edge.path], set()).add(edge.line)
    return lines


def apply(root: Path, graph: Graph, plan: Plan, release: str, say: Say) -> None:
    """Make the move (see the module's docstring), saying each step as it is done."""
    preconditions(root, plan)
    pyproject = root / "pyproject.toml"
    root_doc = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
    shim_path = f"{plan.folder}/__init__.py"
    move = Move(plan.package, plan.import_name, plan.target, shim_path, release)
    root_changes, entry_points = edits.edit_root(root_doc, plan, move, dropped_requirements(graph, plan))
    rules_file = _rules_file(root, root_doc)
    rules_text = None
    if rules_file is not None:
        staging = {normalize(d.name) for d in graph.distributions if d.origin is Origin.STAGING}
        text = rules_file.read_text(encoding="utf-8")
        rules_text, _ = edits.publish_rule(text, rules_file.name, plan, staging)
    # Nothing has changed so far; from here on everything is written.
    new_home = f"{plan.target}/{plan.import_name}"
    (root / plan.target).mkdir(parents=True)
    git(root, "mv", plan.folder, new_home)
    say(f"moved {plan.folder}/ -> {new_home}/ (git mv, {len(plan.modules)} files)")
    moved = {p: new_home + p[len(plan.folder) :] for p in plan.modules}
    tests = movable_tests(plan)
    if tests:
        (root / plan.target / "tests").mkdir()
    for old, new in sorted(tests.items()):
        git(root, "mv", old, new)
        say(f"moved {old} -> {new} (git mv)")
    moved.update(tests)
    for path, lines in sorted(_self_imports(graph, plan, moved).items()):
        changed = edits.retarget(root / path, lines, plan.package, plan.import_name)
        say(f"{path}: {changed} imports of {plan.package} now import {plan.import_name}")
    shim = root / shim_path
    shim.parent.mkdir(parents=True, exist_ok=True)
    shim.write_text(shim_source(plan.package, plan.import_name, plan.target, release), encoding="utf-8")
    say(f"wrote the shim {shim_path} (warns once; {plan.package} goes away in release {release})")
    requires_python = root_doc.get("project", {}).get("requires-python")
    target = root / plan.target
    (target / "pyproject.toml").write_text(
        edits.new_pyproject(plan, requires_python, entry_points), encoding="utf-8"
    )
    (target / "README.md").write_text(edits.new_readme(plan, release), encoding="utf-8")
    written = ["pyproject.toml", "README.md"]
    if not tests and not any(t.inside for t in plan.tests):
        (target / "tests").mkdir()
        (target / "tests" / f"test_{plan.import_name}.py").write_text(edits.smoke_test(plan), "utf-8")
        written.append(f"tests/test_{plan.import_name}.py")
    say(f"wrote {plan.target}/: {', '.join(written)}")
    pyproject.write_text(tomlkit.dumps(root_doc), encoding="utf-8")
    for line in root_changes:
        say(line)
    if rules_file is not None and rules_text is not None:
        rules_file.write_text(rules_text, encoding="utf-8")
        say(f"{rules_file.name}: added the [[package]] rule of {plan.name} ({plan.target})")
    _vendor(root, say)
    if (root / "uv.lock").is_file():
        say(f"uv.lock: not refreshed; run `uv lock` to add {plan.target} to it")
    _silence_shim(root, move, say)
    git(root, "add", "-A")
    say(f"staged every change in git; review with `git diff --cached`, commit, then install {plan.target}")


def _rules_file(root: Path, root_doc: tomlkit.TOMLDocument) -> Path | None:
    publish = root_doc.get("tool", {}).get("publish")
    if publish is None or "rules" not in publish:
        return None
    return root / str(publish["rules"])


def _vendor(root: Path, say: Say) -> None:
    from depgraph.vendor import tree  # noqa: PLC0415 - only apply needs it

    config = load_config(root)
    result = tree.update(load_workspace(root, config))
    for line in result.actions:
        say(f"depgraph vendor update: {line}")
    for line in result.refused:
        say(f"depgraph vendor update refused: {line}")


def _silence_shim(root: Path, move: Move, say: Say) -> None:
    """Depgraph's checks on the moved repository; findings on the shim's import line are silenced there."""
    from depgraph.checks import run_checks  # noqa: PLC0415 - only apply needs it

    config = load_config(root)
    found: list[Finding] = list(run_checks(build_graph(root, config, use_cache=False), config).findings)
    checks = sorted({f.check for f in found if f.path == move.shim and f.line == IMPORT_LINE})
    if not checks:
        return
    reason = f"the shim of the move to {move.new}; goes away in release {move.release} (`stage finish`)"
    suppress = f"  # depgraph: ignore[{', '.join(checks)}] {reason}"
    text = shim_source(move.old, move.new, move.target, move.release, suppress)
    (root / move.shim).write_text(text, encoding="utf-8")
    say(f"{move.shim}:{IMPORT_LINE}: silenced {', '.join(checks)} on the shim's import of {move.new}")
