"""Two real Daphne processes share a room over Redis and PostgreSQL: a comment posted through
process A reaches a client of process B in order, with the same seq.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set (CI's second pass); skipped with
the reason otherwise (see ``tests/conftest.py``). The processes serve the test database,
which pytest-django has migrated; the test's data is committed (transactional test) so they
see it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import Room
from tests.rooms.daphne import Server, open_room, recv, start, stop

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["daphne", "uvicorn"])
def daphnes(
    room: Room, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Server, Server]]:
    """Two processes of the development server (Daphne) or of compose's (uvicorn)."""
    a = start("a", tmp_path, request.param)
    try:
        b = start("b", tmp_path, request.param)
    except BaseException:
        stop(a)
        raise
    yield a, b
    # Stopped before the test database is flushed (this fixture depends on ``room``).
    stop(a)
    stop(b)


def test_a_comment_posted_through_one_process_reaches_a_client_of_another_in_order(
    room: Room, daphnes: tuple[Server, Server]
) -> None:
    a, b = daphnes
    slug = room.circle.slug
    with open_room(b, room.expert2, slug) as listener, open_room(a, room.expert, slug) as poster:
        listener_welcome = recv(listener)
        poster_welcome = recv(poster)
        assert listener_welcome["type"] == poster_welcome["type"] == "welcome"
        start = listener_welcome["seq"]

        bodies = [f"Beitrag {n}" for n in range(5)]
        for n, body in enumerate(bodies):
            poster.send(
                json.dumps(
                    {
                        "type": "comment.post",
                        "id": n,
                        "goal": room.goal.pk,
                        "body": body,
                        "client_key": f"cross-{n}",
                    }
                )
            )

        acks: dict[int, int] = {}
        poster_events: dict[int, dict[str, Any]] = {}
        while len(acks) < len(bodies):
            frame = recv(poster)
            if frame["type"] == "ack":
                assert frame["seq"] in poster_events  # the event came first
                acks[frame["id"]] = frame["seq"]
            else:
                assert frame["type"] == "event", frame
                poster_events[frame["seq"]] = frame

        # Process B's client gets every event (comments and, interleaved, presence changes)
        # gapless, in order, with the numbers process A acknowledged.
        listener_events: list[dict[str, Any]] = []
        while sum(e["kind"] == "comment.created" for e in listener_events) < len(bodies):
            frame = recv(listener)
            assert frame["type"] == "event", frame
            listener_events.append(frame)
        seqs = [e["seq"] for e in listener_events]
        assert seqs == list(range(start + 1, start + 1 + len(seqs)))
        comments = [e for e in listener_events if e["kind"] == "comment.created"]
        assert [c["data"]["comment"]["body"] for c in comments] == bodies
        assert [c["seq"] for c in comments] == [acks[n] for n in range(len(bodies))]
        for event in comments:
            assert poster_events[event["seq"]] == event
