"""Replays are bounded (issue 12): anonymous sockets sending ``resume`` with ``after=0`` made
the server replay its whole log again and again. A resume far back gets ``resync``, a
connection's resumes have a budget, and one address may hold only so many sockets."""

from __future__ import annotations

from typing import Any

import pytest

from rooms.hub import HubRegistry
from tests.factories import Room
from tests.rooms.conftest import Join
from tests.rooms.support import FakeClock, adb, communicator, record_unpublished_event, room_path

pytestmark = [pytest.mark.django_db(transaction=True)]


def _noise(room: Room, count: int) -> None:
    for n in range(count):
        record_unpublished_event(room.circle.pk, "test.noise", {"n": n})


async def test_a_resume_further_back_than_the_setting_gets_resync(
    room: Room, join: Join, settings: Any
) -> None:
    settings.ROOM_RESUME_MAX_EVENTS = 10
    viewer = await join("anonymous")
    await adb(_noise)(room, 11)
    answer = await viewer.request({"type": "resume", "after": viewer.welcome_seq})
    assert answer == {"type": "resync"}
    assert (await viewer.recv())["type"] == "welcome"
    assert not [f for f in viewer.seen if f["type"] == "event"]
    assert await viewer.hears_nothing()


async def test_a_resume_within_the_setting_is_replayed(
    room: Room, join: Join, settings: Any
) -> None:
    settings.ROOM_RESUME_MAX_EVENTS = 10
    viewer = await join("anonymous")
    await adb(_noise)(room, 10)
    await viewer.send({"type": "resume", "after": viewer.welcome_seq})
    seqs = [(await viewer.recv_event("test.noise"))["seq"] for _ in range(10)]
    assert seqs == list(range(viewer.welcome_seq + 1, viewer.welcome_seq + 11))
    assert await viewer.recv() == {"type": "resumed", "seq": viewer.welcome_seq + 10}


async def test_reconnecting_with_after_far_back_gets_resync(
    room: Room, open_socket: Any, settings: Any
) -> None:
    settings.ROOM_RESUME_MAX_EVENTS = 10
    await adb(_noise)(room, 20)
    socket = await open_socket(room_path(room.circle.slug, after=0))
    assert await socket.recv() == {"type": "resync"}
    assert (await socket.recv())["type"] == "welcome"


async def test_repeated_resumes_from_the_start_are_rate_limited(
    room: Room, join: Join, settings: Any, clock: FakeClock
) -> None:
    """The attack: resume after=0 over and over, well within the frame rate limit."""
    settings.ROOM_RESUME_BURST = 2
    settings.ROOM_RESUME_WINDOW = 60
    await adb(_noise)(room, 5)
    viewer = await join("anonymous")
    for _ in range(2):
        await viewer.send({"type": "resume", "after": 0})
        while (await viewer.recv())["type"] != "resumed":
            pass
    error = await viewer.request({"type": "resume", "after": 0})
    assert (error["type"], error["code"]) == ("error", "rate_limited")
    assert await viewer.hears_nothing()

    clock.advance(61)
    await viewer.send({"type": "resume", "after": viewer.welcome_seq})
    assert await viewer.recv() == {"type": "resumed", "seq": viewer.welcome_seq}


async def test_connections_per_address_are_limited(
    room: Room, open_socket: Any, settings: Any, registry: HubRegistry
) -> None:
    settings.ROOM_MAX_CONNECTIONS_PER_ADDRESS = 2
    path = room_path(room.circle.slug)
    first = await open_socket(path)
    await open_socket(path)
    third = await open_socket(path)
    assert await third.closed_with() == 4429
    await first.communicator.disconnect()
    again = await open_socket(path)
    assert (await again.recv())["type"] == "welcome"


async def test_behind_a_proxy_the_forwarded_address_counts(
    room: Room, sockets: list[Any], settings: Any
) -> None:
    from tests.rooms.support import Socket

    settings.ROOM_MAX_CONNECTIONS_PER_ADDRESS = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    async def from_(address: str) -> Socket:
        socket = Socket(communicator(room_path(room.circle.slug)))
        socket.communicator.scope["headers"].append((b"x-forwarded-for", address.encode()))
        sockets.append(socket)
        connected, _ = await socket.communicator.connect(timeout=5)
        assert connected
        return socket

    one = await from_("203.0.113.1")
    two = await from_("203.0.113.2")
    assert (await one.recv())["type"] == (await two.recv())["type"] == "welcome"
    assert await (await from_("203.0.113.1")).closed_with() == 4429
