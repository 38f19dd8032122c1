"""What a run did, as text: one block per package, then one summary line."""

from __future__ import annotations

from publish.sync import PackageResult


def render(results: list[PackageResult], dry_run: bool) -> list[str]:
    lines = []
    for r in sorted(results, key=lambda r: r.name):
        for note in r.notes:
            lines.append(f"{r.name}: {note}")
        if r.error:
            lines.append(f"{r.name}: FAILED: {r.error}")
        if not r.updates:
            if not r.error:
                lines.append(f"{r.name}: up to date")
            continue
        verb = "would push" if dry_run else ("pushed" if r.pushed else "not pushed")
        for u in sorted(r.updates, key=lambda u: u.ref):
            old = u.old[:12] if u.old else "(new)"
            force = " (forced)" if u.forced and u.old else ""
            count = f", {len(u.commits)} commit(s)" if u.ref.startswith("refs/heads/") else ""
            lines.append(f"{r.name}: {verb} {u.ref} {old} -> {u.new[:12]}{force}{count}")
            lines += [f"    {c}" for c in u.commits] if dry_run else []
    return lines


def summary(results: list[PackageResult], dry_run: bool) -> tuple[str, int]:
    failed = sum(1 for r in results if r.error)
    changed = sum(1 for r in results if r.updates and not r.error)
    current = len(results) - failed - changed
    verb = "would change" if dry_run else "published"
    return f"publish: {changed} {verb}, {current} up to date, {failed} failed", failed
