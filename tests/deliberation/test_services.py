from __future__ import annotations

import pytest

from deliberation import services
from deliberation.models import Comment, Goal, GoalStatusChange, RoomEvent
from kernel.errors import Conflict, Forbidden, Invalid
from tests.factories import Room, make_room

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Goal.Status.DRAFT, Goal.Status.ADOPTED),
        (Goal.Status.DRAFT, Goal.Status.IN_VOTE),
        (Goal.Status.IN_DISCUSSION, Goal.Status.ADOPTED),
        (Goal.Status.IN_DISCUSSION, Goal.Status.DRAFT),
    ],
)
def test_illegal_goal_transition_is_refused_and_changes_nothing(
    room: Room, start: str, target: str
) -> None:
    goal = services.goal_create(
        actor=None, action_field=room.circle.action_field, title="T", text="x"
    )
    if start != Goal.Status.DRAFT:
        services.goal_transition(actor=None, goal=goal, to_status=start)
    before = GoalStatusChange.objects.count()
    with pytest.raises(Conflict):
        services.goal_transition(actor=room.moderator, goal=goal, to_status=target)
    goal.refresh_from_db()
    assert goal.status == start
    assert GoalStatusChange.objects.count() == before


def test_goal_walks_its_whole_life_cycle_and_keeps_the_trail(room: Room) -> None:
    goal = room.goal
    for target in (Goal.Status.REVISED, Goal.Status.IN_VOTE, Goal.Status.ADOPTED):
        services.goal_transition(actor=room.moderator, goal=goal, to_status=target)
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ADOPTED
    trail = list(goal.status_changes.values_list("to_status", flat=True))
    assert trail == ["in_discussion", "revised", "in_vote", "adopted"]


@pytest.mark.parametrize("who", ["expert", "drafter", "outsider"])
def test_only_moderators_change_goal_status(room: Room, who: str) -> None:
    with pytest.raises(Forbidden):
        services.goal_transition(
            actor=getattr(room, who), goal=room.goal, to_status=Goal.Status.REVISED
        )


def test_withdrawing_needs_a_reason(room: Room) -> None:
    with pytest.raises(Invalid):
        services.goal_transition(
            actor=room.moderator, goal=room.goal, to_status=Goal.Status.WITHDRAWN
        )


def test_comment_post_records_one_event_with_the_next_seq(room: Room) -> None:
    seq = room.circle.event_seq
    comment, created = services.comment_post(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="**Gut**", client_key="k1"
    )
    assert created
    assert comment.body_html == "<p><strong>Gut</strong></p>"
    event = RoomEvent.objects.get(circle=room.circle, seq=seq + 1)
    assert event.kind == "comment.created"
    assert event.payload["comment"]["id"] == comment.pk


def test_comment_post_with_same_client_key_creates_nothing(room: Room) -> None:
    first, _ = services.comment_post(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Hallo", client_key="k"
    )
    events = RoomEvent.objects.count()
    again, created = services.comment_post(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Hallo", client_key="k"
    )
    assert not created and again.pk == first.pk
    assert Comment.objects.count() == 1
    assert RoomEvent.objects.count() == events


def test_a_client_key_used_in_another_room_is_refused_not_answered_with_that_comment(
    room: Room,
) -> None:
    services.comment_post(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Hier", client_key="k"
    )
    other = make_room()
    services.membership_add(actor=None, user=room.expert, circle=other.circle, role="expert")
    events = RoomEvent.objects.count()
    with pytest.raises(Conflict) as refused:
        services.comment_post(
            actor=room.expert,
            circle=other.circle,
            goal_id=other.goal.pk,
            body="Dort",
            client_key="k",
        )
    assert refused.value.field == "client_key"
    assert list(Comment.objects.values_list("body", flat=True)) == ["Hier"]
    assert RoomEvent.objects.count() == events


@pytest.mark.parametrize("who", ["outsider"])
def test_outsider_cannot_comment(room: Room, who: str) -> None:
    with pytest.raises(Forbidden):
        services.comment_post(
            actor=getattr(room, who), circle=room.circle, goal_id=room.goal.pk, body="x"
        )
    assert not Comment.objects.exists()


def test_overlong_comment_is_refused(room: Room) -> None:
    with pytest.raises(Invalid):
        services.comment_post(
            actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="x" * 5001
        )
    assert not Comment.objects.exists()


def test_hidden_comment_body_reaches_moderators_only(room: Room) -> None:
    comment, _ = services.comment_post(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="geheim"
    )
    services.comment_set_visibility(
        actor=room.moderator, circle=room.circle, comment_id=comment.pk, hidden=True, reason="OT"
    )
    event = RoomEvent.objects.filter(kind="comment.hidden").get()
    assert event.payload["comment"]["body"] is None
    assert event.moderator_payload is not None
    assert event.moderator_payload["comment"]["body"] == "geheim"
