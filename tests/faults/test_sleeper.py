"""Clients that sleep through 5,000 events: one whose socket stayed open gets them in order
when it wakes (read late, or resumed if the server let the silent socket go); one whose
socket died resumes with ``?after=``; one whose resume point was pruned from the log gets
``resync`` and a fresh welcome that matches the database.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.db import transaction
from django.db.models import F

from deliberation import payloads
from deliberation.eventlog import lock_room, publish_event
from deliberation.models import Circle, Comment, RoomEvent
from deliberation.rendering import render_markdown
from rooms.replay import room_events_prune
from tests.factories import Room
from tests.faults.conftest import StartServers
from tests.faults.support import Follower
from tests.rooms.support import room_seq

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

EVENTS = 5_000
KEEP = 1_000  # ROOM_EVENT_LOG_KEEP of an installation that prunes hard


def record_comments(room: Room, count: int) -> None:
    """``count`` comments and their ``comment.created`` events as ``comment_post`` and
    ``record_event`` leave them (the service's payload, the counter moved under the room lock,
    each event published after commit), written in bulk in one transaction: one by one they
    would take minutes."""
    author, goal = room.expert2, room.goal
    with transaction.atomic():
        circle = lock_room(room.circle.pk)
        comments = Comment.objects.bulk_create(
            Comment(
                circle=circle,
                goal=goal,
                version=goal.current_version,
                author=author,
                body=f"Nachtbeitrag {n}",
                body_html=render_markdown(f"Nachtbeitrag {n}"),
                client_key=f"nacht-{n}",
            )
            for n in range(count)
        )
        Circle.objects.filter(pk=circle.pk).update(event_seq=F("event_seq") + count)
        events = RoomEvent.objects.bulk_create(
            RoomEvent(
                circle=circle,
                seq=circle.event_seq + 1 + n,
                kind="comment.created",
                payload={"comment": payloads.comment_data(comment, moderator=False)},
                actor=author,
            )
            for n, comment in enumerate(comments)
        )
        for event in events:
            transaction.on_commit(partial(publish_event, event))


def test_clients_that_sleep_through_5000_events_resume_or_resync_correctly(
    room: Room, start_servers: StartServers
) -> None:
    (server,) = start_servers(1)
    slug = room.circle.slug
    dozing = Follower("dozing", slug, [server])  # the socket stays open; it stops reading
    away = Follower("away", slug, [server])  # the socket dies (laptop lid closed)
    pruned = Follower("pruned", slug, [server])  # away, and the log is pruned meanwhile
    for follower in (dozing, away, pruned):
        follower.connect()
    away.close()
    pruned.close()
    start = room_seq(room.circle.pk)

    record_comments(room, EVENTS)
    end = room_seq(room.circle.pk)
    assert RoomEvent.objects.filter(circle=room.circle, kind="comment.created").count() == EVENTS

    # The socket that stayed open: every event, in order, once.
    dozing.until(lambda f: f.seq >= end)
    dozing.assert_gapless()
    assert len(dozing.comment_bodies()) == EVENTS

    # The one that was away resumes from where it was: 5,000 events replayed.
    away.connect(after=start)
    away.until(lambda f: f.seq >= end)
    assert away.resyncs == 0
    away.assert_gapless()
    assert len(away.comment_bodies()) == EVENTS

    # The log keeps only the last 1,000: the resume point is gone, so resync and a fresh
    # welcome whose snapshot is the room as the database has it.
    room_events_prune(keep=KEEP, circle=room.circle)
    import json, time as _t
    from tests.rooms.daphne import open_path
    ws = open_path(server, f"/ws/rooms/{slug}/?after={start}")
    t0 = _t.monotonic()
    for _ in range(3):
        try:
            text = ws.recv(timeout=60)
        except Exception as exc:
            print("EXC", exc, _t.monotonic() - t0); break
        print("FRAME", _t.monotonic() - t0, text[:200])
    pruned.connect(after=start)
    assert pruned.resyncs == 1
    welcome = pruned.welcomes[-1]
    assert welcome["seq"] == room_seq(room.circle.pk)
    stored = Comment.objects.filter(circle=room.circle).values_list("pk", "body")
    assert sorted((c["id"], c["body"]) for c in welcome["snapshot"]["comments"]) == sorted(stored)

    for follower in (dozing, away, pruned):
        follower.close()
