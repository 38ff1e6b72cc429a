"""The room through a real server process, Daphne and the image's uvicorn (in both CI passes):
the server's own send and close paths, which the in-process communicator does not exercise —
close codes must be ones a server may send, frames reach a ``websockets`` client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from tests.factories import Room
from tests.rooms.daphne import Server, open_path, open_room, recv, start, stop, ticket

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["daphne", "uvicorn"])
def daphne(room: Room, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    server = start("single", tmp_path, request.param)
    yield server
    stop(server)  # before the test database is flushed


def _close_code(server: Server, path: str) -> int:
    with open_path(server, path) as client, pytest.raises(ConnectionClosed) as closed:
        client.recv(timeout=15)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def test_a_script_posts_through_daphne_and_gets_event_then_ack(room: Room, daphne: Server) -> None:
    with open_room(daphne, room.expert, room.circle.slug) as client:
        welcome = recv(client)
        assert (welcome["type"], welcome["role"]) == ("welcome", "expert")
        client.send(
            json.dumps(
                {
                    "type": "comment.post",
                    "id": 1,
                    "goal": room.goal.pk,
                    "body": "Über Daphne",
                    "client_key": "d-1",
                }
            )
        )
        event = recv(client)
        assert (event["kind"], event["seq"]) == ("comment.created", welcome["seq"] + 1)
        ack = recv(client)
        assert (ack["type"], ack["seq"], ack["created"]) == ("ack", event["seq"], True)
        client.send("x" * (70 * 1024))
        assert recv(client)["code"] == "invalid"
        client.send(json.dumps({"type": "ping", "id": "p"}))
        assert recv(client) == {"type": "pong", "id": "p", "seq": event["seq"]}


def test_close_codes_reach_the_client(room: Room, private_room: Room, daphne: Server) -> None:
    used = ticket(daphne, room.expert, room.circle.slug)
    with open_path(daphne, f"/ws/rooms/{room.circle.slug}/?ticket={used}") as client:
        assert recv(client)["type"] == "welcome"
    assert _close_code(daphne, f"/ws/rooms/{room.circle.slug}/?ticket={used}") == 4401
    assert _close_code(daphne, f"/ws/rooms/{private_room.circle.slug}/") == 4403
    assert _close_code(daphne, "/ws/rooms/gibt-es-nicht/") == 4404
