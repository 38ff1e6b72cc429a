"""Clients that sleep through 5,000 events: one whose socket stayed open reads them in order
when it wakes; one whose socket died resumes with ``?after=``; one whose resume point was
pruned from the log gets ``resync`` and a fresh welcome that matches the database.

The events are real comment posts (the service the room calls), made by the test process;
their broadcasts reach the Daphne process through Redis as any other process's would.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from deliberation import services
from deliberation.models import Comment
from rooms.replay import room_events_prune
from tests.factories import Room
from tests.faults.conftest import StartServers
from tests.faults.support import Follower
from tests.rooms.support import room_seq

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

EVENTS = 5_000
KEEP = 1_000  # ROOM_EVENT_LOG_KEEP of an installation that prunes hard
BATCH = 250  # comments per transaction (each is still its own event, published on commit)


def post_comments(room: Room, count: int) -> None:
    for start in range(0, count, BATCH):
        with transaction.atomic():
            for n in range(start, min(count, start + BATCH)):
                services.comment_post(
                    actor=room.expert2,
                    circle=room.circle,
                    goal_id=room.goal.pk,
                    body=f"Nachtbeitrag {n}",
                    client_key=f"nacht-{n}",
                )


def test_clients_that_sleep_through_5000_events_resume_or_resync_correctly(
    room: Room, start_servers: StartServers
) -> None:
    # No presence reports: the 5,000 comments are the only events.
    (server,) = start_servers(1, ROOM_PRESENCE_DEBOUNCE_MS="3600000")
    slug = room.circle.slug
    dozing = Follower("dozing", slug, [server])  # the socket stays open; it stops reading
    away = Follower("away", slug, [server])  # the socket dies (laptop lid closed)
    pruned = Follower("pruned", slug, [server])  # away, and the log is pruned meanwhile
    for follower in (dozing, away, pruned):
        follower.connect()
    away.close()
    pruned.close()
    start = room_seq(room.circle.pk)

    post_comments(room, EVENTS)
    end = room_seq(room.circle.pk)
    assert end - start == EVENTS

    # The socket that stayed open: every event, in order, once (read late, or resumed if the
    # server had to drop it for being too slow).
    dozing.until(lambda f: f.seq == end)
    dozing.assert_gapless()
    assert len(dozing.comment_bodies()) == EVENTS

    # The one that was away resumes from where it was: 5,000 events replayed.
    away.connect(after=start)
    away.until(lambda f: f.seq == end)
    assert away.resyncs == 0
    away.assert_gapless()
    assert len(away.comment_bodies()) == EVENTS

    # The log keeps only the last 1,000: the resume point is gone, so resync and a fresh
    # welcome whose snapshot is the room as the database has it.
    room_events_prune(keep=KEEP, circle=room.circle)
    pruned.connect(after=start)
    assert pruned.resyncs == 1
    snapshot = pruned.welcomes[-1]["snapshot"]
    assert pruned.welcomes[-1]["seq"] == end
    stored = Comment.objects.filter(circle=room.circle).values_list("pk", "body")
    assert sorted((c["id"], c["body"]) for c in snapshot["comments"]) == sorted(stored)

    for follower in (dozing, away, pruned):
        follower.close()
