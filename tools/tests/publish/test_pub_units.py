"""Small pure parts: trailers, requirement rewriting, tag mapping, tree objects, commit parsing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from publish.deps import Pin, rewrite_pyproject
from publish.dest import transient
from publish.errors import GitError
from publish.git import ObjectWriter, PackWriter, format_tree, parse_tree
from publish.rules import TagRule, local_path
from publish.split import parse_commit, trailer_value, with_trailer

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (b"subject\n", b"subject\n\nK: " + SHA.encode() + b"\n"),
        (b"subject", b"subject\n\nK: " + SHA.encode() + b"\n"),
        (b"", b"K: " + SHA.encode() + b"\n"),
        (
            b"subject\n\nbody\n\nSigned-off-by: A <a@b>\n",
            b"subject\n\nbody\n\nSigned-off-by: A <a@b>\nK: " + SHA.encode() + b"\n",
        ),
        (
            b"fix: a thing\n",
            b"fix: a thing\n\nK: " + SHA.encode() + b"\n",
        ),  # a subject is not a trailer block
    ],
)
def test_trailer_is_appended_to_the_trailer_block(message: bytes, expected: bytes) -> None:
    assert with_trailer(message, "K", SHA) == expected
    assert trailer_value(expected.decode(), "K") == SHA


def test_trailer_value_takes_the_last_well_formed_one() -> None:
    text = f"s\n\nK: {'1' * 40}\nK: not-a-sha\nK: {SHA}\nOther: x\n"
    assert trailer_value(text, "K") == SHA
    assert trailer_value("s\n\nno trailer\n", "K") is None


PYPROJECT = """\
# fw>=0.1 in a comment stays, and so does "fw>=0.1" quoted in one
[project]
name = "prov"
description = "needs \\"fw>=0.1\\" (a quoted value)"
dependencies = [
    "fw>=0.1",  # the sibling
    'other>=1',
]

[project.optional-dependencies]
full = ['fw[speed]>=0.1; python_version >= "3.8"', "other"]
docs = ["sphinx"]

[dependency-groups]
dev = ["fw>=0.1"]

[tool.something]
requires = ["fw>=0.1"]
keep = 'fw>=0.1'
"""


def test_rewrite_edits_only_the_requirement_arrays_byte_for_byte() -> None:
    pins = {"fw": Pin(url="https://example.com/fw.git", commit=SHA)}
    out = rewrite_pyproject(PYPROJECT, pins)
    ref = f"fw @ git+https://example.com/fw.git@{SHA}"
    assert out == PYPROJECT.replace('    "fw>=0.1",  # the sibling', f'    "{ref}",  # the sibling').replace(
        """full = ['fw[speed]>=0.1; python_version >= "3.8"', "other"]""",
        f"""full = ['fw[speed] @ git+https://example.com/fw.git@{SHA} ; python_version >= "3.8"', "other"]""",
    )
    assert (
        rewrite_pyproject(PYPROJECT, {"fw": Pin(version="0.2.0")}).splitlines()[5]
        == '    "fw==0.2.0",  # the sibling'
    )
    # Nothing to pin: the very same text.
    assert rewrite_pyproject(PYPROJECT, {"else": Pin(version="1")}) is PYPROJECT


def test_rewrite_pins_poetry_dependency_tables_keeping_their_other_keys() -> None:
    text = """\
[tool.poetry.dependencies]
python = "^3.10"
fw = { path = "../fw", develop = true, extras = ["speed"] }  # the sibling

[tool.poetry.group.test.dependencies]
Fw = "^0.1"

[tool.other]
fw = "^0.1"
"""
    out = rewrite_pyproject(text, {"fw": Pin(url="https://example.com/fw.git", commit=SHA)})
    assert out == (
        text.replace(
            'fw = { path = "../fw", develop = true, extras = ["speed"] }',
            f'fw = {{git = "https://example.com/fw.git", rev = "{SHA}", extras = ["speed"]}}',
        ).replace('Fw = "^0.1"', f'Fw = {{git = "https://example.com/fw.git", rev = "{SHA}"}}')
    )
    out = rewrite_pyproject(text, {"fw": Pin(version="0.2.0")})
    assert 'Fw = "==0.2.0"' in out and 'fw = {version = "==0.2.0", extras = ["speed"]}' in out
    assert out.endswith('[tool.other]\nfw = "^0.1"\n')


def test_tag_rule_maps_with_positional_and_named_groups() -> None:
    assert TagRule(re.compile(r"v1\.(\d+)\.(\d+)"), "v0.{0}.{1}").map("v1.4.2") == "v0.4.2"
    assert TagRule(re.compile(r"v1\.(\d+)\.(\d+)"), "v0.{0}.{1}").map("v1.4.2-rc1") is None
    assert (
        TagRule(re.compile(r"kubernetes-1\.(?P<minor>\d+)\.(?P<patch>\d+)"), "v0.{minor}.{patch}").map(
            "kubernetes-1.30.2"
        )
        == "v0.30.2"
    )


def test_local_path_recognises_local_and_remote_urls() -> None:
    assert local_path("/srv/x.git") == Path("/srv/x.git")
    assert local_path("file:///srv/x.git") == Path("/srv/x.git")
    for remote in ("https://h/x.git", "ssh://h/x.git", "git@h:x.git", "git://127.0.0.1:9418/x.git"):
        assert local_path(remote) is None


def test_objects_written_in_process_are_what_git_would_write(tmp_path: Path, git_env: dict[str, str]) -> None:
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "r.git")], check=True)
    writer = ObjectWriter(tmp_path / "r.git" / "objects")
    blob = writer.write("blob", b"hello\n")
    expected = (
        subprocess.run(["git", "hash-object", "--stdin"], input=b"hello\n", capture_output=True, check=True)
        .stdout.decode()
        .strip()
    )
    assert blob == expected
    tree = writer.write("tree", format_tree([(b"100644", b"a.txt", blob)]))
    listing = subprocess.run(
        ["git", "ls-tree", tree], cwd=tmp_path / "r.git", capture_output=True, text=True, check=True
    ).stdout
    assert listing == f"100644 blob {blob}\ta.txt\n"
    raw = subprocess.run(
        ["git", "cat-file", "tree", tree], cwd=tmp_path / "r.git", capture_output=True, check=True
    ).stdout
    assert parse_tree(raw) == [(b"100644", b"a.txt", blob)]
    subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"], cwd=tmp_path / "r.git", check=True, capture_output=True
    )


def test_parse_commit_keeps_identity_and_encoding_and_drops_signatures() -> None:
    raw = (
        b"tree " + SHA.encode() + b"\nparent " + SHA.encode() + b"\nauthor A <a@b> 1 +0000\n"
        b"committer C <c@d> 2 +0100\nencoding ISO-8859-1\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n"
        b" abc\n -----END PGP SIGNATURE-----\n\nmessage\n"
    )
    tree, headers, message = parse_commit(raw)
    assert tree == SHA
    assert headers == [b"author A <a@b> 1 +0000", b"committer C <c@d> 2 +0100", b"encoding ISO-8859-1"]
    assert message == b"message\n"


def test_pack_writer_writes_a_pack_git_verifies(tmp_path: Path, git_env: dict[str, str]) -> None:
    repo = tmp_path / "r.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    writer = PackWriter(repo / "objects")
    blobs = [writer.write("blob", f"blob {i}\n".encode() * (i + 1)) for i in range(100)]
    tree = writer.write(
        "tree", format_tree(sorted((b"100644", f"f{i:03}".encode(), b) for i, b in enumerate(blobs)))
    )
    writer.flush()
    packs = list((repo / "objects" / "pack").glob("pack-*.idx"))
    assert len(packs) == 1 and not list((repo / "objects").glob("??/*"))  # one pack, nothing loose
    subprocess.run(["git", "verify-pack", str(packs[0])], check=True, capture_output=True)
    subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=repo, check=True, capture_output=True)
    shown = subprocess.run(
        ["git", "cat-file", "-p", f"{tree}:f042"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert shown == "blob 42\n" * 43
    # A small batch is written loose.
    small = writer.write("blob", b"small\n")
    writer.flush()
    assert (repo / "objects" / small[:2] / small[2:]).is_file()


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [
        ("fatal: unable to connect to example.org:\nexample.org[0: 1.2.3.4]: errno=Connection refused", True),
        ("error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502", True),
        ("fatal: the remote end hung up unexpectedly", True),
        # what git prints when a server refuses a push as too large: the dropped connection after the 413
        # is no reason to send the same pack again
        (
            "error: RPC failed; HTTP 413 curl 22 The requested URL returned error: 413\n"
            "send-pack: unexpected disconnect while reading sideband packet\n"
            "fatal: the remote end hung up unexpectedly",
            False,
        ),
        (
            "fatal: unable to access 'https://example.org/x.git/': The requested URL returned error: 403",
            False,
        ),
        ("fatal: remote error: access denied or repository not exported: /x.git", False),
    ],
)
def test_only_transport_failures_are_transient(stderr: str, expected: bool) -> None:
    assert transient(GitError(["git", "push"], 1, stderr)) is expected
