"""The drafting events (anchors.placed, goal.plain_text_set): a stale snapshot plus the
events equals a fresh snapshot (tests.rooms.test_snapshots.verify_action)."""

from __future__ import annotations

import pytest

from deliberation import plain, services
from tests.factories import Room
from tests.rooms.test_snapshots import verify_action

pytestmark = [pytest.mark.django_db]


def test_anchors_placed_updates_the_comments_placement(room: Room) -> None:
    services.comment_post(
        actor=room.expert,
        circle=room.circle,
        goal_id=room.goal.pk,
        body="Zum ersten Absatz, Zeile 1.",
        client_key="a",
        anchor_paragraph=1,
        anchor_quote="Erster Absatz.",
    )
    verify_action(
        room,
        lambda: services.goal_version_create(
            actor=room.drafter, goal=room.goal, text="Neu.\n\nErster Absatz.\n\nZweiter Absatz."
        ),
        "goal.version_published",
        "anchors.placed",
    )


def test_plain_text_set_updates_the_goals_version(room: Room) -> None:
    verify_action(
        room,
        lambda: plain.plain_text_set(actor=room.drafter, goal_id=room.goal.pk, text="Leicht."),
        "goal.plain_text_set",
    )
