"""Revocation reaches open sockets at once (issue 12): a member removed from a private room
stops hearing it, a changed role gets the new role's view, a deactivated account can send
nothing more. The hub closes the person's sockets with 4410 when it delivers the ``member.*``
event; every command re-reads the account and its role, whatever the hub has heard yet."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from deliberation import services
from deliberation.models import Comment, Membership
from tests.factories import Room, make_room, make_user
from tests.rooms.conftest import Cookies
from tests.rooms.support import Socket, adb, room_path

pytestmark = [pytest.mark.django_db(transaction=True)]

ACCESS_CHANGED = 4410

Enter = Callable[..., Awaitable[Socket]]


@pytest.fixture(params=[False, True], ids=["private", "public"])
def room(request: pytest.FixtureRequest, db: None) -> Room:
    return make_room(is_public=request.param)


@pytest.fixture
def enter(room: Room, cookies: Cookies, open_socket: Any) -> Enter:
    async def enter_(persona: str, *, expect: str | None = None) -> Socket:
        socket: Socket = await open_socket(
            room_path(room.circle.slug), cookie=await cookies.of(persona)
        )
        socket.welcome = await socket.recv()
        assert socket.welcome["type"] == "welcome", socket.welcome
        if expect is not None:
            assert socket.welcome["role"] == expect
        return socket

    return enter_


@pytest.fixture
def staff() -> Any:
    return make_user(is_staff=True)


def _post(room: Room, author: Any, key: str) -> None:
    services.comment_post(
        actor=author, circle=room.circle, goal_id=room.goal.pk, body=key, client_key=key
    )


def _remove(room: Room, user: Any) -> None:
    for membership in Membership.objects.filter(user=user, circle=room.circle):
        services.membership_remove(actor=room.moderator, membership=membership)


async def test_a_removed_member_stops_hearing_the_room_at_once(
    room: Room, enter: Enter, cookies: Cookies, open_socket: Any
) -> None:
    expert = await enter("expert", expect="expert")
    moderator = await enter("moderator")
    await adb(_post)(room, room.moderator, "before")
    assert (await expert.recv_event("comment.created"))["data"]["comment"]["body"] == "before"
    await moderator.recv_event("comment.created")

    await adb(_remove)(room, room.expert)
    assert await expert.closed_with() == ACCESS_CHANGED
    await moderator.recv_event("member.removed")
    await adb(_post)(room, room.moderator, "confidential")
    assert (await moderator.recv_event("comment.created"))["data"]["comment"]["body"]

    # Reconnecting: a private room refuses the former member, a public one shows a viewer.
    again: Socket = await open_socket(room_path(room.circle.slug), cookie=cookies["expert"])
    if room.circle.is_public:
        welcome = await again.recv()
        assert (welcome["type"], welcome["role"]) == ("welcome", "viewer")
    else:
        assert await again.closed_with() == 4403


async def test_other_sockets_keep_hearing_when_one_member_is_removed(
    room: Room, enter: Enter
) -> None:
    expert = await enter("expert")
    drafter = await enter("drafter")
    await adb(_remove)(room, room.expert)
    assert await expert.closed_with() == ACCESS_CHANGED
    event = await drafter.recv_event("member.removed")
    assert event["data"] == {
        "person": {"id": room.expert.pk, "name": room.expert.get_full_name()},
        "role": "expert",
    }
    assert await drafter.hears_nothing()


async def test_a_changed_role_reconnects_to_the_new_roles_view(room: Room, enter: Enter) -> None:
    expert = await enter("expert", expect="expert")

    def promote() -> None:
        membership = Membership.objects.get(user=room.expert, circle=room.circle)
        services.membership_change_role(
            actor=room.moderator, membership=membership, role="moderator"
        )

    await adb(promote)()
    assert await expert.closed_with() == ACCESS_CHANGED
    await enter("expert", expect="moderator")


async def test_a_new_membership_reconnects_the_persons_sockets(
    room: Room, enter: Enter, cookies: Cookies, open_socket: Any
) -> None:
    if not room.circle.is_public:
        pytest.skip("an outsider has no socket in a private room")
    outsider = await enter("outsider", expect="viewer")
    await adb(services.membership_add)(
        actor=room.moderator, user=room.outsider, circle=room.circle, role="expert"
    )
    assert await outsider.closed_with() == ACCESS_CHANGED
    await enter("outsider", expect="expert")


async def test_a_deactivated_account_is_disconnected(room: Room, enter: Enter, staff: Any) -> None:
    expert = await enter("expert")
    other = await enter("expert2")
    await adb(services.account_set_active)(actor=staff, user=room.expert, is_active=False)
    assert await expert.closed_with() == ACCESS_CHANGED
    assert (await other.recv_event("member.deactivated"))["data"]["person"]["id"] == room.expert.pk


async def test_a_deactivated_account_cannot_post_over_its_open_socket_even_unannounced(
    room: Room, enter: Enter
) -> None:
    """The attack: the account was deactivated (here behind the services' back, as if the
    event had not reached this process yet) and the open socket keeps posting."""
    expert = await enter("expert")
    await adb(get_user_model().objects.filter(pk=room.expert.pk).update)(is_active=False)
    await expert.send(
        {
            "type": "comment.post",
            "id": "x",
            "goal": room.goal.pk,
            "body": "still here?",
            "client_key": "x",
        }
    )
    assert await expert.closed_with() == ACCESS_CHANGED
    assert await adb(Comment.objects.count)() == 0


async def test_a_removed_member_cannot_command_over_its_open_socket_even_unannounced(
    room: Room, enter: Enter
) -> None:
    expert = await enter("expert")
    await adb(Membership.objects.filter(user=room.expert, circle=room.circle).delete)()
    await expert.send({"type": "hand.raise", "id": "h"})
    assert await expert.closed_with() == ACCESS_CHANGED


async def test_the_hub_closes_the_sockets_also_when_the_event_comes_from_the_log(
    room: Room, enter: Enter, registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process removed the member and its broadcast was lost: the poll finds it."""
    from deliberation import eventlog

    expert = await enter("expert")
    monkeypatch.setattr(eventlog, "publish_event", lambda event: None)
    await adb(_remove)(room, room.expert)
    assert await expert.hears_nothing()
    await registry.tick()
    assert await expert.closed_with() == ACCESS_CHANGED


async def test_a_removed_members_open_socket_in_another_room_stays(
    room: Room, enter: Enter, cookies: Cookies, open_socket: Any
) -> None:
    other = await adb(make_room)()
    await adb(services.membership_add)(
        actor=None, user=room.expert, circle=other.circle, role="expert"
    )
    there: Socket = await open_socket(
        room_path(other.circle.slug), cookie=await cookies.of("expert")
    )
    assert (await there.recv())["type"] == "welcome"
    expert = await enter("expert")
    await adb(_remove)(room, room.expert)
    assert await expert.closed_with() == ACCESS_CHANGED
    assert await there.hears_nothing()
