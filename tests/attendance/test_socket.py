# ruff: noqa: F811  (the room fixtures are imported from tests/rooms/conftest.py)
"""Attendance over the room socket: the moderator's roll call and deputies by role, and a
roll-call vote with a deputy and a quorum over the members present, in the room."""

from __future__ import annotations

from typing import Any

import pytest

from attendance.models import Deputy, RollCall
from tests.attendance.conftest import show_in_room
from tests.factories import Room, make_user
from tests.rooms.conftest import (  # noqa: F401 (fixtures)
    Join,
    _room_settings,
    cookies,
    join,
    open_socket,
    registry,
    session_cookie,
    sockets,
)
from tests.rooms.support import Socket, adb, room_seq
from tests.voting.conftest import add_experts
from voting.models import Result

pytestmark = [pytest.mark.django_db(transaction=True)]

PERSONAS = ("moderator", "expert", "outsider", "anonymous")


async def answer_of(socket: Socket, frame: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    await socket.send(frame)
    kinds: list[str] = []
    while True:
        got = await socket.recv()
        if got["type"] != "event":
            return kinds, got
        kinds.append(got["kind"])


@pytest.mark.parametrize("persona", PERSONAS)
async def test_only_the_moderator_opens_a_roll_call_in_the_room(
    room: Room, join: Join, persona: str
) -> None:
    actor = await join(persona)
    seq = actor.welcome_seq
    kinds, answer = await answer_of(actor, {"type": "rollcall.open", "id": "r-1"})
    if persona == "moderator":
        assert answer["type"] == "ack", answer
        assert kinds == ["rollcall.opened"]
    else:
        assert answer["type"] == "error"
        assert answer["code"] == "forbidden"
        assert await adb(room_seq)(room.circle.pk) == seq
        assert not await adb(RollCall.objects.exists)()


@pytest.mark.parametrize("persona", PERSONAS)
async def test_only_the_moderator_registers_a_deputy_in_the_room(
    room: Room, join: Join, persona: str
) -> None:
    deputy = await adb(make_user)()
    actor = await join(persona)
    kinds, answer = await answer_of(
        actor,
        {"type": "deputy.register", "id": "d-1", "member": room.expert.pk, "deputy": deputy.pk},
    )
    if persona == "moderator":
        assert answer["type"] == "ack", answer
        assert kinds == ["deputy.registered"]
    else:
        assert answer["code"] == "forbidden"
        assert not await adb(Deputy.objects.exists)()


async def test_a_malformed_roll_call_frame_gets_an_error_and_changes_nothing(
    room: Room, join: Join
) -> None:
    moderator = await join("moderator")
    await moderator.request({"type": "rollcall.open", "id": 1})
    answer = await moderator.request(
        {"type": "rollcall.mark", "id": 2, "user": "everyone", "present": True}
    )
    assert (answer["type"], answer["code"], answer["field"]) == ("error", "invalid", "user")
    pong = await moderator.request({"type": "ping", "id": 3})
    assert pong["type"] == "pong"


async def test_a_roll_call_vote_with_a_deputy_and_a_present_quorum_in_the_room(
    room: Room, join: Join
) -> None:
    def prepare() -> tuple[Any, Any]:
        (expert3,) = add_experts(room.circle, 1)
        # The deputy is a drafter of the circle, so it can speak in the room.
        show_in_room(room.circle, room.moderator, room.expert)
        return expert3, room.drafter

    expert3, deputy = await adb(prepare)()
    moderator = await join("moderator")
    expert = await join("expert")
    drafter = await join("drafter")

    _kinds, opened = await answer_of(moderator, {"type": "rollcall.open", "id": 1})
    assert opened["type"] == "ack"
    # Pre-filled: moderator and expert present; the moderator adds expert2, who arrived.
    _kinds, marked = await answer_of(
        moderator, {"type": "rollcall.mark", "id": 2, "user": room.expert2.pk, "present": True}
    )
    assert marked["type"] == "ack", marked
    kinds, closed = await answer_of(moderator, {"type": "rollcall.close", "id": 3})
    assert (kinds, closed["type"]) == (["rollcall.closed"], "ack")
    _kinds, registered = await answer_of(
        moderator,
        {"type": "deputy.register", "id": 4, "member": expert3.pk, "deputy": deputy.pk},
    )
    assert registered["type"] == "ack", registered
    _kinds, motion = await answer_of(
        moderator,
        {
            "type": "motion.open",
            "id": 5,
            "goals": [room.goal.pk],
            "method": "consent",
            "quorum": "1/1",
            "quorum_basis": "present",
            "secret": True,
        },
    )
    assert motion["type"] == "ack", motion
    (motion_id,) = motion["motions"]

    # The deputy cannot cast for expert (present) ...
    _kinds, refused = await answer_of(
        drafter,
        {"type": "ballot.cast", "id": 6, "motion": motion_id, "choice": "consent"}
        | {"for": room.expert.pk},
    )
    assert refused["code"] == "forbidden"
    # ... but for expert3 (absent); expert3 then cannot cast too.
    _kinds, cast = await answer_of(
        drafter,
        {"type": "ballot.cast", "id": 7, "motion": motion_id, "choice": "consent"}
        | {"for": expert3.pk},
    )
    assert cast["type"] == "ack", cast
    _kinds, mine = await answer_of(
        expert, {"type": "ballot.cast", "id": 8, "motion": motion_id, "choice": "consent"}
    )
    assert mine["type"] == "ack", mine
    # Present: moderator (not eligible), expert, expert2: 2 eligible present. 2 ballots (the
    # expert's and the deputy's) of 2 present meet the 1/1 quorum though expert2 did not vote;
    # over all 3 eligible they would not.
    _kinds, result = await answer_of(
        moderator, {"type": "motion.close", "id": 9, "motion": motion_id}
    )
    assert result["type"] == "ack", result
    assert result["outcome"] == "adopted"
    record = await adb(lambda: Result.objects.get(motion_id=motion_id).record)()
    assert record["attendance"]["present"] == 2
    assert record["attendance"]["deputies"] == {"registered": 1, "cast": 1}  # secret: no names
    assert record["result"]["present"] == 2
