"""Build source monorepos and bare destinations for publish's tests, with real git and pinned dates.

Every commit gets its own fixed date (a counter), so the SHAs of a scenario are the same on every run.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Mapping
from pathlib import Path

from publish.cli import main

ROOT_PYPROJECT = """
[project]
name = "app"
version = "0.1.0"
dependencies = ["fw"]

[tool.depgraph]
staging = ["staging/*"]
vendor = "vendor"

[tool.publish]
rules = "publish-rules.toml"
work-dir = "_work"
"""


def pyproject(name: str, version: str = "0.1.0", deps: tuple[str, ...] = ()) -> str:
    dep_list = ", ".join(f'"{d}"' for d in deps)
    return textwrap.dedent(
        f"""\
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{name}"
        version = "{version}"
        dependencies = [{dep_list}]
        """
    )


FW_URL = 'install-url = "https://example.com/fw.git"'


def rules(
    dest: Path, *, pin: str = "commit", smoke: str = "", extra: str = "", fw_extra: str = FW_URL
) -> str:
    return textwrap.dedent(
        f"""\
        [defaults]
        retries = 1
        retry-delay = 0.01
        create = true
        smoke-venv = false
        pin = "{pin}"

        [[package]]
        name = "fw"
        source = "staging/fw"
        destination = "{dest}/fw.git"
        smoke = "{smoke}"
        tags = {{ match = 'v1\\.(\\d+)\\.(\\d+)', format = "v0.{{0}}.{{1}}" }}
        {fw_extra}

        [[package]]
        name = "prov"
        source = "staging/prov"
        destination = "{dest}/prov.git"
        dependencies = ["fw"]
        smoke = "{smoke}"
        {extra}
        """
    )


class Repo:
    """A git repository driven by real git commands; each commit has the next pinned date."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.counter = 0

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        full = dict(os.environ)
        full.update(env or {})
        proc = subprocess.run(
            ["git", *args], cwd=self.path, env=full, capture_output=True, text=True, check=False
        )
        if proc.returncode:
            raise AssertionError(f"git {' '.join(args)}: {proc.stderr}")
        return proc.stdout.strip()

    def write(self, files: Mapping[str, str | None]) -> None:
        for rel, text in files.items():
            path = self.path / rel
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def _dates(self) -> dict[str, str]:
        self.counter += 1
        stamp = f"{1700000000 + self.counter * 60} +0000"
        return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}

    def commit(self, message: str, files: Mapping[str, str | None] | None = None, *, sha: bool = True) -> str:
        """Commit `files` (None deletes); return its SHA, or "" with `sha=False` (one git process less)."""
        self.write(files or {})
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, env=self._dates())
        return self.git("rev-parse", "HEAD") if sha else ""

    def commits(self, history: list[tuple[str, Mapping[str, str | None]]], branch: str = "main") -> None:
        """Commit each (message, files) in turn on `branch`, checked out, in one `git fast-import` (and a
        `git reset --hard` for the work tree and index): the commits `commit` would make, SHAs included
        (same trees, identities from the environment, pinned dates, the message as `git commit -m` stores
        it), in 3 git processes in all instead of 3 per commit."""
        who = [os.environ.get(f"GIT_{r}_{k}") for r in ("AUTHOR", "COMMITTER") for k in ("NAME", "EMAIL")]
        if not all(who):  # identities from git's configuration: commit by commit, as git finds them
            for message, files in history:
                self.commit(message, files, sha=False)
            return
        ref = f"refs/heads/{branch}"
        tip = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", ref], cwd=self.path, capture_output=True, check=False
        )
        parent = tip.stdout.decode().strip()  # "" on a branch without commits
        stream = bytearray()
        for message, files in history:
            date = self._dates()["GIT_AUTHOR_DATE"]
            body = (message.rstrip("\n") + "\n").encode()
            stream += f"commit {ref}\nauthor {who[0]} <{who[1]}> {date}\n".encode()
            stream += f"committer {who[2]} <{who[3]}> {date}\ndata {len(body)}\n".encode() + body
            if parent:
                stream += f"from {parent}\n".encode()
                parent = ""
            for rel, text in files.items():
                if text is None:
                    stream += f"D {rel}\n".encode()
                else:
                    data = text.encode()
                    stream += f"M 100644 inline {rel}\ndata {len(data)}\n".encode() + data + b"\n"
            stream += b"\n"
        subprocess.run(["git", "fast-import", "--quiet"], cwd=self.path, input=bytes(stream), check=True)
        self.git("reset", "-q", "--hard")

    def merge(self, branch: str, message: str) -> str:
        self.git("merge", "-q", "--no-ff", "--no-edit", "-m", message, branch, env=self._dates())
        return self.git("rev-parse", "HEAD")


def make_monorepo(path: Path, dest: Path, **rule_args: str) -> Repo:
    """A monorepo with staging packages `fw` and `prov` (prov depends on fw) and a short linear history."""
    path.mkdir(parents=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    repo.commits(
        [
            (
                "initial: core and framework",
                {
                    "publish-rules.toml": rules(dest, **rule_args),
                    ".gitignore": "_work/\n",
                    "pyproject.toml": ROOT_PYPROJECT,
                    "app/__init__.py": "",
                    "staging/fw/pyproject.toml": pyproject("fw"),
                    "staging/fw/fw/__init__.py": "VERSION = 1\n",
                },
            ),
            (
                "prov: first version",
                {
                    "staging/prov/pyproject.toml": pyproject("prov", deps=("fw>=0.1",)),
                    "staging/prov/prov/__init__.py": "import fw\n",
                },
            ),
            ("core only", {"app/main.py": "x = 1\n"}),
            (
                "fw: api\n\nA longer body.\n\nSigned-off-by: A U Thor <author@example.com>",
                {"staging/fw/fw/api.py": "def load() -> None: ...\n"},
            ),
        ]
    )
    return repo


def publish(root: Path, *args: str) -> int:
    """Run the publish CLI in-process; return its exit code."""
    try:
        main(["--root", str(root), *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def heads(bare: Path) -> dict[str, str]:
    out = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname) %(objectname)"],
        cwd=bare,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split() for line in out.splitlines())


def log(bare: Path, fmt: str, *args: str) -> list[str]:
    out = subprocess.run(
        ["git", "log", f"--format={fmt}", *args], cwd=bare, capture_output=True, text=True, check=True
    ).stdout
    return out.splitlines()


def tree_listing(repo: Path, treeish: str) -> dict[str, str]:
    out = subprocess.run(
        ["git", "ls-tree", "-r", treeish], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    return {line.split("\t", 1)[1]: line.split()[2] for line in out.splitlines()}


def _commit_facts(repo: Path, args: list[str]) -> dict[str, tuple[str, str, str]]:
    """sha -> (tree, author/committer identities and raw dates with the subject, message) of the commits that
    `git log ARGS` lists, in one git process."""
    fmt = "%x1e%H%x00%T%x00%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd%x00%s%x00%B"
    out = subprocess.run(
        ["git", "log", f"--format={fmt}", "--date=raw", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    facts = {}
    for record in out.split("\x1e")[1:]:
        sha, tree, *meta, message = record.split("\x00")
        facts[sha] = (tree, "\x00".join(meta), message.rstrip("\n"))
    return facts


def check_published(
    source: Path,
    dest: Path,
    ref: str,
    directory: str,
    *,
    rewritten: bool = False,
    trailer: str = "Monorepo-commit",
) -> dict[str, str]:
    """Check each commit of dest's `ref` against the source commit its trailer names; return pub -> source.

    Same author, committer, dates and subject; the message starts with the source's; the published tree is
    the source commit's `directory` (with `rewritten`, except pyproject.toml). A few git processes in all."""
    mapping = {}
    published = _commit_facts(dest, [ref])
    for pub, (_, _, body) in published.items():
        trailers = [x for x in body.splitlines() if x.startswith(f"{trailer}: ")]
        assert trailers, f"{pub} has no trailer"
        mapping[pub] = trailers[-1].split(": ", 1)[1]
    sources = _commit_facts(source, ["--no-walk=unsorted", *sorted(set(mapping.values()))])
    subtrees = subprocess.run(  # "<tree id> tree <size>", or "<src>:<directory> missing"
        ["git", "cat-file", "--batch-check"],
        cwd=source,
        input="".join(f"{src}:{directory}\n" for src in mapping.values()),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for (pub, src), subtree in zip(mapping.items(), subtrees, strict=True):
        tree, meta, body = published[pub]
        assert src in sources, f"{pub} names {src}, which is not in the source"
        assert meta == sources[src][1]
        assert body.startswith(sources[src][2].strip())
        assert " tree " in subtree, f"{pub} (from {src}): {subtree}"
        if tree == subtree.split()[0]:  # the same tree id: the same files, modes and contents
            continue
        published_tree = tree_listing(dest, pub)
        source_tree = tree_listing(source, f"{src}:{directory}")
        if rewritten:
            published_tree.pop("pyproject.toml", None)
            source_tree.pop("pyproject.toml", None)
        assert published_tree == source_tree, f"{pub} (from {src}) differs from {directory}"
    return mapping


def grow(repo: Repo, count: int, branch: str = "main") -> None:
    """Add `count` commits to `branch` in one `git fast-import`: every third touches only the core,
    every tenth is a merge of a side line that changed the framework."""
    tip = repo.git("rev-parse", branch)
    lines = []
    base = 1_800_000_000
    side = None
    for i in range(count):
        mark = i + 1
        path = f"app/gen{i % 7}.py" if i % 3 == 0 else f"staging/fw/fw/gen{i % 11}.py"
        data = f"N = {i}\n".encode()
        ident = f"Gen Erator <gen@example.com> {base + i * 60} +0000"
        ref = f"refs/heads/{branch}" if i % 10 != 5 else "refs/heads/_side"
        body = [
            f"commit {ref}",
            f"mark :{mark}",
            f"author {ident}",
            f"committer {ident}",
            f"data {len(f'gen {i}')}",
            f"gen {i}",
        ]
        if i == 0:
            body.append(f"from {tip}")
        elif ref == "refs/heads/_side":
            body.append(f"from :{mark - 1}")
            side = mark
        elif i % 10 == 6 and side:
            body.append(f"from :{mark - 2}")
            body.append(f"merge :{side}")
        else:
            body.append(f"from :{mark - 1}")
        body.append(f"M 100644 inline {path}")
        body.append(f"data {len(data)}")
        lines += [*body, data.decode()]
    stream = ("\n".join(lines) + "\n").encode()
    subprocess.run(["git", "fast-import", "--quiet", "--force"], cwd=repo.path, input=stream, check=True)
    repo.git("update-ref", "-d", "refs/heads/_side")
    repo.git("reset", "-q", "--hard", branch)
