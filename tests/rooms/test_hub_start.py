"""A hub that starts while another process writes to its room: the event that arrives during
the start is newer than the hub's starting point, and no socket is closed for it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.layers import get_channel_layer

from deliberation import services
from tests.factories import Room
from tests.rooms.conftest import Cookies
from tests.rooms.support import Socket, adb, room_path, room_seq

pytestmark = [pytest.mark.django_db(transaction=True)]


def _post(room: Room, key: str) -> None:
    services.comment_post(
        actor=room.expert2, circle=room.circle, goal_id=room.goal.pk, body=key, client_key=key
    )


async def test_an_event_arriving_while_a_cold_hub_starts_closes_no_socket(
    room: Room, cookies: Cookies, open_socket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("a", "b", "c"):
        await adb(_post)(room, key)
    layer = get_channel_layer()
    subscribe = layer.group_add
    written: list[bool] = []

    async def subscribe_while_another_process_writes(group: str, channel: str) -> None:
        await subscribe(group, channel)
        if not written:
            # Another process commits an event the moment this hub has subscribed, before it
            # has read where the room stands: the broadcast is already waiting for it.
            written.append(True)
            await adb(_post)(room, "from another process")

    monkeypatch.setattr(layer, "group_add", subscribe_while_another_process_writes)
    cookie = await cookies.of("expert")

    async def one() -> Socket:
        socket: Socket = await open_socket(room_path(room.circle.slug), cookie=cookie)
        socket.welcome = await socket.recv()
        assert socket.welcome["type"] == "welcome", socket.welcome
        return socket

    sockets = await asyncio.gather(*(one() for _ in range(5)))
    assert written
    current = await adb(room_seq)(room.circle.pk)
    assert {s.welcome_seq for s in sockets} == {current}
    for socket in sockets:
        assert await socket.hears_nothing()  # no 4409, nothing delivered twice

    await adb(_post)(room, "later")
    for socket in sockets:
        assert (await socket.recv_event("comment.created"))["seq"] == current + 1
