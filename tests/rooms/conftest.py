"""Fixtures for the live-room tests: personas with sessions, sockets that are always
disconnected, a fake clock for heartbeats and rate limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from django.test import Client

from rooms.hub import HubRegistry, get_registry
from tests.factories import Room
from tests.rooms.support import FakeClock, Socket, adb, communicator, room_path

# moderator > expert > drafter are members; the outsider (signed in) and the anonymous
# visitor are viewers of a public room.
PERSONAS = ("moderator", "expert", "drafter", "outsider", "anonymous")
ROLE_OF = {
    "moderator": "moderator",
    "expert": "expert",
    "drafter": "drafter",
    "outsider": "viewer",
    "anonymous": "viewer",
}

Join = Callable[..., Awaitable[Socket]]


@pytest.fixture(autouse=True)
def _room_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Presence is reported only when a test asks for it (test_presence.py sets its own
    # debounce): other tests read exact frame sequences.
    settings.ROOM_PRESENCE_DEBOUNCE_MS = 3_600_000


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


class Cookies(dict[str, str | None]):
    """Session cookies of ``room``'s personas, made on first use (a login costs a few
    database writes; most tests need two or three personas)."""

    def __init__(self, room: Room) -> None:
        super().__init__(anonymous=None)
        self.room = room

    def __missing__(self, persona: str) -> str:
        cookie = session_cookie(getattr(self.room, persona))
        self[persona] = cookie
        return cookie

    async def of(self, persona: str) -> str | None:
        return self[persona] if persona in self else await adb(self.__getitem__)(persona)


@pytest.fixture
def cookies(room: Room) -> Cookies:
    return Cookies(room)


@pytest_asyncio.fixture
async def registry() -> HubRegistry:
    return get_registry()


@pytest_asyncio.fixture
async def clock(registry: HubRegistry) -> FakeClock:
    fake = FakeClock()
    registry.clock = fake
    return fake


@pytest_asyncio.fixture
async def sockets(registry: HubRegistry) -> AsyncIterator[list[Socket]]:
    """Every socket a test opens; all are disconnected afterwards, and then no hub may be
    left running in the process."""
    opened: list[Socket] = []
    yield opened
    for socket in opened:
        await socket.communicator.disconnect(timeout=5)
    assert registry.hubs == {}


@pytest_asyncio.fixture
async def open_socket(sockets: list[Socket]) -> Callable[..., Awaitable[Socket]]:
    """Open a socket (``connected`` asserted) without reading anything."""

    async def open_(path: str, *, cookie: str | None = None, origin: bool = True) -> Socket:
        socket = Socket(communicator(path, cookie=cookie, origin=origin))
        sockets.append(socket)
        connected, _code = await socket.communicator.connect(timeout=5)
        assert connected
        return socket

    return open_


@pytest_asyncio.fixture
async def join(room: Room, cookies: Cookies, open_socket: Callable[..., Awaitable[Socket]]) -> Join:
    """``await join("expert")``: a persona's socket in ``room``, its welcome read."""

    async def join_(persona: str, *, slug: str | None = None, **query: Any) -> Socket:
        cookie = (
            cookies.get(persona) if persona in cookies else await adb(cookies.__getitem__)(persona)
        )
        socket = await open_socket(room_path(slug or room.circle.slug, **query), cookie=cookie)
        welcome = await socket.recv()
        assert welcome["type"] == "welcome", welcome
        socket.welcome = welcome
        return socket

    return join_
