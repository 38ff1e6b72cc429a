"""Publish only after commit: an event whose transaction rolls back reaches no socket, and
one that commits reaches every socket once. ``record_event`` hands the broadcast to
``transaction.on_commit``; publishing at once would show watchers a change that never
happened (a phantom ``goal.status_changed`` from a motion that failed to open)."""

from __future__ import annotations

import pytest
from django.db import transaction

from deliberation import services
from deliberation.models import Comment, Goal, RoomEvent
from tests.factories import Room
from tests.rooms.conftest import Join
from tests.rooms.support import adb

pytestmark = [pytest.mark.django_db(transaction=True)]


class Abort(Exception):
    pass


def _comment_then_fail(room: Room) -> None:
    with transaction.atomic():
        services.comment_post(
            actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Nie gesagt"
        )
        services.goal_transition(
            actor=room.moderator, goal=room.goal, to_status=Goal.Status.REVISED
        )
        raise Abort


async def test_a_rolled_back_change_reaches_no_socket(room: Room, join: Join) -> None:
    watcher = await join("anonymous")
    moderator = await join("moderator")
    events_before = await adb(RoomEvent.objects.filter(circle=room.circle).count)()

    with pytest.raises(Abort):
        await adb(_comment_then_fail)(room)

    assert await watcher.hears_nothing()
    assert await moderator.hears_nothing()
    assert not await adb(Comment.objects.filter(circle=room.circle).exists)()
    assert await adb(RoomEvent.objects.filter(circle=room.circle).count)() == events_before


async def test_the_same_change_committed_reaches_every_socket_once(room: Room, join: Join) -> None:
    watcher = await join("anonymous")

    await adb(services.comment_post)(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Gesagt"
    )

    event = await watcher.recv_event("comment.created")
    assert event["data"]["comment"]["body_html"].strip() == "<p>Gesagt</p>"
    assert await watcher.hears_nothing()
