# ruff: noqa: F811  (the room fixtures are imported from tests/rooms/conftest.py)
"""The vote over the room socket (``docs/voting.md``): opening, casting and closing by role,
secrecy of what the room hears, and fifty voters casting at once from fifty sockets."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from django.conf import settings

from deliberation.models import RoomEvent
from tests.factories import Room, make_room
from tests.rooms.conftest import (  # noqa: F401 (fixtures)
    PERSONAS,
    Join,
    _room_settings,
    cookies,
    join,
    open_socket,
    registry,
    session_cookie,
    sockets,
)
from tests.rooms.support import Socket, adb, communicator, room_path, room_seq
from tests.voting.conftest import add_experts, open_motion
from voting.models import Ballot, Motion

pytestmark = [pytest.mark.django_db(transaction=True)]


async def events_then_answer(socket: Socket) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        frame = await socket.recv()
        if frame["type"] != "event":
            return events, frame
        events.append(frame)


def _motion_open(room: Room) -> dict[str, Any]:
    return {"goals": [room.goal.pk], "method": "consent", "secret": True}


def _ballot_cast(room: Room) -> dict[str, Any]:
    return {"motion": open_motion(room).pk, "choice": "consent"}


def _motion_close(room: Room) -> dict[str, Any]:
    return {"motion": open_motion(room).pk, "rejected_goal_status": "revised"}


COMMANDS = {
    "motion.open": (_motion_open, "motion.opened", {"moderator"}),
    # The moderator of make_room is no expert: not eligible.
    "ballot.cast": (_ballot_cast, "motion.turnout", {"expert"}),
    "motion.close": (_motion_close, "motion.closed", {"moderator"}),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("command", list(COMMANDS))
async def test_vote_command_by_role(room: Room, join: Join, command: str, persona: str) -> None:
    prepare, kind, allowed = COMMANDS[command]
    fields = await adb(prepare)(room)
    watcher = await join("anonymous")
    actor = await join(persona)
    seq = actor.welcome_seq

    await actor.send({"type": command, "id": "v-1", **fields})
    events, answer = await events_then_answer(actor)

    if persona in allowed:
        assert answer["type"] == "ack", answer
        assert kind in [e["kind"] for e in events]
        assert answer["seq"] == events[-1]["seq"]
        heard = [await watcher.recv_event() for _ in events]
        assert [e["kind"] for e in heard] == [e["kind"] for e in events]
    else:
        assert answer["type"] == "error"
        assert answer["code"] == "forbidden"
        assert events == []
        assert await watcher.hears_nothing()
        assert await adb(room_seq)(room.circle.pk) == seq


async def test_a_cast_acks_created_and_a_change_does_not(room: Room, join: Join) -> None:
    fields = await adb(_ballot_cast)(room)
    expert = await join("expert")
    first = await expert.request({"type": "ballot.cast", "id": 1, **fields})
    second = await expert.request({"type": "ballot.cast", "id": 2, **fields, "choice": "abstain"})
    assert first["created"] is True
    assert second["created"] is False
    assert await adb(Ballot.objects.count)() == 1


async def test_a_veto_needs_a_reason(room: Room, join: Join) -> None:
    fields = await adb(_ballot_cast)(room)
    expert = await join("expert")
    answer = await expert.request({"type": "ballot.cast", "id": 1, **fields, "choice": "veto"})
    assert answer["code"] == "invalid"
    assert await adb(Ballot.objects.count)() == 0


async def test_a_cast_after_the_close_is_refused(room: Room, join: Join) -> None:
    fields = await adb(_ballot_cast)(room)
    moderator = await join("moderator")
    expert = await join("expert")
    await moderator.request({"type": "motion.close", "id": 1, "motion": fields["motion"]})
    answer = await expert.request({"type": "ballot.cast", "id": 2, **fields})
    assert answer["code"] == "conflict"
    assert await adb(Ballot.objects.count)() == 0


async def test_a_motion_of_another_room_is_not_found(room: Room, join: Join) -> None:
    other = await adb(make_room)()
    motion = await adb(open_motion)(other)
    moderator = await join("moderator")
    expert = await join("expert")
    close = await moderator.request({"type": "motion.close", "id": 1, "motion": motion.pk})
    cast = await expert.request(
        {"type": "ballot.cast", "id": 2, "motion": motion.pk, "choice": "veto"}
    )
    assert (close["code"], cast["code"]) == ("not_found", "not_found")
    status = await adb(lambda: Motion.objects.get(pk=motion.pk).status)()
    assert status == "open"


async def test_the_room_hears_the_turnout_but_never_the_choice_or_who(
    room: Room, join: Join
) -> None:
    fields = await adb(_ballot_cast)(room)
    watcher = await join("moderator")
    expert = await join("expert")
    await expert.request({"type": "ballot.cast", "id": 1, **fields, "choice": "consent"})
    event = await watcher.recv_event("motion.turnout")
    assert event["data"] == {"motion": fields["motion"], "turnout": 1, "eligible": 2}
    again = await join("moderator")
    motion = again.welcome["snapshot"]["motions"][0]  # type: ignore[index]
    assert motion["turnout"] == 1
    assert motion["result"] is None
    assert "consent" not in str(event) + str(motion["turnout"])


async def test_secret_ballot_turnout_is_recorded_without_an_actor(room: Room, join: Join) -> None:
    motion = await adb(lambda: open_motion(room, secret=True))()
    expert = await join("expert")
    await expert.request(
        {
            "type": "ballot.cast",
            "id": 1,
            "motion": motion.pk,
            "choice": "veto",
            "reason": "Nicht so.",
        }
    )
    actors = await adb(
        lambda: list(
            RoomEvent.objects.filter(kind="motion.turnout").values_list("actor_id", flat=True)
        )
    )()
    assert actors == [None]


async def test_welcome_snapshot_has_the_result_after_close(room: Room, join: Join) -> None:
    fields = await adb(_ballot_cast)(room)
    expert = await join("expert")
    moderator = await join("moderator")
    await expert.request({"type": "ballot.cast", "id": 1, **fields})
    closed = await moderator.request({"type": "motion.close", "id": 2, "motion": fields["motion"]})
    assert closed["type"] == "ack"
    viewer = await join("anonymous")
    result = viewer.welcome["snapshot"]["motions"][0]["result"]  # type: ignore[index]
    assert result["counts"]["consent"] == 1
    assert result["participants"] == 1


# --- fifty voters at once --------------------------------------------------------------------

N = 50
CHOICES = ["consent"] * 30 + ["consent_with_concerns"] * 10 + ["abstain"] * 6 + ["veto"] * 4


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): row locks under real concurrency",
)
async def test_fifty_sockets_cast_at_once_and_exactly_fifty_ballots_count(
    sockets: list[Socket], settings: Any
) -> None:
    # fifty voters plus the moderator, all from this test's one loopback address
    settings.ROOM_MAX_CONNECTIONS_PER_ADDRESS = N + 10

    def prepare() -> tuple[Room, Motion, list[str], str]:
        room = make_room()
        voters = add_experts(room.circle, N)
        room.circle.memberships.filter(user__in=[room.expert, room.expert2]).delete()
        motion = open_motion(room)
        return room, motion, [session_cookie(u) for u in voters], session_cookie(room.moderator)

    room, motion, voter_cookies, moderator_cookie = await adb(prepare)()

    async def connect(cookie: str) -> Socket:
        socket = Socket(communicator(room_path(room.circle.slug), cookie=cookie))
        sockets.append(socket)
        connected, _ = await socket.communicator.connect(timeout=10)
        assert connected
        socket.welcome = await socket.recv()
        return socket

    voters = await asyncio.gather(*(connect(c) for c in voter_cookies))
    answers = await asyncio.gather(
        *(
            voter.request(
                {
                    "type": "ballot.cast",
                    "id": f"b-{i}",
                    "motion": motion.pk,
                    "choice": choice,
                    "reason": "Bedenken" if choice == "veto" else "",
                }
            )
            for i, (voter, choice) in enumerate(zip(voters, CHOICES, strict=True))
        )
    )

    assert [a["type"] for a in answers] == ["ack"] * N
    assert all(a["created"] for a in answers)
    assert await adb(Ballot.objects.filter(motion=motion).count)() == N
    turnouts = await adb(
        lambda: [
            e["turnout"]
            for e in RoomEvent.objects.filter(kind="motion.turnout").values_list(
                "payload", flat=True
            )
        ]
    )()
    assert sorted(turnouts) == list(range(1, N + 1))

    moderator = await connect(moderator_cookie)
    closed = await moderator.request({"type": "motion.close", "id": "close", "motion": motion.pk})
    assert closed["type"] == "ack"
    result = await adb(lambda: Motion.objects.get(pk=motion.pk).result)()
    assert result.counts == dict(Counter(CHOICES))
    assert result.participant_count == N
    assert result.eligible_count == N
