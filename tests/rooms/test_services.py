"""The room services of the deliberation domain: the speakers' queue and the focus."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from deliberation import services
from deliberation.models import Goal, HandRaise, RoomEvent
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from tests.factories import Room

pytestmark = [pytest.mark.django_db]


def _actor(room: Room, persona: str) -> Any:
    return AnonymousUser() if persona == "anonymous" else getattr(room, persona)


def _last_event(room: Room) -> RoomEvent:
    return RoomEvent.objects.filter(circle=room.circle).order_by("-seq").first()  # type: ignore[return-value]


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
def test_viewers_cannot_raise_a_hand(room: Room, persona: str) -> None:
    with pytest.raises(Forbidden):
        services.hand_raise(actor=_actor(room, persona), circle=room.circle)
    assert not HandRaise.objects.exists()


@pytest.mark.parametrize("persona", ["expert", "drafter", "outsider", "anonymous"])
def test_only_moderators_give_the_floor(room: Room, persona: str) -> None:
    services.hand_raise(actor=room.expert2, circle=room.circle)
    with pytest.raises(Forbidden):
        services.hand_next(actor=_actor(room, persona), circle=room.circle)
    assert HandRaise.objects.get().state == HandRaise.State.WAITING


@pytest.mark.parametrize("persona", ["expert", "drafter", "outsider", "anonymous"])
def test_only_moderators_set_the_focus(room: Room, persona: str) -> None:
    with pytest.raises(Forbidden):
        services.focus_set(actor=_actor(room, persona), circle=room.circle, goal_id=room.goal.pk)
    room.circle.refresh_from_db()
    assert room.circle.focus_goal_id is None


def test_raising_records_the_queue(room: Room) -> None:
    services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_raise(actor=room.drafter, circle=room.circle)
    event = _last_event(room)
    assert event.kind == "hand.raised"
    assert [h["user"]["id"] for h in event.payload["queue"]] == [room.expert.pk, room.drafter.pk]
    assert event.payload["hand"]["user"]["id"] == room.drafter.pk


def test_a_hand_can_be_raised_again_after_it_was_lowered(room: Room) -> None:
    services.hand_raise(actor=room.expert, circle=room.circle)
    with pytest.raises(Conflict):
        services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_lower(actor=room.expert, circle=room.circle)
    with pytest.raises(Conflict):
        services.hand_lower(actor=room.expert, circle=room.circle)
    services.hand_raise(actor=room.expert, circle=room.circle)
    assert HandRaise.objects.filter(user=room.expert).count() == 2


def test_the_speaker_can_lower_their_hand(room: Room) -> None:
    services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_next(actor=room.moderator, circle=room.circle)
    lowered = services.hand_lower(actor=room.expert, circle=room.circle)
    assert lowered.state == HandRaise.State.LOWERED
    assert _last_event(room).payload["queue"] == []


def test_moderator_lowering_a_hand_that_is_not_up_is_a_conflict(room: Room) -> None:
    with pytest.raises(Conflict):
        services.hand_lower(actor=room.moderator, circle=room.circle, user_id=room.expert.pk)


def test_hand_lower_checks_the_user_type(room: Room) -> None:
    with pytest.raises(Invalid):
        services.hand_lower(actor=room.moderator, circle=room.circle, user_id="1")  # type: ignore[arg-type]


def test_focus_on_a_goal_of_another_field_is_not_found(room: Room) -> None:
    from tests.factories import make_room

    other = make_room()
    with pytest.raises(NotFound):
        services.focus_set(actor=room.moderator, circle=room.circle, goal_id=other.goal.pk)


def test_focus_on_a_goal_in_vote_is_a_conflict(room: Room) -> None:
    services.goal_transition(actor=None, goal=room.goal, to_status=Goal.Status.IN_VOTE)
    with pytest.raises(Conflict):
        services.focus_set(actor=room.moderator, circle=room.circle, goal_id=room.goal.pk)


def test_setting_the_same_focus_records_nothing(room: Room) -> None:
    services.focus_set(actor=room.moderator, circle=room.circle, goal_id=room.goal.pk)
    count = RoomEvent.objects.count()
    services.focus_set(actor=room.moderator, circle=room.circle, goal_id=room.goal.pk)
    assert RoomEvent.objects.count() == count
