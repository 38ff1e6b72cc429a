"""Anchors carried through the diff (deliberation.anchoring, deliberation.anchors)."""

from __future__ import annotations

import time

import pytest

from deliberation import anchoring, services
from deliberation.models import AnchorPlacement, Comment, RoomEvent
from tests.factories import Room, make_goal

TEXT = (
    "Wir bauen Sprachkurse aus. Jede Schule bekommt eine Lotsin.\n\n"
    "Die Stadt fördert Vereine. Sie prüft jedes Jahr den Bedarf."
)


def _post(room: Room, paragraph: int, quote: str) -> Comment:
    comment, _created = services.comment_post(
        actor=room.expert,
        circle=room.circle,
        goal_id=room.goal.pk,
        body="Dazu eine Anmerkung.",
        anchor_paragraph=paragraph,
        anchor_quote=quote,
    )
    return comment


def _placement(comment: Comment) -> AnchorPlacement:
    return AnchorPlacement.objects.filter(comment=comment).latest("version__number")


@pytest.fixture
def drafted(room: Room) -> Room:
    room.goal = make_goal(room.circle.action_field, text=TEXT)
    return room


@pytest.mark.django_db
def test_comment_keeps_the_context_of_its_quote(drafted: Room) -> None:
    comment = _post(drafted, 1, "Jede Schule bekommt eine Lotsin.")
    assert comment.anchor_prefix == "Wir bauen Sprachkurse aus. "
    assert comment.anchor_suffix == ""


@pytest.mark.django_db
def test_unchanged_sentence_is_carried_moved_one_is_moved_deleted_one_orphaned(
    drafted: Room,
) -> None:
    same = _post(drafted, 2, "Die Stadt fördert Vereine.")
    moving = _post(drafted, 1, "Jede Schule bekommt eine Lotsin.")
    deleted = _post(drafted, 2, "Sie prüft jedes Jahr den Bedarf.")
    services.goal_version_create(
        actor=drafted.drafter,
        goal=drafted.goal,
        text="Wir bauen Sprachkurse aus.\n\n"
        "Die Stadt fördert Vereine. Jede Schule bekommt eine Lotsin.",
    )
    assert _placement(same).state == "carried"
    moved = _placement(moving)
    assert (moved.state, moved.paragraph) == ("moved", 2)
    version = drafted.goal.versions.get(number=2)
    assert version.paragraphs[1][moved.start : moved.end] == "Jede Schule bekommt eine Lotsin."
    assert _placement(deleted).state == "orphaned"
    event = RoomEvent.objects.filter(circle=drafted.circle, kind="anchors.placed").get()
    states = {p["comment"]: p["state"] for p in event.payload["placements"]}
    assert states == {same.pk: "carried", moving.pk: "moved", deleted.pk: "orphaned"}


@pytest.mark.django_db
def test_placement_follows_the_comment_over_two_versions(drafted: Room) -> None:
    comment = _post(drafted, 1, "Jede Schule bekommt eine Lotsin.")
    goal = drafted.goal
    services.goal_version_create(actor=None, goal=goal, text="Neu davor.\n\n" + TEXT)
    services.goal_version_create(actor=None, goal=goal, text="Neu davor.\n\n" + TEXT + "\n\nEnde.")
    placed = AnchorPlacement.objects.filter(comment=comment).order_by("version__number")
    assert [(p.version.number, p.state, p.paragraph) for p in placed] == [
        (2, "carried", 2),
        (3, "carried", 2),
    ]


def test_changed_wording_is_found_by_the_fuzzy_step_as_moved() -> None:
    old = ["Die Stadt fördert alle Vereine im Quartier jedes Jahr mit Geld."]
    new = ["Die Stadt fördert alle Vereine im Viertel jedes Jahr mit Geld."]
    found = anchoring.place(anchoring.Anchor(1, old[0]), old, new)
    assert found.state == "moved"
    assert found.paragraph == 1


def test_context_decides_between_repeated_quotes() -> None:
    old = ["A sagt ja. B sagt nein.", "C sagt ja. D sagt nein."]
    new = ["C sagt ja. D sagt nein.", "A sagt ja. B sagt nein."]
    anchor = anchoring.Anchor(2, "sagt nein.", prefix="C sagt ja. D ")
    found = anchoring.place(anchor, old, new)
    assert (found.state, found.paragraph, found.start) == ("moved", 1, 13)


def test_hostile_input_stays_fast() -> None:
    """Nothing a user can send makes the search slow: a 500-character quote of repeated
    words against a long text of the same words, with no exact match."""
    quote = ("aa " * 166)[:499] + "z"
    text = ["aa " * 20000]
    begun = time.perf_counter()
    anchoring.place(anchoring.Anchor(1, quote), ["x"], text)
    assert time.perf_counter() - begun < 2.0
