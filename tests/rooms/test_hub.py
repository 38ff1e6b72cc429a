"""The process-local hub: one subscription per room, strict seq order with gaps filled from
the log, lost broadcasts found by the poll, duplicates dropped, slow sockets cut loose."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from deliberation import services
from deliberation.eventlog import encode_frames, record_event, room_group
from deliberation.models import RoomEvent
from rooms.hub import Connection, HubRegistry
from tests.factories import Room
from tests.rooms.conftest import Join
from tests.rooms.support import adb, record_unpublished_event

pytestmark = [pytest.mark.django_db(transaction=True)]


def _post(room: Room, key: str) -> None:
    services.comment_post(
        actor=room.expert2, circle=room.circle, goal_id=room.goal.pk, body=key, client_key=key
    )


def _noise(room: Room, count: int) -> None:
    """``count`` events in one transaction, broadcast one after the other on commit."""
    with transaction.atomic():
        for n in range(count):
            record_event(circle=room.circle.pk, kind="test.noise", payload={"n": n})


async def test_one_subscription_per_room_however_many_sockets(
    room: Room, join: Join, registry: HubRegistry
) -> None:
    sockets = [await join(persona) for persona in ("anonymous", "outsider", "expert", "expert")]
    assert list(registry.hubs) == [room.circle.pk]
    hub = registry.hubs[room.circle.pk]
    assert len(hub.connections) == 4
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        assert list(layer.groups[room_group(room.circle.pk)]) == [hub.channel]

    await adb(_post)(room, "a")
    for socket in sockets:
        assert (await socket.recv_event("comment.created"))["seq"] == sockets[0].welcome["seq"] + 1

    for socket in sockets:
        await socket.communicator.disconnect()
    assert registry.hubs == {}
    if isinstance(layer, InMemoryChannelLayer):
        assert room_group(room.circle.pk) not in layer.groups


async def test_a_gap_is_filled_from_the_log_before_the_event_that_revealed_it(
    room: Room, join: Join
) -> None:
    viewer = await join("anonymous")
    start = viewer.welcome_seq
    lost = await adb(record_unpublished_event)(room.circle.pk, "test.lost", {"n": 1})
    await adb(_post)(room, "after the lost one")

    first = await viewer.recv_event("test.lost")
    second = await viewer.recv_event("comment.created")
    assert (first["seq"], second["seq"]) == (lost, lost + 1) == (start + 1, start + 2)
    assert first["data"] == {"n": 1}


async def test_the_poll_delivers_events_whose_broadcast_was_lost(
    room: Room, join: Join, registry: HubRegistry
) -> None:
    viewer = await join("anonymous")
    start = viewer.welcome_seq
    await adb(record_unpublished_event)(room.circle.pk, "test.lost", {"n": 1})
    await adb(record_unpublished_event)(room.circle.pk, "test.lost", {"n": 2})
    assert await viewer.hears_nothing()

    await registry.tick()
    assert [(await viewer.recv_event("test.lost"))["seq"] for _ in range(2)] == [
        start + 1,
        start + 2,
    ]


async def test_a_duplicate_broadcast_is_dropped(room: Room, join: Join) -> None:
    viewer = await join("anonymous")
    await adb(_post)(room, "once")
    event = await viewer.recv_event("comment.created")

    row = await adb(RoomEvent.objects.get)(circle=room.circle, seq=event["seq"])
    public, moderator = encode_frames(row)
    await get_channel_layer().group_send(
        room_group(room.circle.pk),
        {
            "type": "room.event",
            "circle": room.circle.pk,
            "seq": row.seq,
            "public": public,
            "moderator": moderator,
        },
    )
    assert await viewer.hears_nothing()


async def test_a_slow_socket_is_closed_without_holding_up_the_others(
    room: Room, join: Join, registry: HubRegistry, settings: Any
) -> None:
    settings.ROOM_SEND_BACKLOG = 50
    viewer = await join("anonymous")
    start = viewer.welcome_seq

    stuck = asyncio.Event()  # a client that never reads: the server's send never returns
    sent: list[dict[str, Any]] = []

    async def never_drains(message: dict[str, Any]) -> None:
        sent.append(message)
        await stuck.wait()

    slow = Connection(never_drains, role="viewer", user_id=None, name=None, clock=registry.clock)
    hub, min_seq = await registry.join(room.circle.pk, slow)
    slow.sent_seq = min_seq
    slow.release()
    try:
        await adb(_noise)(room, 60)
        seqs = [(await viewer.recv_event("test.noise"))["seq"] for _ in range(60)]
        assert seqs == list(range(start + 1, start + 61))
        assert slow.closed
        assert slow.close_code == 4409
        assert slow not in hub.connections
        assert len(sent) == 1  # only the first frame ever got as far as the server
    finally:
        await slow.stop()
        await registry.leave(hub, slow)


async def test_a_socket_that_pushes_back_gets_every_frame_in_order_once_it_drains(
    registry: HubRegistry,
) -> None:
    gate = asyncio.Event()  # the client is slow to read: the first write waits for it
    sent: list[str] = []

    async def pushes_back(message: dict[str, Any]) -> None:
        sent.append(message["text"])
        if len(sent) == 2:
            await gate.wait()

    connection = Connection(
        pushes_back, role="viewer", user_id=None, name=None, clock=registry.clock
    )
    try:
        connection.send_text("0")
        await connection.drain()  # the writer has run and waits for frames
        for n in range(1, 6):
            connection.send_text(str(n))
        # An idle socket gets its frame at once; what follows a pushed-back write waits.
        assert sent == ["0", "1"]
        gate.set()
        await connection.drain()
        assert sent == ["0", "1", "2", "3", "4", "5"]
        assert not connection.closed
    finally:
        await connection.stop()


async def test_viewers_arriving_together_share_one_snapshot(
    room: Room, join: Join, registry: HubRegistry
) -> None:
    first = await join("anonymous")
    hub = registry.hubs[room.circle.pk]
    cached = await hub.snapshot(first.welcome_seq)
    for _ in range(3):
        await join("anonymous")
    assert await hub.snapshot(first.welcome_seq) is cached

    await adb(_post)(room, "news")
    await first.recv_event("comment.created")
    newer = await hub.snapshot(hub.last_seq)
    assert newer is not cached
    assert newer.seq == cached.seq + 1


def _unpublished_burst(room: Room, count: int) -> None:
    for n in range(count):
        record_unpublished_event(room.circle.pk, "test.lost", {"n": n})


async def test_a_burst_longer_than_the_send_queue_reaches_fast_sockets_whole(
    room: Room, join: Join, registry: HubRegistry, settings: Any
) -> None:
    settings.ROOM_SEND_BACKLOG = 50
    viewer = await join("anonymous")
    start = viewer.welcome_seq
    await adb(_unpublished_burst)(room, 120)

    await registry.tick()  # the poll finds all 120 at once and delivers them from the log
    seqs = [(await viewer.recv_event("test.lost"))["seq"] for _ in range(120)]
    assert seqs == list(range(start + 1, start + 121))


async def test_a_replay_longer_than_the_send_queue_arrives_whole(
    room: Room, join: Join, settings: Any
) -> None:
    settings.ROOM_SEND_BACKLOG = 50
    first = await join("outsider")
    start = first.welcome_seq
    await first.communicator.disconnect()
    await adb(_unpublished_burst)(room, 120)

    again = await join("outsider", after=start)
    seqs = [(await again.recv_event("test.lost"))["seq"] for _ in range(120)]
    assert seqs == list(range(start + 1, start + 121))
    assert await again.recv() == {"type": "resumed", "seq": start + 120}
