"""The refusal rules of a sync on their own: pure functions of facts, no git needed."""

from __future__ import annotations

import pytest

from publish.decide import HeadFacts, OwnState, Planned, dependency_refusal, ownership, update_refusal

SRC = "a" * 40
HEAD = "b" * 40


def facts(**changes: object) -> HeadFacts:
    base = {
        "package": "prov",
        "branch": "main",
        "source_branch": "main",
        "head": HEAD,
        "source": SRC,
        "source_exists": True,
        "on_branch": True,
        "tree_matches": True,
    }
    base.update(changes)
    return HeadFacts(**base)  # type: ignore[arg-type]


def test_a_head_published_from_this_branch_with_this_folder_is_ours() -> None:
    assert ownership(facts()) is None


@pytest.mark.parametrize(
    ("changes", "kind", "words"),
    [
        (
            {"foreign": ("c" * 40 + " fix",)},
            "foreign",
            "commits the publisher did not make: " + "c" * 40 + " fix",
        ),
        ({"source": None}, "foreign", f"did not make: {HEAD}"),
        (
            {"on_branch": False},
            "rewritten",
            f"source commit {SRC}, which is no longer on source branch 'main'",
        ),
        ({"source_exists": False, "on_branch": False}, "rewritten", "which this repository does not have"),
        ({"tree_matches": False, "other_package": "fw"}, "other-package", "holds package 'fw''s history"),
        ({"tree_matches": False}, "edited", f"is not what the publisher made from source commit {SRC[:12]}"),
    ],
)
def test_each_case_that_is_not_ours_is_named(changes: dict[str, object], kind: str, words: str) -> None:
    refusal = ownership(facts(**changes))
    assert refusal is not None and refusal.kind == kind
    assert words in refusal.message and "TIP: `--force prov:main`" in refusal.message


def test_foreign_commits_are_listed_three_then_counted() -> None:
    refusal = ownership(facts(foreign=tuple(f"{i} c{i}" for i in range(5))))
    assert refusal is not None and "0 c0, 1 c1, 2 c2 and 2 more;" in refusal.message


def test_updates_move_branches_forward_only_and_tags_never_unless_forced_by_name() -> None:
    ok = Planned("refs/heads/main", "1" * 40, "2" * 40, forced=False, fast_forward=True)
    new = Planned("refs/tags/v1", None, "2" * 40, forced=False, fast_forward=True)
    assert update_refusal("fw", [ok, new]) is None
    back = Planned("refs/heads/rel", "1" * 40, "3" * 40, forced=False, fast_forward=False)
    refusal = update_refusal("fw", [ok, back])
    assert refusal is not None and refusal.kind == "not-ancestor" and "`--force fw:rel`" in refusal.message
    moved = Planned("refs/tags/v1", "1" * 40, "2" * 40, forced=False, fast_forward=True)
    refusal = update_refusal("fw", [moved])
    assert refusal is not None and refusal.kind == "tag-moved" and "`--force fw:v1`" in refusal.message
    assert update_refusal("fw", [Planned("refs/tags/v1", "1" * 40, "2" * 40, True, True)]) is None


def test_a_dependant_says_why_and_where_its_own_destination_stands() -> None:
    assert dependency_refusal("fw", None) == "not published: its dependency 'fw' failed"
    fine = dependency_refusal("fw", OwnState([], {"main": SRC, "rel": None}))
    assert fine.endswith(f"in order (main published up to source commit {SRC[:12]}, rel not published yet)")
    bad = ownership(facts(on_branch=False))
    assert bad is not None
    assert dependency_refusal("fw", OwnState([bad], {"main": SRC})).endswith(bad.message)
