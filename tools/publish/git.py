"""The one way publish talks to git: `run` for single commands, and long-lived batch processes.

Every failure raises `GitError` with the command, its exit code and stderr.
`CatFile` keeps one `git cat-file --batch` open; `ObjectWriter` writes loose objects in-process
(deterministic bytes, no process per object).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from publish import pause
from publish.errors import GitError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def run(
    args: Sequence[str],
    cwd: str | Path,
    *,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `git <args>` in `cwd`; raise GitError when it fails (unless check=False)."""
    cmd = ["git", *args]
    full_env = None
    if env:
        full_env = dict(os.environ)
        full_env.update(env)
    try:
        proc = subprocess.run(
            cmd, cwd=str(cwd), input=input, capture_output=True, env=full_env, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise GitError(cmd, -1, f"timed out after {timeout} s", str(cwd)) from exc
    if check and proc.returncode != 0:
        raise GitError(cmd, proc.returncode, proc.stderr.decode("utf-8", "replace"), str(cwd))
    return proc


def out(args: Sequence[str], cwd: str | Path, **kwargs: object) -> str:
    """Run git and return its stdout as text, stripped."""
    return run(args, cwd, **kwargs).stdout.decode("utf-8", "replace").strip()  # type: ignore[arg-type]


def rev_parse(cwd: str | Path, rev: str) -> str | None:
    proc = run(["rev-parse", "--verify", "--quiet", rev + "^{commit}"], cwd, check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def is_ancestor(cwd: str | Path, ancestor: str, descendant: str) -> bool:
    proc = run(["merge-base", "--is-ancestor", ancestor, descendant], cwd, check=False)
    if proc.returncode not in (0, 1):
        raise GitError(
            ["merge-base", "--is-ancestor", ancestor, descendant],
            proc.returncode,
            proc.stderr.decode("utf-8", "replace"),
            str(cwd),
        )
    return proc.returncode == 0


def objects_dir(repo: str | Path) -> Path:
    """The object directory of a repository (bare or not)."""
    path = out(["rev-parse", "--git-path", "objects"], repo)
    p = Path(path)
    return p if p.is_absolute() else (Path(repo) / p).resolve()


def borrowing_repo(path: Path, source: Path) -> Path:
    """Create (once, atomically through a temporary folder beside it) the bare repository `path` that borrows
    the objects of `source` through its alternates (rewritten when `source` moved); return `path`."""
    if not (path / "HEAD").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        run(["init", "--quiet", "--bare", str(tmp)], path.parent)
        run(["config", "gc.auto", "0"], tmp)
        tmp.rename(path)
    alternates = path / "objects" / "info" / "alternates"
    wanted = f"{objects_dir(source)}\n"
    if not alternates.exists() or alternates.read_text() != wanted:
        alternates.write_text(wanted)
    return path


def check_many(repo: str | Path, names: list[str], *, procs: int = 1) -> list[tuple[str, str] | None]:
    """(sha, type) of each name through `git cat-file --batch-check`, or None when it is missing.

    With `procs` > 1 and many names, that many processes answer consecutive slices of the names at once
    (the lookups are git's work, so they use every core; the answers come back in order).
    """
    if not names:
        return []
    args = ["cat-file", "--buffer", "--batch-check=%(objectname) %(objecttype)"]
    procs = max(1, min(procs, len(names) // PARALLEL_MIN))
    size = -(-len(names) // procs)
    slices = [names[i : i + size] for i in range(0, len(names), size)]
    outs: list[bytes] = [b""] * len(slices)
    errors: list[BaseException] = []

    def answer(at: int) -> None:
        try:
            outs[at] = run(args, repo, input="".join(f"{n}\n" for n in slices[at]).encode()).stdout
        except BaseException as exc:  # re-raised below, in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(1, len(slices))]
    for t in threads:
        t.start()
    answer(0)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    result: list[tuple[str, str] | None] = []
    for out in outs:
        for line in out.decode().splitlines():
            parts = line.rsplit(" ", 1)
            result.append(None if parts[-1] in ("missing", "ambiguous") else (parts[0], parts[1]))
    return result


PARALLEL_MIN = 2000  # names per process below which one process answers alone


class CatFile:
    """One `git cat-file --batch` process. `read_many` streams answers in request order."""

    def __init__(self, repo: str | Path) -> None:
        self.repo = str(repo)
        self.cmd = ["git", "cat-file", "--batch"]
        self.proc = subprocess.Popen(
            self.cmd, cwd=self.repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def read_many(self, names: Iterable[str]) -> Iterator[tuple[str, str, bytes] | None]:
        """Yield (sha, type, content) for each name, or None when it is missing.

        A thread feeds the requests while this generator reads, so large batches never deadlock.
        """
        names = list(names)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        stdin, stdout = self.proc.stdin, self.proc.stdout
        errors: list[BaseException] = []

        def feed() -> None:
            try:
                stdin.write(b"".join(n.encode() + b"\n" for n in names))
                stdin.flush()
            except BaseException as exc:  # broken pipe: reported by the reader
                errors.append(exc)

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        try:
            for _ in names:
                header = stdout.readline()
                if not header:
                    stderr = self.proc.stderr.read().decode("utf-8", "replace") if self.proc.stderr else ""
                    raise GitError(
                        self.cmd, self.proc.poll() or -1, stderr or "cat-file ended early", self.repo
                    )
                parts = header.split()
                if len(parts) == 2 and parts[1] in (b"missing", b"ambiguous"):
                    yield None
                    continue
                sha, kind, size = parts[0].decode(), parts[1].decode(), int(parts[2])
                data = stdout.read(size + 1)[:-1]
                yield sha, kind, data
        finally:
            feeder.join()

    def read(self, name: str) -> tuple[str, str, bytes] | None:
        return next(iter(self.read_many([name])))

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> CatFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ObjectWriter:
    """Writes git objects as loose files, atomically (temporary file, then rename)."""

    def __init__(self, objects: Path) -> None:
        self.objects = objects
        self._made: set[str] = set()

    @staticmethod
    def hash(kind: str, data: bytes) -> tuple[str, bytes]:
        raw = f"{kind} {len(data)}\0".encode() + data
        return hashlib.sha1(raw).hexdigest(), raw

    def write(self, kind: str, data: bytes) -> str:
        sha, raw = self.hash(kind, data)
        folder = self.objects / sha[:2]
        path = folder / sha[2:]
        if path.exists():
            return sha
        if sha[:2] not in self._made:
            folder.mkdir(exist_ok=True)
            self._made.add(sha[:2])
        tmp = folder / f"tmp_obj_{os.getpid()}_{threading.get_ident()}_{sha[2:8]}"
        tmp.write_bytes(zlib.compress(raw, 1))
        tmp.replace(path)
        return sha


PACK_TYPES = {"commit": 1, "tree": 2, "blob": 3}
PACK_MIN = 64  # fewer objects than this are written loose


class PackWriter(ObjectWriter):
    """Collects objects in memory and writes them as one pack (with its index) on `flush`.

    Thousands of new commits become two files instead of thousands: the pack and its version-2 index are
    written to temporary names and renamed into place, the index last, so a reader never sees half a pack.
    Small batches are written loose.
    """

    def __init__(self, objects: Path) -> None:
        super().__init__(objects)
        self.pending: dict[str, tuple[str, bytes]] = {}

    def write(self, kind: str, data: bytes) -> str:
        sha, _ = self.hash(kind, data)
        self.pending.setdefault(sha, (kind, data))
        return sha

    def flush(self) -> None:
        pending, self.pending = self.pending, {}
        if len(pending) < PACK_MIN:
            for kind, data in pending.values():
                super().write(kind, data)
            return
        names = sorted(pending)
        pack = bytearray(b"PACK" + struct.pack(">II", 2, len(names)))
        offsets: list[int] = []
        crcs: list[int] = []
        for sha in names:
            kind, data = pending[sha]
            size = len(data)
            byte = (PACK_TYPES[kind] << 4) | (size & 15)
            size >>= 4
            header = bytearray()
            while size:
                header.append(byte | 0x80)
                byte = size & 0x7F
                size >>= 7
            header.append(byte)
            body = bytes(header) + zlib.compress(data, 1)
            offsets.append(len(pack))
            crcs.append(zlib.crc32(body))
            pack += body
        checksum = hashlib.sha1(pack).digest()
        pack += checksum
        index = bytearray(b"\xfftOc" + struct.pack(">I", 2))
        counts = [0] * 256
        for sha in names:
            counts[int(sha[:2], 16)] += 1
        total = 0
        for n in counts:
            total += n
            index += struct.pack(">I", total)
        index += b"".join(bytes.fromhex(sha) for sha in names)
        index += b"".join(struct.pack(">I", crc) for crc in crcs)
        large: list[int] = []
        for offset in offsets:
            if offset < 0x80000000:
                index += struct.pack(">I", offset)
            else:
                index += struct.pack(">I", 0x80000000 | len(large))
                large.append(offset)
        index += b"".join(struct.pack(">Q", offset) for offset in large)
        index += checksum
        index += hashlib.sha1(index).digest()
        folder = self.objects / "pack"
        folder.mkdir(exist_ok=True)
        base = folder / f"pack-{checksum.hex()}"
        tag = f"{os.getpid()}_{threading.get_ident()}"
        for suffix, blob in ((".pack", pack), (".idx", index)):
            tmp = folder / f"tmp_{tag}{suffix}"
            tmp.write_bytes(blob)
            tmp.replace(base.with_suffix(suffix))
        pause.point("after-pack")


def parse_tree(data: bytes) -> list[tuple[bytes, bytes, str]]:
    """Entries (mode, name, sha) of a raw tree object, in stored order."""
    entries = []
    i = 0
    while i < len(data):
        sp = data.index(b" ", i)
        nul = data.index(b"\0", sp)
        entries.append((data[i:sp], data[sp + 1 : nul], data[nul + 1 : nul + 21].hex()))
        i = nul + 21
    return entries


def format_tree(entries: list[tuple[bytes, bytes, str]]) -> bytes:
    return b"".join(mode + b" " + name + b"\0" + bytes.fromhex(sha) for mode, name, sha in entries)
