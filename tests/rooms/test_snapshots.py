"""For each event kind: a stale snapshot plus the events since equals a fresh snapshot, for
the redacted view and the moderators' view alike (Zulip's ``verify_action``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from deliberation import services
from deliberation.models import Goal
from rooms import presence
from rooms.replay import events_after
from rooms.snapshots import read_snapshot
from tests.factories import Room
from tests.rooms.support import apply_event

pytestmark = [pytest.mark.django_db]


def verify_action(room: Room, action: Callable[[], Any], *kinds: str) -> None:
    """Run ``action``; check it recorded events of ``kinds`` and that applying them to the
    snapshot from before gives the snapshot from after, in both views."""
    before = read_snapshot(room.circle.pk)
    action()
    after = read_snapshot(room.circle.pk)
    events = events_after(room.circle.pk, before.seq, limit=1000)
    assert [e.seq for e in events] == list(range(before.seq + 1, after.seq + 1))
    for view in ("public", "moderator"):
        state = json.loads(getattr(before, view))
        seen = []
        for event in events:
            frame = json.loads(getattr(event, view))
            seen.append(frame["kind"])
            state = apply_event(state, frame["kind"], frame["data"])
        assert tuple(seen) == kinds
        assert state == json.loads(getattr(after, view)), view


def _post(room: Room, body: str = "Kommentar", key: str = "k", **extra: Any) -> int:
    comment, _ = services.comment_post(
        actor=room.expert,
        circle=room.circle,
        goal_id=room.goal.pk,
        body=body,
        client_key=key,
        **extra,
    )
    return comment.pk


def test_comment_created(room: Room) -> None:
    first = _post(room, key="first")
    verify_action(
        room,
        lambda: _post(
            room, "Antwort", "reply", reply_to=first, anchor_paragraph=2, anchor_quote="Zweiter"
        ),
        "comment.created",
    )


def test_comment_edited(room: Room) -> None:
    comment = _post(room)
    verify_action(
        room,
        lambda: services.comment_edit(
            actor=room.expert, circle=room.circle, comment_id=comment, body="Neu"
        ),
        "comment.edited",
    )


def test_comment_hidden_and_unhidden(room: Room) -> None:
    comment = _post(room)

    def hide() -> None:
        services.comment_set_visibility(
            actor=room.moderator, circle=room.circle, comment_id=comment, hidden=True, reason="r"
        )

    def unhide() -> None:
        services.comment_set_visibility(
            actor=room.moderator, circle=room.circle, comment_id=comment, hidden=False, reason="s"
        )

    verify_action(room, hide, "comment.hidden")
    verify_action(room, unhide, "comment.unhidden")


def test_comment_edited_while_hidden(room: Room) -> None:
    comment = _post(room)
    services.comment_set_visibility(
        actor=room.moderator, circle=room.circle, comment_id=comment, hidden=True, reason="r"
    )
    verify_action(
        room,
        lambda: services.comment_edit(
            actor=room.expert, circle=room.circle, comment_id=comment, body="Entschärft"
        ),
        "comment.edited",
    )


def test_hand_raised_lowered_and_next(room: Room) -> None:
    verify_action(
        room, lambda: services.hand_raise(actor=room.expert, circle=room.circle), "hand.raised"
    )
    services.hand_raise(actor=room.drafter, circle=room.circle)
    verify_action(
        room, lambda: services.hand_next(actor=room.moderator, circle=room.circle), "hand.next"
    )
    verify_action(
        room,
        lambda: services.hand_lower(actor=room.drafter, circle=room.circle),
        "hand.lowered",
    )
    verify_action(
        room, lambda: services.hand_next(actor=room.moderator, circle=room.circle), "hand.next"
    )


def test_focus_changed(room: Room) -> None:
    verify_action(
        room,
        lambda: services.focus_set(actor=room.moderator, circle=room.circle, goal_id=room.goal.pk),
        "focus.changed",
    )
    verify_action(
        room,
        lambda: services.focus_set(actor=room.moderator, circle=room.circle, goal_id=None),
        "focus.changed",
    )


def test_presence_changed(room: Room) -> None:
    local = presence.LocalPresence(
        members=(presence.Member(id=room.expert.pk, name="Expertin", role="expert"),),
        viewer_ids=frozenset({room.outsider.pk}),
        anonymous=2,
    )
    verify_action(
        room,
        lambda: presence.presence_report(circle_id=room.circle.pk, process="p1", local=local),
        "presence.changed",
    )
    later = timezone.now() + timedelta(seconds=120)
    verify_action(
        room,
        lambda: presence.presence_sweep(circle_id=room.circle.pk, now=later),
        "presence.changed",
    )


def test_goal_created_in_the_field(room: Room) -> None:
    verify_action(
        room,
        lambda: services.goal_create(
            actor=None, action_field=room.circle.action_field, title="Neu", text="Text"
        ),
        "goal.created",
    )


def test_goal_leaves_and_reenters_the_discussion(room: Room) -> None:
    _post(room)
    verify_action(
        room,
        lambda: services.goal_transition(
            actor=room.moderator, goal=room.goal, to_status=Goal.Status.REVISED
        ),
        "goal.status_changed",
    )
    verify_action(
        room,
        lambda: services.goal_transition(
            actor=room.moderator, goal=room.goal, to_status=Goal.Status.IN_DISCUSSION
        ),
        "goal.status_changed",
    )


def test_goal_version_published(room: Room) -> None:
    verify_action(
        room,
        lambda: services.goal_version_create(
            actor=room.drafter, goal=room.goal, text="Neuer erster.\n\nNeuer zweiter."
        ),
        "goal.version_published",
    )


def test_snapshot_redacts_hidden_comments_for_the_public_only(room: Room) -> None:
    comment = _post(room, "Geheim")
    services.comment_set_visibility(
        actor=room.moderator, circle=room.circle, comment_id=comment, hidden=True, reason="r"
    )
    snapshot = read_snapshot(room.circle.pk)
    [public] = json.loads(snapshot.public)["comments"]
    [moderator] = json.loads(snapshot.moderator)["comments"]
    assert (public["body"], moderator["body"]) == (None, "Geheim")
    assert snapshot.for_role("moderator") == snapshot.moderator
    assert snapshot.for_role("expert") == snapshot.public
