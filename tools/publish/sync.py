"""Publish one package: split each rule branch, map its tags, check safety, smoke-test, push atomically."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from publish import dest, earlier, git, owner, pause, split, tags
from publish.decide import HeadFacts, OwnState, Planned, Refusal, ownership, update_refusal
from publish.deps import Rewriter, Sibling
from publish.errors import GitError, PublishError
from publish.git import CatFile, ObjectWriter, PackWriter
from publish.rules import BranchRule, PackageRule, Rules
from publish.smoke import run_smoke
from publish.walk import SharedWalks

# Given a label and a total, start a progress display; the function returned advances it by n.
Progress = Callable[[str, int], Callable[[int], None]]


@dataclass(frozen=True)
class Options:
    progress: Progress | None = None  # per-commit progress of long splits
    dry_run: bool = False
    # (package, branch or tag) whose destination may be overwritten; ("pkg", "") grants all of pkg
    force: frozenset[tuple[str, str]] = frozenset()
    smoke: bool = True
    history: Path | None = None  # the shared history repository (publish.history) the walks run in
    # The source branch tips, read once at the start of the run: every package publishes from the same
    # source state even when a branch moves meanwhile (None: read each when needed).
    heads: dict[str, str] | None = None
    tags: dict[str, str] | None = None  # the source tags (name -> object), read once at the start likewise
    walks: SharedWalks | None = None  # full walks shared by the packages of a run (publish.walk)


@dataclass
class RefUpdate:
    ref: str  # refs/heads/x or refs/tags/x
    old: str | None
    new: str
    forced: bool = False
    commits: list[str] = field(default_factory=list)  # "<sha> <subject>" lines, newest first (dry runs)
    already: bool = False  # the push found the destination already there (another run published it)
    count: int | None = None  # how many commits the update brings (None: len(commits))

    @property
    def brings(self) -> int:
        return len(self.commits) if self.count is None else self.count


@dataclass
class PackageResult:
    name: str
    updates: list[RefUpdate] = field(default_factory=list)
    current: dict[str, str] = field(default_factory=dict)  # ref -> sha of the branches already up to date
    pushed: bool = False
    error: str = ""  # why the package failed or was refused: one line per branch or ref
    notes: list[str] = field(default_factory=list)
    processed: int = 0  # source commits read and written in this run (all branches)
    sibling: Sibling | None = None  # for the packages that pin this one by commit

    @property
    def ok(self) -> bool:
        return not self.error


Log = Callable[[str], None]
TIPS_NS = "refs/publish-tips/"


class PackageSync:
    def __init__(
        self, rules: Rules, rule: PackageRule, options: Options, siblings: dict[str, Sibling], log: Log
    ) -> None:
        self.rules = rules
        self.rule = rule
        self.options = options
        self.siblings = siblings
        self.log = log
        self.source = rules.root
        self.notes: list[str] = []
        self.processed = 0
        self.full_known = False
        self.trust_cache = True  # False once a forced branch's destination proved not to be ours
        self.current: dict[str, str] = {}
        self.hints: set[str] = set()  # remembered source tips: parents only, never published commits
        self.tips: dict[str, tuple[str, str]] = {}
        self.tag_refusals: list[Refusal] = []  # published tags whose source tag moved (publish.tags)
        self.tag_records: dict[str, list[str]] | None = None  # what publish.tags records once delivered

    def tip(self, branch: str) -> str | None:
        """The source branch's commit for this run."""
        if self.options.heads is not None:
            return self.options.heads.get(branch)
        return git.rev_parse(self.source, f"refs/heads/{branch}")

    def forced(self, name: str) -> bool:
        return bool({(self.rule.name, ""), (self.rule.name, name)} & self.options.force)

    def run(self, want_sibling: bool) -> PackageResult:
        result = PackageResult(self.rule.name, notes=self.notes, current=self.current)
        try:
            self._run(result, want_sibling)
        except GitError as exc:
            command = exc.args_list[1]
            where = {"push": f" to {self.rule.destination}", "fetch": f" from {self.rule.destination}"}
            result.error = f"git {command}{where.get(command, '')} failed: {exc.message}"
        except PublishError as exc:
            result.error = str(exc)
        except OSError as exc:  # the disk, a temporary folder, a command that cannot start
            result.error = f"{type(exc).__name__}: {exc}"
        result.processed = self.processed
        return result

    def _run(self, result: PackageResult, want_sibling: bool) -> None:
        """Fetch, judge the destination, plan every ref update, then deliver them (or stop, saying why)."""
        rule = self.rule
        repo = dest.work_repo(self.rules.work_dir, rule, self.source)
        if not self.options.dry_run and dest.ensure_destination(rule):
            result.notes.append(f"created {rule.destination}")
        pub = self._fetch(repo)
        with CatFile(repo) as cat:
            refusals, trusted = self._check_heads(repo, cat, pub)
            if refusals:
                result.error = "\n".join(r.message for r in refusals)
                return
            if not trusted:  # forced over a destination that is not ours: build as if it were empty
                pub = dest.Published(pub.heads, pub.tags, {}, {})
                self.full_known = True
                self.trust_cache = False
            self._plan(repo, cat, pub, result, want_sibling)
        refusal = update_refusal(rule.name, [self._planned(repo, u) for u in result.updates])
        refused = [r.message for r in [*self.tag_refusals, *([refusal] if refusal else [])]]
        if refused:  # one line per ref at fault; nothing of the package is pushed
            result.error = "\n".join(refused)
        elif not self.options.dry_run:
            self._deliver(repo, result)

    def _plan(
        self, repo: Path, cat: CatFile, pub: dest.Published, result: PackageResult, want_sibling: bool
    ) -> None:
        """Split each branch and map the tags: the ref updates, and what dependants pin."""
        rule = self.rule
        known = dict(pub.known)
        writer = PackWriter(git.objects_dir(repo))
        rewriter = self._rewriter(cat, writer)
        done_tips: list[str] = []
        tips = [self.tip(b.source) for b in rule.branches]
        if self.options.history is None:  # else the runner prepared the shared graph for every package
            dest.ensure_commit_graph(repo, [t for t in tips if t])
        for branch in rule.branches:
            update = self._branch(
                repo,
                cat,
                writer=writer,
                rewriter=rewriter,
                branch=branch,
                pub=pub,
                known=known,
                done_tips=done_tips,
            )
            if update:
                result.updates.append(update)
        if rule.tags:
            planned = tags.plan(
                self.source,
                rule,
                pub.tags,
                known,
                forced=self.forced,
                load_known=lambda: self._load_known(repo, known),
                source_tags=self.options.tags,
                records=tags.load_records(repo),
            )
            self.tag_refusals = planned.moved
            self.tag_records = dict(planned.right)  # saved with the tags pushed, once delivered
            for t in planned.updates:
                commits = [f"{t.new[:7]} <- {t.source_tag}"]
                result.updates.append(
                    RefUpdate(f"refs/tags/{t.name}", t.old, t.new, self.forced(t.name), commits)
                )
                self.tag_records[t.name] = [t.source_tag, t.source_object]
        result.sibling = Sibling(self.rule.name, self.rule.source, self.rule.install_url)
        if want_sibling:  # some dependent pins this package by commit
            self._load_known(repo, known)
            result.sibling.by_tree = self._by_tree(cat, known)

    def _rewriter(self, cat: CatFile, writer: PackWriter) -> Rewriter | None:
        rule = self.rule
        if not rule.dependencies:
            return None
        sibs = []
        for name in rule.dependencies:
            if name not in self.siblings:
                raise PublishError(
                    f"package {rule.name!r}: dependency {name!r} was not published in this run"
                )
            sibs.append(self.siblings[name])
        return Rewriter(rule.name, rule.pin, sibs, cat, writer)

    @staticmethod
    def _planned(repo: Path, u: RefUpdate) -> Planned:
        simple = not u.old or u.ref.startswith("refs/tags/") or u.old == u.new
        return Planned(u.ref, u.old, u.new, u.forced, simple or git.is_ancestor(repo, u.old or "", u.new))

    def _deliver(self, repo: Path, result: PackageResult) -> None:
        """Smoke-test the new branch heads, then one atomic push; its per-ref results go in the report."""
        rule = self.rule
        if not result.updates:
            self._remember_tips(repo)
            if self.tag_records is not None:
                tags.save_records(repo, self.tag_records)
            return
        if self.options.smoke and rule.smoke:
            for u in result.updates:
                if u.ref.startswith("refs/heads/"):
                    smoke = run_smoke(repo, u.new, rule.smoke, rule.smoke_venv)
                    if not smoke.ok:
                        result.error = (
                            f"smoke test failed on {u.ref} at {u.new[:12]}: {smoke.detail}; nothing pushed"
                        )
                        return
        pause.point("before-push", rule.name)
        from publish import remote  # noqa: PLC0415  (GitPython: loaded only by runs that fetch or push)

        already = remote.push(
            repo,
            rule,
            [(u.ref, u.new, u.old, u.forced) for u in result.updates],
            retries=self.rules.retries,
            delay=self.rules.retry_delay,
            log=self.log,
        )
        for u in result.updates:
            u.already = already.get(u.ref, False)
        dest.record_push(repo, [(u.ref, u.new) for u in result.updates])
        self._remember_tips(repo)
        if self.tag_records is not None:
            tags.save_records(repo, self.tag_records)
        result.pushed = not all(u.already for u in result.updates)

    def _fetch(self, repo: Path) -> dest.Published:
        rule = self.rule
        local = rule.local_destination
        if self.options.dry_run and local is not None and rule.create and not local.exists():
            return dest.Published({}, {}, {}, {})
        from publish import remote  # noqa: PLC0415  (GitPython: loaded only by runs that fetch or push)

        remote.fetch(repo, rule, self.rules.retries, self.rules.retry_delay, self.log)
        return dest.published(repo, self.rules.trailer)

    def _check_heads(self, repo: Path, cat: CatFile, pub: dest.Published) -> tuple[list[Refusal], bool]:
        """Refusals of the branches whose destination head is not this package's own work; and whether
        the destination can be trusted at all (not when a forced branch proved not to be ours)."""
        refusals = []
        trusted = True
        for branch in self.rule.branches:
            head = pub.heads.get(branch.name)
            if head is None:
                continue
            refusal = ownership(self._head_facts(repo, cat, branch, head))
            if refusal is None:
                continue
            if self.forced(branch.name):
                trusted = False
                self.notes.append(f"refs/heads/{branch.name}: forced over: {refusal.message.split('; ')[0]}")
            else:
                refusals.append(refusal)
        return refusals, trusted

    def _head_facts(self, repo: Path, cat: CatFile, branch: BranchRule, head: str) -> HeadFacts:
        """What the destination's `head` of `branch` says about who made it (read, not judged)."""
        return owner.head_facts(
            repo, cat, rules=self.rules, rule=self.rule, branch=branch, head=head, tip=self.tip(branch.source)
        )

    def own_state(self) -> OwnState:
        """Read-only: where this package's destination stands (for a dependant that is not published)."""
        repo = dest.work_repo(self.rules.work_dir, self.rule, self.source)
        local = self.rule.local_destination
        if local is not None and not local.exists():
            if not self.rule.create:  # its own run would fail on that too: say so now
                missing = f"destination {self.rule.destination} does not exist (its rule has create = false)"
                return OwnState([Refusal("missing", missing)], {})
            return OwnState([], {b.name: None for b in self.rule.branches})
        pub = self._fetch(repo)
        refusals = []
        heads: dict[str, str | None] = {}
        with CatFile(repo) as cat:
            for branch in self.rule.branches:
                head = pub.heads.get(branch.name)
                facts = self._head_facts(repo, cat, branch, head) if head else None
                refusal = ownership(facts) if facts else None
                if refusal is not None and not self.forced(branch.name):
                    refusals.append(refusal)
                heads[branch.name] = facts.source if facts else None
        return OwnState(refusals, heads)

    def _branch(
        self,
        repo: Path,
        cat: CatFile,
        *,
        writer: ObjectWriter,
        rewriter: Rewriter | None,
        branch: BranchRule,
        pub: dest.Published,
        known: dict[str, str],
        done_tips: list[str],
    ) -> RefUpdate | None:
        tip = self.tip(branch.source)
        if tip is None:
            raise PublishError(f"package {self.rule.name!r}: source branch {branch.source!r} not found")
        old = pub.heads.get(branch.name)
        own = pub.sources.get(old) if old else None
        exclude = [own] if own else [pub.sources[h] for h in pub.heads.values() if h in pub.sources]
        cached = self._cached_tip(repo, branch.name, old)
        if cached:  # the source tip of the last run, whose published head is still the destination's
            exclude.append(cached)
            if cached not in known:
                known[cached] = old or ""
                self.hints.add(cached)
        exclude = [e for e in exclude + done_tips if cat.read(e) is not None]
        extra = rewriter.extra_paths if rewriter else ()

        def attempt(excluded: list[str]) -> list[tuple[str, list[str]]]:
            trees = None
            if not excluded and self.options.walks is not None:
                walked, trees = self.options.walks.walk_trees(tip, branch.dir)
            else:
                walked = split.walk(self.options.history or repo, tip, branch.dir, excluded)
            self.processed += len(walked)
            commits = split.read_commits(cat, walked, branch.dir, extra, trees)
            if self.rule.earlier:  # the package's history from before it moved here
                where = self.options.history or repo
                homes = self.rule.earlier
                commits = earlier.prepend(
                    where, cat, writer, commits, earlier=homes, exclude=excluded, extra=extra
                )
            tick = None
            if self.options.progress and commits:  # one bar per package and branch, moved per commit
                tick = self.options.progress(f"{self.rule.name} {branch.name}", len(commits))
            split.build(commits, known, writer, self.rules.trailer, rewriter, tick=tick)
            if isinstance(writer, PackWriter):
                writer.flush()
            return walked

        try:
            walked = attempt(exclude)
        except split.UnknownParent:
            try:  # a parent published long ago: read the whole destination history, then build again
                self._load_known(repo, known)
                walked = attempt(exclude)
            except split.UnknownParent:  # the excluded commits do not bound the new ones: walk it all
                exclude, walked = [], attempt([])
        if not walked and exclude:
            # Nothing new since the published head, unless the source branch moved elsewhere.
            walked = [] if old and own and git.is_ancestor(self.source, own, tip) else attempt([])
        new = known[walked[-1][0]] if walked else old
        done_tips.append(tip)
        if new is not None:
            self.tips[branch.name] = (tip, new)
        if new is None:
            self.notes.append(f"branch {branch.name}: {branch.dir}/ has no history on {branch.source}")
            return None
        if new == old:
            self.current[f"refs/heads/{branch.name}"] = new
            return None
        ref = f"refs/heads/{branch.name}"
        since = [f"^{old}"] if old and git.rev_parse(repo, old) else []
        if self.options.dry_run:  # shown one per line
            commits = git.out(["log", "--format=%h %s", new, *since, "--"], repo).splitlines()
            return RefUpdate(ref, old, new, self.forced(branch.name), commits)
        count = int(git.out(["rev-list", "--count", new, *since, "--"], repo))  # only counted
        return RefUpdate(ref, old, new, self.forced(branch.name), count=count)

    def _cached_tip(self, repo: Path, branch: str, old: str | None) -> str | None:
        """The source tip the last run published as `old`, if the work directory remembers it."""
        if old is None or not self.trust_cache:
            return None
        remembered = dest.refs(repo, f"{TIPS_NS}{branch}/")
        return remembered.get("source") if remembered.get("published") == old else None

    def _remember_tips(self, repo: Path) -> None:
        """A cache only (a fresh work directory works without it): source tip -> published head."""
        lines = "".join(
            f"update {TIPS_NS}{name}/source {tip}\nupdate {TIPS_NS}{name}/published {head}\n"
            for name, (tip, head) in sorted(self.tips.items())
        )
        if lines:
            git.run(["update-ref", "--stdin"], repo, input=lines.encode())

    def _load_known(self, repo: Path, known: dict[str, str]) -> None:
        if not self.full_known:
            for src, sha in dest.all_known(repo, self.rules.trailer).items():
                known.setdefault(src, sha)
            self.full_known = True

    def _by_tree(self, cat: CatFile, known: dict[str, str]) -> dict[str, str]:
        """Source directory tree -> published commit (the earliest source commit with that tree)."""
        sources = sorted(s for s in known if s not in self.hints)
        names = [n for s in sources for n in (s, f"{s}:{self.rule.source}")]
        answers = list(cat.read_many(names))
        best: dict[str, tuple[int, str]] = {}
        for i, src in enumerate(sources):
            commit, tree = answers[2 * i], answers[2 * i + 1]
            if commit is None or tree is None:
                continue
            _, headers, _ = split.parse_commit(commit[2])
            time = split.SourceCommit(src, [], headers, b"", None).commit_time
            key = (time, src)
            if tree[0] not in best or key < best[tree[0]]:
                best[tree[0]] = key
        return {tree: known[src] for tree, (_, src) in best.items()}
