"""Rounds over the room socket (``docs/rounds.md``): every round command for every role, and
the phase rules enforced on the socket, not only in the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deliberation import services
from deliberation.models import AgendaItem, Round
from deliberation.rounds import services as round_services
from tests.factories import Room
from tests.rooms.conftest import PERSONAS, Join
from tests.rooms.support import Socket, adb, room_seq

pytestmark = [pytest.mark.django_db(transaction=True)]

MODERATORS = {"moderator"}
RATERS = {"moderator", "expert"}
EVALUATORS = {"moderator", "drafter"}


def _open(room: Room, *, time_box: int | None = 600) -> Round:
    return round_services.round_open(
        actor=room.moderator,
        circle=room.circle,
        agenda=[{"goal": room.goal.pk, "time_box": time_box}],
    )


def _idea(room: Room) -> int:
    _open(room)
    idea, _ = round_services.idea_propose(
        actor=room.expert2, circle=room.circle, title="Neues Ziel", text="Text", client_key="i"
    )
    return idea.pk


def _in_evaluation(room: Room) -> int:
    _open(room)
    comment, _ = services.comment_post(
        actor=room.expert2,
        circle=room.circle,
        goal_id=room.goal.pk,
        body="Zu vage.",
        client_key="c",
    )
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="evaluation")
    return comment.pk


def _round_open(room: Room) -> dict[str, Any]:
    return {"agenda": [{"goal": room.goal.pk, "time_box": 300}], "ratings_public": False}


def _round_phase(room: Room) -> dict[str, Any]:
    _open(room)
    return {"phase": "evaluation", "expected_phase": "discussion"}


def _agenda_start(room: Room) -> dict[str, Any]:
    round_ = _open(room)
    return {"item": AgendaItem.objects.get(round=round_).pk}


def _rating_set(room: Room) -> dict[str, Any]:
    _open(room)
    return {"goal": room.goal.pk, "support": 4, "needs_rework": True}


def _idea_propose(room: Room) -> dict[str, Any]:
    _open(room)
    return {
        "title": "Ein neues Ziel",
        "text": "Alle Kitas …",
        "rationale": "Weil",
        "client_key": "k",
    }


def _idea_accept(room: Room) -> dict[str, Any]:
    return {"idea": _idea(room), "response": "Gern."}


def _idea_decline(room: Room) -> dict[str, Any]:
    return {"idea": _idea(room), "reason": "Gibt es schon."}


def _disposition_set(room: Room) -> dict[str, Any]:
    return {"comment": _in_evaluation(room), "value": "answered", "response": "Wird erklärt."}


def _version_publish(room: Room) -> dict[str, Any]:
    """In revision, a new version that takes up the round's comment (the room's revision
    form sends exactly this)."""
    comment = _in_evaluation(room)
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="revision")
    return {
        "goal": room.goal.pk,
        "text": "Überarbeitet: konkreter.",
        "change_note": "konkreter",
        "comment_ids": [comment],
        "idea_ids": [],
    }


# command → (prepare, the event it records, who may)
COMMANDS: dict[str, tuple[Callable[[Room], dict[str, Any]], str, set[str]]] = {
    "round.open": (_round_open, "round.opened", MODERATORS),
    "round.phase": (_round_phase, "round.phase_changed", MODERATORS),
    "agenda.start": (_agenda_start, "agenda.item_started", MODERATORS),
    "rating.set": (_rating_set, "rating.aggregate", RATERS),
    "idea.propose": (_idea_propose, "idea.proposed", RATERS),
    "idea.accept": (_idea_accept, "idea.accepted", MODERATORS),
    "idea.decline": (_idea_decline, "idea.declined", MODERATORS),
    "disposition.set": (_disposition_set, "disposition.set", EVALUATORS),
    "version.publish": (_version_publish, "goal.version_published", EVALUATORS),
}


async def events_then_answer(socket: Socket) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The events a command recorded (they come first), then its ack or error."""
    events: list[dict[str, Any]] = []
    while True:
        frame = await socket.recv()
        if frame["type"] != "event":
            return events, frame
        events.append(frame)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("command", list(COMMANDS))
async def test_round_command_by_role(room: Room, join: Join, command: str, persona: str) -> None:
    prepare, kind, allowed = COMMANDS[command]
    fields = await adb(prepare)(room)
    watcher = await join("anonymous")
    actor = await join(persona)
    seq = actor.welcome_seq

    await actor.send({"type": command, "id": "r-1", **fields})
    events, answer = await events_then_answer(actor)

    if persona in allowed:
        assert answer["type"] == "ack", answer
        assert kind in [e["kind"] for e in events]
        assert answer["seq"] == events[-1]["seq"]
        heard = [await watcher.recv_event() for _ in events]
        assert [e["kind"] for e in heard] == [e["kind"] for e in events]
    else:
        assert answer["type"] == "error"
        assert answer["id"] == "r-1"
        assert answer["code"] == "forbidden"
        assert events == []
        assert await watcher.hears_nothing()
        assert await adb(room_seq)(room.circle.pk) == seq


async def test_expert_cannot_comment_during_evaluation(room: Room, join: Join) -> None:
    await adb(_in_evaluation)(room)
    expert = await join("expert")
    watcher = await join("anonymous")
    comments = len(expert.welcome["snapshot"]["comments"])  # type: ignore[index]

    answer = await expert.request(
        {
            "type": "comment.post",
            "id": 1,
            "goal": room.goal.pk,
            "body": "Noch was",
            "client_key": "x",
        }
    )

    assert answer["type"] == "error"
    assert answer["code"] == "conflict"
    assert answer["field"] == "phase"
    assert "Auswertung" in answer["message"]
    assert await watcher.hears_nothing()
    again = await join("expert")
    assert len(again.welcome["snapshot"]["comments"]) == comments  # type: ignore[index]


async def test_expert_cannot_rate_or_propose_during_evaluation(room: Room, join: Join) -> None:
    await adb(_in_evaluation)(room)
    expert = await join("expert")
    rating = await expert.request(
        {"type": "rating.set", "id": 1, "goal": room.goal.pk, "support": 5}
    )
    idea = await expert.request({"type": "idea.propose", "id": 2, "title": "T", "text": "X"})
    assert (rating["code"], idea["code"]) == ("conflict", "conflict")
    assert await adb(room_seq)(room.circle.pk) == expert.welcome_seq


async def test_drafter_cannot_give_dispositions_during_discussion(room: Room, join: Join) -> None:
    comment = await adb(
        lambda: (
            services.comment_post(
                actor=room.expert,
                circle=room.circle,
                goal_id=room.goal.pk,
                body="B",
                client_key="b",
            )[0].pk
        )
    )()
    await adb(_open)(room)
    drafter = await join("drafter")
    answer = await drafter.request(
        {
            "type": "disposition.set",
            "id": 1,
            "comment": comment,
            "value": "answered",
            "response": "R",
        }
    )
    assert answer["code"] == "conflict"
    assert answer["field"] == "phase"


async def test_a_repeated_phase_switch_is_a_conflict_and_switches_once(
    room: Room, join: Join
) -> None:
    await adb(_open)(room)
    moderator = await join("moderator")
    frame = {"type": "round.phase", "phase": "evaluation", "expected_phase": "discussion"}
    first = await moderator.request({**frame, "id": 1})
    second = await moderator.request({**frame, "id": 2})
    assert first["type"] == "ack"
    assert second["type"] == "error"
    assert second["code"] == "conflict"
    phases = await adb(lambda: list(Round.objects.values_list("phase", flat=True)))()
    assert phases == ["evaluation"]


async def test_experts_follow_the_phase_switches_live(room: Room, join: Join) -> None:
    await adb(_open)(room)
    moderator = await join("moderator")
    expert = await join("expert")
    assert expert.welcome["snapshot"]["round"]["round"]["phase"] == "discussion"  # type: ignore[index]

    for old, new in (("discussion", "evaluation"), ("evaluation", "revision")):
        await moderator.request(
            {"type": "round.phase", "id": new, "phase": new, "expected_phase": old}
        )
        event = await expert.recv_event("round.phase_changed")
        assert event["data"]["from"] == old
        assert event["data"]["round"]["phase"] == new


async def test_agenda_start_carries_the_server_kept_deadline(room: Room, join: Join) -> None:
    fields = await adb(_agenda_start)(room)
    moderator = await join("moderator")
    expert = await join("expert")
    assert "server_time" in expert.welcome  # type: ignore[operator]

    await moderator.request({"type": "agenda.start", "id": 1, **fields})
    event = await expert.recv_event("agenda.item_started")

    item = event["data"]["item"]
    assert item["id"] == fields["item"]
    assert item["time_box"] == 600
    assert item["remaining"] == 600
    assert item["deadline"] is not None
    assert event["data"]["server_time"]


async def test_idea_propose_is_idempotent_by_client_key(room: Room, join: Join) -> None:
    await adb(_open)(room)
    expert = await join("expert")
    frame = {"type": "idea.propose", "title": "T", "text": "X", "client_key": "same"}
    first = await expert.request({**frame, "id": 1})
    second = await expert.request({**frame, "id": 2})
    assert first["created"] is True
    assert second["created"] is False
    assert second["idea"] == first["idea"]
    assert second["seq"] == first["seq"]


async def test_rating_aggregate_reaches_the_room(room: Room, join: Join) -> None:
    await adb(_open)(room)
    expert = await join("expert")
    watcher = await join("anonymous")
    await expert.request(
        {"type": "rating.set", "id": 1, "goal": room.goal.pk, "support": 2, "needs_rework": True}
    )
    aggregate = (await watcher.recv_event("rating.aggregate"))["data"]["aggregate"]
    assert aggregate["count"] == 1
    assert aggregate["distribution"]["2"] == 1
    assert aggregate["needs_rework"] == 1
    assert aggregate["ratings"] is None


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        ({"type": "round.open", "agenda": "1"}, "agenda"),
        ({"type": "round.open", "agenda": [], "ratings_public": "ja"}, "ratings_public"),
        ({"type": "rating.set", "goal": 1, "support": "5"}, "support"),
        (
            {"type": "disposition.set", "comment": "1", "value": "answered", "response": ""},
            "comment",
        ),
        ({"type": "ballot.cast", "motion": 1, "resistances": [1]}, "resistances"),
        ({"type": "version.publish", "goal": 1}, "text"),
        ({"type": "version.publish", "goal": 1, "text": "x", "comment_ids": "1"}, "comment_ids"),
    ],
)
async def test_wrongly_typed_round_fields_are_invalid(
    room: Room, join: Join, frame: dict[str, Any], field: str
) -> None:
    moderator = await join("moderator")
    answer = await moderator.request({**frame, "id": "x"})
    assert answer["type"] == "error"
    assert answer["code"] == "invalid"
    assert answer["field"] == field
