"""The room's socket and a private expert circle's field drafters: the working group's
drafter enters as a viewer who may evaluate and revise (the same rule as the page and the
API, ``tests/deliberation/test_field_drafter_access.py``); a drafter of another field, an
expert of the working group, an outsider and an anonymous visitor are refused with 4403."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from deliberation import services
from deliberation.models import Circle, Membership
from tests.factories import Room, make_circle, make_field, make_user
from tests.rooms.conftest import session_cookie
from tests.rooms.support import Socket, adb, room_path

pytestmark = [pytest.mark.django_db(transaction=True)]

OpenSocket = Callable[..., Awaitable[Socket]]


def _people(room: Room) -> dict[str, str | None]:
    group = make_circle(
        room.circle.action_field, kind=Circle.Kind.WORKING_GROUP, slug=f"{room.circle.slug}-ag"
    )
    other = make_circle(make_field(), kind=Circle.Kind.WORKING_GROUP)
    users = {name: make_user() for name in ("field_drafter", "other_drafter", "group_expert")}
    Membership.objects.create(user=users["field_drafter"], circle=group, role="drafter")
    Membership.objects.create(user=users["other_drafter"], circle=other, role="drafter")
    Membership.objects.create(user=users["group_expert"], circle=group, role="expert")
    cookies: dict[str, str | None] = {name: session_cookie(u) for name, u in users.items()}
    cookies["outsider"] = session_cookie(room.outsider)
    cookies["anonymous"] = None
    return cookies


async def test_the_fields_drafter_follows_a_private_room_as_an_evaluating_viewer(
    private_room: Room, open_socket: OpenSocket
) -> None:
    cookies = await adb(_people)(private_room)
    socket = await open_socket(room_path(private_room.circle.slug), cookie=cookies["field_drafter"])
    welcome = await socket.recv()
    assert welcome["type"] == "welcome"
    assert welcome["role"] == "viewer"
    assert welcome["may"] == {"moderate": False, "evaluate": True, "revise": True}
    assert [goal["id"] for goal in welcome["snapshot"]["goals"]] == [private_room.goal.pk]


@pytest.mark.parametrize("persona", ["other_drafter", "group_expert", "outsider", "anonymous"])
async def test_everyone_else_is_refused_a_private_room(
    private_room: Room, open_socket: OpenSocket, persona: str
) -> None:
    cookies: dict[str, Any] = await adb(_people)(private_room)
    socket = await open_socket(room_path(private_room.circle.slug), cookie=cookies[persona])
    assert await socket.closed_with() == 4403


def _drop_drafter(room: Room) -> None:
    membership = Membership.objects.get(circle__slug=f"{room.circle.slug}-ag", role="drafter")
    services.membership_remove(actor=None, membership=membership)


async def test_a_drafter_removed_from_the_working_group_stops_hearing_the_private_room(
    private_room: Room, open_socket: OpenSocket
) -> None:
    cookies = await adb(_people)(private_room)
    moderator_cookie = await adb(session_cookie)(private_room.moderator)
    path = room_path(private_room.circle.slug)
    drafter = await open_socket(path, cookie=cookies["field_drafter"])
    assert (await drafter.recv())["role"] == "viewer"
    moderator = await open_socket(path, cookie=moderator_cookie)
    assert (await moderator.recv())["type"] == "welcome"

    await adb(_drop_drafter)(private_room)

    # The expert circle's room hears it (its hub closes the drafter's socket at once) ...
    assert await drafter.closed_with() == 4410
    event = await moderator.recv_event("member.field_access")
    assert event["data"]["person"]["name"]
    # ... and the drafter, reconnecting, is refused like any stranger.
    again = await open_socket(path, cookie=cookies["field_drafter"])
    assert await again.closed_with() == 4403
