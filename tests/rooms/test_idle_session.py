"""A session that sat idle past SESSION_IDLE_TIMEOUT does not sign a new socket in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.factories import Room
from tests.rooms.conftest import session_cookie
from tests.rooms.support import Socket, adb, room_path

pytestmark = [pytest.mark.django_db(transaction=True)]

OpenSocket = Callable[..., Awaitable[Socket]]


def cookie_from(user: Any, *, ago: timedelta) -> str:
    """A session cookie of a sign-in ``ago`` with no request since."""
    with time_machine.travel(timezone.now() - ago, tick=False):
        return session_cookie(user)


@pytest.mark.parametrize(
    ("idle", "role"), [(timedelta(hours=7, minutes=58), "expert"), (timedelta(hours=8), "viewer")]
)
async def test_a_socket_is_signed_in_only_while_the_session_is_not_idle(
    room: Room, open_socket: OpenSocket, settings: Any, idle: timedelta, role: str
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 8 * 3600
    cookie = await adb(cookie_from)(room.expert, ago=idle)

    socket = await open_socket(room_path(room.circle.slug), cookie=cookie)
    welcome = await socket.recv()

    assert welcome["type"] == "welcome"
    assert welcome["role"] == role
    if role == "viewer":
        assert welcome["me"] is None
