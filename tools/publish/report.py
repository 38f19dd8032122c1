"""What a run did, as text: the lines of each package (written as soon as it is finished), then a summary.

One line per package and branch (or tag): pushed, would push, up to date, already at the destination, or
FAILED with the reason. A package that failed or was refused prints nothing it would push.
"""

from __future__ import annotations

from publish.sync import PackageResult


def lines(r: PackageResult, dry_run: bool) -> list[str]:
    out = [f"{r.name}: {note}" for note in r.notes]
    if r.error:
        return out + [f"{r.name}: FAILED: {line}" for line in r.error.splitlines()]
    for u in sorted(r.updates, key=lambda u: u.ref):
        old = u.old[:12] if u.old else "(new)"
        if u.already:
            out.append(f"{r.name}: {u.ref} was already at {u.new[:12]} at the destination; nothing pushed")
            continue
        verb = "would push" if dry_run else ("pushed" if r.pushed else "not pushed")
        force = " (forced)" if u.forced and u.old else ""
        count = f", {u.brings} commit(s)" if u.ref.startswith("refs/heads/") else ""
        out.append(f"{r.name}: {verb} {u.ref} {old} -> {u.new[:12]}{force}{count}")
        out += [f"    {c}" for c in u.commits] if dry_run else []
    out += [f"{r.name}: up to date {ref} ({sha[:12]})" for ref, sha in sorted(r.current.items())]
    if not r.updates and not r.current:
        out.append(f"{r.name}: up to date (nothing published)")
    return out


def render(results: list[PackageResult], dry_run: bool) -> list[str]:
    return [line for r in sorted(results, key=lambda r: r.name) for line in lines(r, dry_run)]


def summary(results: list[PackageResult], dry_run: bool) -> tuple[str, int]:
    failed = sum(1 for r in results if r.error)
    changed = sum(1 for r in results if not r.error and any(not u.already for u in r.updates))
    current = len(results) - failed - changed
    verb = "would change" if dry_run else "published"
    return f"publish: {changed} {verb}, {current} up to date, {failed} failed", failed
