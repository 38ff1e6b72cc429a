"""The server's PostgreSQL connection drops in the middle of a write: the write is refused
with an error the client sees and nothing of it is stored; sent again, it is stored once.

To cut the connection at the worst moment, the test holds a SHARE lock on the event log
table from a connection of its own: the server's transaction makes every other write of the
command (the comment or ballot row, the room's counter under the room lock), then waits at
its event row. The test terminates exactly that waiting backend with
``pg_terminate_backend`` — what a failover, a restarted database or a network cut does.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from api.tokens import token_create
from deliberation.models import Comment, RoomEvent
from tests.factories import Room
from tests.faults.conftest import StartServers
from tests.faults.support import Follower, post_frame
from tests.rooms.support import room_seq
from voting import services as voting
from voting.models import Ballot

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

LOCK_DEADLINE = 30.0  # seconds for the server's write to reach the held lock
# No presence reports during these tests: only the command under test writes events.
QUIET = {"ROOM_PRESENCE_DEBOUNCE_MS": "3600000"}


def _connect(*, autocommit: bool) -> psycopg.Connection[Any]:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=autocommit,
    )


@contextmanager
def event_inserts_held() -> Iterator[None]:
    """While open, writers wait at their event row, inside their transaction."""
    with _connect(autocommit=False) as holder:
        holder.execute(
            sql.SQL("LOCK TABLE {} IN SHARE MODE").format(sql.Identifier(RoomEvent._meta.db_table))
        )
        try:
            yield
        finally:
            holder.rollback()


def terminate_the_waiting_writer() -> None:
    """Wait for the server's backend to block on the held lock, then kill its connection."""
    deadline = time.monotonic() + LOCK_DEADLINE
    with _connect(autocommit=True) as monitor:
        while True:
            row = monitor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            ).fetchone()
            if row is not None:
                monitor.execute("SELECT pg_terminate_backend(%s)", [row[0]])
                return
            assert time.monotonic() < deadline, "the server's write never reached the lock"
            time.sleep(0.05)  # polling another process's progress, with a deadline


def test_a_comment_cut_off_from_the_database_is_refused_then_stored_once_when_sent_again(
    room: Room, start_servers: StartServers
) -> None:
    (server,) = start_servers(1, **QUIET)
    poster = Follower("poster", room.circle.slug, [server], user=room.expert)
    poster.connect()
    seq = room_seq(room.circle.pk)
    frame = post_frame(0, room.goal.pk, "abgeschnitten")

    with event_inserts_held():
        poster.command(frame)
        terminate_the_waiting_writer()
    poster.until(lambda f: not f.pending)

    [error] = poster.errors
    assert error["id"] == frame["id"] and error["code"] == "unavailable"
    assert error["message"]  # something to show
    # Nothing half-written: no comment, no event, the counter where it was.
    assert not Comment.objects.filter(client_key=frame["client_key"]).exists()
    assert room_seq(room.circle.pk) == seq
    assert not RoomEvent.objects.filter(circle=room.circle, seq__gt=seq).exists()

    # The client sends it again (same client_key): stored once, announced once.
    poster.command(frame)
    poster.until(lambda f: not f.pending)
    ack = poster.acks[frame["id"]]
    assert ack["created"] is True and ack["seq"] == seq + 1
    assert Comment.objects.filter(client_key=frame["client_key"]).count() == 1
    assert poster.comment_bodies() == [frame["body"]]
    assert list(
        RoomEvent.objects.filter(circle=room.circle, seq__gt=seq).values_list("kind", flat=True)
    ) == ["comment.created"]
    poster.assert_gapless()
    poster.close()


def _put_ballot(url: str, token: str, choice: str) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310 - loopback
        url,
        method="PUT",
        data=json.dumps({"choice": choice}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text


def test_a_ballot_cut_off_from_the_database_is_refused_then_counted_once_when_cast_again(
    room: Room, start_servers: StartServers
) -> None:
    (server,) = start_servers(1, **QUIET)
    motion = voting.motion_open(
        actor=room.moderator, circle=room.circle, goal_id=room.goal.pk, method="consent"
    )
    token = token_create(room.expert).key
    url = f"{server.http}/api/v1/motions/{motion.pk}/ballot/"
    seq = room_seq(room.circle.pk)

    with event_inserts_held(), ThreadPoolExecutor(1) as pool:
        cast = pool.submit(_put_ballot, url, token, "consent")
        terminate_the_waiting_writer()
        status, body = cast.result(timeout=60)

    # Refused with an answer a client can show and act on: nothing stored, try again.
    assert status == 503, body
    assert body["code"] == "unavailable" and body["detail"]
    assert not Ballot.objects.filter(motion=motion).exists()
    assert room_seq(room.circle.pk) == seq
    assert not RoomEvent.objects.filter(circle=room.circle, seq__gt=seq).exists()

    status, body = _put_ballot(url, token, "consent")
    assert status == 201, body
    assert Ballot.objects.filter(motion=motion).count() == 1
    turnout = RoomEvent.objects.get(circle=room.circle, seq__gt=seq)
    assert turnout.kind == "motion.turnout" and turnout.payload["turnout"] == 1
