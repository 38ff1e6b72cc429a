"""Nothing is lost or shown twice across reconnects: resume, ?after=, resync, and an
idempotent re-post after a dropped connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from deliberation import services
from deliberation.models import Comment
from rooms.replay import room_events_prune
from tests.factories import Room
from tests.rooms.conftest import Join
from tests.rooms.support import Socket, adb, room_path, room_seq

pytestmark = [pytest.mark.django_db(transaction=True)]

OpenSocket = Callable[..., Awaitable[Socket]]


def _post_comments(room: Room, count: int, prefix: str = "c") -> list[int]:
    ids = []
    for n in range(count):
        comment, _ = services.comment_post(
            actor=room.expert2,
            circle=room.circle,
            goal_id=room.goal.pk,
            body=f"{prefix} {n}",
            client_key=f"{prefix}{n}",
        )
        ids.append(comment.pk)
    return ids


async def test_resume_replays_the_missed_events_in_order(room: Room, join: Join) -> None:
    viewer = await join("anonymous")
    start = viewer.welcome_seq
    await adb(_post_comments)(room, 3)
    live = [await viewer.recv_event("comment.created") for _ in range(3)]
    assert [e["seq"] for e in live] == [start + 1, start + 2, start + 3]

    await viewer.send({"type": "resume", "after": start + 1})
    replayed = [await viewer.recv() for _ in range(3)]
    assert [f.get("seq") for f in replayed] == [start + 2, start + 3, start + 3]
    assert replayed[:2] == live[1:]
    assert replayed[2] == {"type": "resumed", "seq": start + 3}
    assert await viewer.hears_nothing()


async def test_resume_at_the_current_seq_only_says_resumed(room: Room, join: Join) -> None:
    viewer = await join("anonymous")
    seq = viewer.welcome_seq
    assert await viewer.request({"type": "resume", "after": seq}) == {
        "type": "resumed",
        "seq": seq,
    }


async def test_reconnect_with_after_skips_the_snapshot(room: Room, join: Join) -> None:
    first = await join("outsider")
    start = first.welcome_seq
    await first.communicator.disconnect()
    await adb(_post_comments)(room, 2)

    again = await join("outsider", after=start)
    assert again.welcome is not None
    assert again.welcome["snapshot"] is None
    assert again.welcome_seq == start
    assert again.welcome["role"] == "viewer"
    events = [await again.recv_event("comment.created") for _ in range(2)]
    assert [e["seq"] for e in events] == [start + 1, start + 2]
    assert await again.recv() == {"type": "resumed", "seq": start + 2}

    # and it stays live
    await adb(_post_comments)(room, 1, prefix="live")
    assert (await again.recv_event("comment.created"))["seq"] == start + 3


async def test_resume_from_before_the_kept_log_resyncs_with_a_fresh_welcome(
    room: Room, join: Join
) -> None:
    viewer = await join("anonymous")
    start = viewer.welcome_seq
    await adb(_post_comments)(room, 5)
    for _ in range(5):
        await viewer.recv_event()
    await adb(room_events_prune)(keep=2)

    await viewer.send({"type": "resume", "after": start})
    assert await viewer.recv() == {"type": "resync"}
    welcome = await viewer.recv()
    assert welcome["type"] == "welcome"
    assert welcome["seq"] == start + 5
    assert len(welcome["snapshot"]["comments"]) == 5
    assert await viewer.hears_nothing()


async def test_after_beyond_the_room_resyncs(room: Room, open_socket: OpenSocket) -> None:
    # A client whose state comes from another database (say, before a reset).
    socket = await open_socket(room_path(room.circle.slug, after=10_000))
    assert await socket.recv() == {"type": "resync"}
    welcome = await socket.recv()
    assert welcome["type"] == "welcome"
    assert welcome["seq"] == await adb(room_seq)(room.circle.pk)
    assert welcome["snapshot"]["goals"]


async def test_connect_with_after_from_before_the_kept_log_resyncs(
    room: Room, open_socket: OpenSocket
) -> None:
    await adb(_post_comments)(room, 4)
    await adb(room_events_prune)(keep=1)
    socket = await open_socket(room_path(room.circle.slug, after=0))
    assert await socket.recv() == {"type": "resync"}
    welcome = await socket.recv()
    assert welcome["type"] == "welcome"
    assert welcome["snapshot"] is not None
    assert welcome["seq"] == await adb(room_seq)(room.circle.pk)


async def test_repost_after_a_dropped_connection_creates_nothing(room: Room, join: Join) -> None:
    watcher = await join("anonymous")
    expert = await join("expert")
    start = expert.welcome_seq
    post = {
        "type": "comment.post",
        "id": "c-1",
        "goal": room.goal.pk,
        "body": "Nur einmal",
        "client_key": "3f2c9a0e",
    }
    await expert.send(post)
    await watcher.recv_event("comment.created")  # it reached the server …
    await expert.communicator.disconnect()  # … but the expert never saw the ack

    again = await join("expert", after=start)
    replayed = await again.recv_event("comment.created")
    assert await again.recv() == {"type": "resumed", "seq": start + 1}
    ack = await again.request({**post, "id": "c-1-retry"})
    assert ack == {
        "type": "ack",
        "id": "c-1-retry",
        "seq": start + 1,
        "comment": replayed["data"]["comment"]["id"],
        "created": False,
    }
    assert await watcher.hears_nothing()
    assert await adb(Comment.objects.count)() == 1
    assert await adb(room_seq)(room.circle.pk) == start + 1
