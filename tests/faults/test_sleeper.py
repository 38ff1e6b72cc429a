"""Clients that sleep through 5,000 events: one whose socket stayed open gets them in order
when it wakes (read late, or resumed if the server let the silent socket go); one whose
socket died resumes with ``?after=``; one whose resume point was pruned from the log gets
``resync`` and a fresh welcome. Each ends with the room's comments as the database has them.
"""

from __future__ import annotations

import pytest

from deliberation.models import Comment
from rooms.replay import room_events_prune
from tests.factories import Room
from tests.faults.conftest import StartServers
from tests.faults.support import Follower, record_comments
from tests.rooms.support import room_seq

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

COMMENTS, EDITS = 1_000, 4  # 1,000 comments, each edited four times: 5,000 events
KEEP = 1_000  # ROOM_EVENT_LOG_KEEP of an installation that prunes hard


def as_stored(room: Room) -> dict[int, str]:
    return dict(Comment.objects.filter(circle=room.circle).values_list("pk", "body"))


def as_seen(follower: Follower) -> dict[int, str]:
    return {i: c["body"] for i, c in follower.comments.items()}


def test_clients_that_sleep_through_5000_events_resume_or_resync_correctly(
    room: Room, start_servers: StartServers
) -> None:
    # An installation that replays up to 10,000 missed events (the default, 500, sends a
    # longer absence a fresh snapshot instead: the "pruned" case below shows that path).
    (server,) = start_servers(1, ROOM_RESUME_MAX_EVENTS="10000")
    slug = room.circle.slug
    dozing = Follower("dozing", slug, [server])  # the socket stays open; it stops reading
    away = Follower("away", slug, [server])  # the socket dies (laptop lid closed)
    pruned = Follower("pruned", slug, [server])  # away, and the log is pruned meanwhile
    for follower in (dozing, away, pruned):
        follower.connect()
    away.close()
    pruned.close()

    assert record_comments(room, COMMENTS, edits=EDITS) == 5_000
    end = room_seq(room.circle.pk)  # (plus a presence report or two, if one fell due)

    # The socket that stayed open: every event, in order, once.
    dozing.until(lambda f: f.seq >= end)
    dozing.assert_gapless()
    assert len(dozing.events) >= 5_000
    assert as_seen(dozing) == as_stored(room)

    # The one that was away resumes from where it was: 5,000 events replayed.
    away.connect(after=away.seq)  # where it was (presence events may have come since)
    away.until(lambda f: f.seq >= end)
    assert away.resyncs == 0
    away.assert_gapless()
    assert as_seen(away) == as_stored(room)

    # The log keeps only the last 1,000: the resume point is gone, so resync and a fresh
    # welcome whose snapshot is the room as the database has it.
    room_events_prune(keep=KEEP, circle=room.circle)
    pruned.connect(after=pruned.seq)
    assert pruned.resyncs == 1
    assert pruned.welcomes[-1]["seq"] >= end
    assert as_seen(pruned) == as_stored(room)

    for follower in (dozing, away, pruned):
        follower.close()
