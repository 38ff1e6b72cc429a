"""Entering a room: roles, the welcome frame, private rooms, unknown rooms, tickets, Origin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rooms.tickets import ticket_issue
from tests.factories import Room, make_room
from tests.rooms.conftest import PERSONAS, ROLE_OF, Cookies, Join, session_cookie
from tests.rooms.support import Socket, adb, room_path

pytestmark = [pytest.mark.django_db(transaction=True)]

OpenSocket = Callable[..., Awaitable[Socket]]


@pytest.mark.parametrize("persona", PERSONAS)
async def test_everybody_enters_a_public_room_with_their_role(
    room: Room, join: Join, persona: str
) -> None:
    socket = await join(persona)
    welcome = socket.welcome
    assert welcome is not None
    assert welcome["protocol"] == 1
    assert welcome["room"] == room.circle.slug
    assert welcome["role"] == ROLE_OF[persona]
    assert welcome["seq"] == room.circle.event_seq
    if persona == "anonymous":
        assert welcome["me"] is None
    else:
        user = getattr(room, persona)
        assert welcome["me"] == {"id": user.pk, "name": user.get_full_name() or user.username}
    assert welcome["heartbeat"] == {"interval": 20, "timeout": 60}
    snapshot = welcome["snapshot"]
    assert snapshot["room"]["slug"] == room.circle.slug
    assert [goal["id"] for goal in snapshot["goals"]] == [room.goal.pk]
    assert snapshot["goals"][0]["version"]["paragraphs"] == [
        "<p>Erster Absatz.</p>",
        "<p>Zweiter Absatz.</p>",
    ]
    assert snapshot["comments"] == []
    assert snapshot["hands"] == []
    assert snapshot["focus"] is None
    assert snapshot["presence"] == {"members": [], "viewers": 0}


@pytest.fixture
def private_cookies(private_room: Room) -> dict[str, str | None]:
    result: dict[str, str | None] = {"anonymous": None}
    for name in ("moderator", "expert", "drafter", "outsider"):
        result[name] = session_cookie(getattr(private_room, name))
    return result


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
async def test_private_room_refuses_non_members_with_4403(
    private_room: Room,
    private_cookies: dict[str, str | None],
    open_socket: OpenSocket,
    persona: str,
) -> None:
    socket = await open_socket(room_path(private_room.circle.slug), cookie=private_cookies[persona])
    assert await socket.closed_with() == 4403


@pytest.mark.parametrize("persona", ["moderator", "expert", "drafter"])
async def test_private_room_lets_its_members_in(
    private_room: Room,
    private_cookies: dict[str, str | None],
    open_socket: OpenSocket,
    persona: str,
) -> None:
    socket = await open_socket(room_path(private_room.circle.slug), cookie=private_cookies[persona])
    welcome = await socket.recv()
    assert welcome["type"] == "welcome"
    assert welcome["role"] == persona


async def test_staff_follow_a_private_room_as_viewers(
    private_room: Room, open_socket: OpenSocket
) -> None:
    staff = await adb(_make_staff)()
    socket = await open_socket(
        room_path(private_room.circle.slug), cookie=await adb(session_cookie)(staff)
    )
    welcome = await socket.recv()
    assert welcome["role"] == "viewer"


def _make_staff() -> Any:
    from tests.factories import make_user

    return make_user(is_staff=True)


async def test_unknown_room_closes_with_4404(room: Room, open_socket: OpenSocket) -> None:
    socket = await open_socket(room_path("gibt-es-nicht"))
    assert await socket.closed_with() == 4404


async def test_handshake_from_a_foreign_origin_is_refused(room: Room) -> None:
    from tests.rooms.support import communicator

    socket = communicator(room_path(room.circle.slug), origin=False)
    socket.scope["headers"].append((b"origin", b"https://evil.example"))
    connected, _code = await socket.connect(timeout=5)
    assert connected is False
    await socket.disconnect()


async def test_handshake_without_origin_is_refused(room: Room) -> None:
    from tests.rooms.support import communicator

    socket = communicator(room_path(room.circle.slug), origin=False)
    connected, _code = await socket.connect(timeout=5)
    assert connected is False
    await socket.disconnect()


# --- tickets ----------------------------------------------------------------------------------


async def test_ticket_opens_the_room_as_its_user_once(room: Room, open_socket: OpenSocket) -> None:
    ticket, expires_in = await adb(ticket_issue)(actor=room.expert, circle=room.circle)
    assert 0 < expires_in <= 60
    first = await open_socket(room_path(room.circle.slug, ticket=ticket))
    welcome = await first.recv()
    assert welcome["role"] == "expert"
    assert welcome["me"]["id"] == room.expert.pk
    second = await open_socket(room_path(room.circle.slug, ticket=ticket))
    assert await second.closed_with() == 4401


async def test_expired_ticket_is_refused(room: Room, open_socket: OpenSocket) -> None:
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ticket, _ = await adb(ticket_issue)(actor=room.expert, circle=room.circle, now=an_hour_ago)
    socket = await open_socket(room_path(room.circle.slug, ticket=ticket))
    assert await socket.closed_with() == 4401


async def test_ticket_for_another_room_is_refused(room: Room, open_socket: OpenSocket) -> None:
    other = await adb(make_room)()
    ticket, _ = await adb(ticket_issue)(actor=other.expert, circle=other.circle)
    socket = await open_socket(room_path(room.circle.slug, ticket=ticket))
    assert await socket.closed_with() == 4401


async def test_unknown_ticket_is_refused_even_with_a_session(
    room: Room, cookies: Cookies, open_socket: OpenSocket
) -> None:
    socket = await open_socket(
        room_path(room.circle.slug, ticket="forged"), cookie=await cookies.of("moderator")
    )
    assert await socket.closed_with() == 4401


async def test_a_socket_whose_frame_handler_fails_leaves_nothing_behind(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure past the handler's own error frames (a bug) ends the socket as the server
    ends a failed application; the hub and the per-address count forget it all the same,
    so the room and the address are not held by a socket that is gone."""
    from rooms.consumers import RoomConsumer
    from rooms.hub import get_registry
    from tests.rooms.support import communicator

    socket = Socket(communicator(room_path(room.circle.slug)))  # not the fixture's: it fails
    connected, _code = await socket.communicator.connect(timeout=5)
    assert connected
    assert (await socket.recv())["type"] == "welcome"
    registry = get_registry()
    assert registry.hub(room.circle.pk) is not None and registry.addresses

    async def broken(self: RoomConsumer, message: dict[str, Any]) -> None:
        raise RuntimeError("a bug in a frame handler")

    monkeypatch.setattr(RoomConsumer, "websocket_receive", broken)
    await socket.send({"type": "ping"})
    with pytest.raises(RuntimeError, match="a bug in a frame handler"):
        await socket.communicator.wait(timeout=5)
    assert registry.hub(room.circle.pk) is None
    assert not registry.addresses


@pytest.mark.parametrize(
    "cookie",
    [
        "sessionid=not-a-session",
        "sessionid=" + "x" * 4000,
        'sessionid="\\x00\\xff"; django_language=zz',
        "garbage without an equals sign",
    ],
)
async def test_a_forged_or_broken_cookie_enters_as_an_anonymous_viewer(
    room: Room, open_socket: OpenSocket, cookie: str
) -> None:
    """A session cookie that names no session (or no cookie at all, or a language nobody
    speaks) is a visitor: the public room's viewer, nothing personal, German by default."""
    socket = await open_socket(room_path(room.circle.slug), cookie=cookie)
    welcome = await socket.recv()
    assert welcome["type"] == "welcome"
    assert (welcome["role"], welcome["me"]) == ("viewer", None)
    error = await socket.request({"type": "hand.raise", "id": 1})
    assert error["message"] == "Zuschauende können im Raum lesen, aber nichts senden."
