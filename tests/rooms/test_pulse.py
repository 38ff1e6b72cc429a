"""The temperature check: the moderation asks, members answer 👍 / 🤔 / 👎 and may change
their answer while it runs, everyone sees the counts live (never who), and once closed only
the question and the counts are kept."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from deliberation import pulse
from deliberation.models import Pulse, PulseAnswer, RoomEvent
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from rooms.snapshots import read_snapshot
from tests.factories import Room
from tests.rooms.conftest import PERSONAS, Join
from tests.rooms.test_snapshots import verify_action

pytestmark = [pytest.mark.django_db]


def _actor(room: Room, persona: str) -> Any:
    return AnonymousUser() if persona == "anonymous" else getattr(room, persona)


def _ask(room: Room, question: str = "Sind wir auf dem richtigen Weg?", **extra: Any) -> Pulse:
    return pulse.pulse_ask(actor=room.moderator, circle=room.circle, question=question, **extra)


def _counts(room: Room) -> dict[str, int]:
    return json.loads(read_snapshot(room.circle.pk).public)["pulse"]["counts"]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "moderator"])
def test_only_the_moderator_asks(room: Room, persona: str) -> None:
    with pytest.raises(Forbidden):
        pulse.pulse_ask(actor=_actor(room, persona), circle=room.circle, question="Frage?")
    assert not Pulse.objects.exists()


@pytest.mark.parametrize("persona", ["moderator", "expert", "drafter"])
def test_members_answer(room: Room, persona: str) -> None:
    check = _ask(room)
    pulse.pulse_answer(
        actor=_actor(room, persona), circle=room.circle, pulse_id=check.pk, answer="agree"
    )
    assert _counts(room) == {"agree": 1, "unsure": 0, "disagree": 0}


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
def test_viewers_cannot_answer(room: Room, persona: str) -> None:
    check = _ask(room)
    with pytest.raises(Forbidden):
        pulse.pulse_answer(
            actor=_actor(room, persona), circle=room.circle, pulse_id=check.pk, answer="agree"
        )
    assert not PulseAnswer.objects.exists()


def test_an_answer_can_be_changed_while_it_runs(room: Room) -> None:
    check = _ask(room)
    pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer="agree")
    pulse.pulse_answer(actor=room.expert2, circle=room.circle, pulse_id=check.pk, answer="agree")
    pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer="disagree")

    assert _counts(room) == {"agree": 1, "unsure": 0, "disagree": 1}


def test_the_same_answer_again_records_nothing(room: Room) -> None:
    check = _ask(room)
    pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer="unsure")
    events = RoomEvent.objects.count()
    pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer="unsure")
    assert RoomEvent.objects.count() == events


def test_the_room_log_never_says_who_answered(room: Room) -> None:
    check = _ask(room)
    pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer="agree")
    event = RoomEvent.objects.get(kind="pulse.answered")
    assert event.actor is None
    assert str(room.expert.pk) not in json.dumps(event.payload["pulse"]["counts"])
    assert set(event.payload["pulse"]) == {
        "id", "question", "asked_by", "asked_at", "ends_at", "closed_at", "counts", "total"
    }  # fmt: skip


def test_no_answer_after_the_time_is_up(room: Room) -> None:
    check = _ask(room, duration=10)
    Pulse.objects.filter(pk=check.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict):
        pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer="agree")


@pytest.mark.parametrize("answer", ["yes", "", None, 1])
def test_an_unknown_answer_is_refused(room: Room, answer: Any) -> None:
    check = _ask(room)
    with pytest.raises(Invalid):
        pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer=answer)
    assert not PulseAnswer.objects.exists()


def test_another_rooms_check_is_not_found(room: Room, private_room: Room) -> None:
    check = _ask(private_room)
    with pytest.raises(NotFound):
        pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer="agree")


@pytest.mark.parametrize("duration", [5, 301, "60", True])
def test_a_duration_beyond_five_minutes_is_refused(room: Room, duration: Any) -> None:
    with pytest.raises(Invalid):
        _ask(room, duration=duration)
    assert not Pulse.objects.exists()


@pytest.mark.parametrize("question", ["", "   ", "x" * 301])
def test_a_question_is_needed(room: Room, question: str) -> None:
    with pytest.raises(Invalid):
        _ask(room, question=question)


def test_closing_keeps_the_counts_and_forgets_who(room: Room) -> None:
    check = _ask(room)
    pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer="agree")
    pulse.pulse_answer(actor=room.drafter, circle=room.circle, pulse_id=check.pk, answer="unsure")

    pulse.pulse_close(actor=room.moderator, circle=room.circle)

    check.refresh_from_db()
    assert (check.agree, check.unsure, check.disagree) == (1, 1, 0)
    assert check.closed_at is not None
    assert not PulseAnswer.objects.exists()
    assert _counts(room) == {"agree": 1, "unsure": 1, "disagree": 0}
    with pytest.raises(Conflict):
        pulse.pulse_answer(
            actor=room.expert2, circle=room.circle, pulse_id=check.pk, answer="agree"
        )


def test_a_new_question_closes_the_previous_one(room: Room) -> None:
    first = _ask(room)
    pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=first.pk, answer="disagree")
    _ask(room, question="Und jetzt?")
    first.refresh_from_db()
    assert first.closed_at is not None and first.disagree == 1
    assert not PulseAnswer.objects.exists()


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "moderator"])
def test_only_the_moderator_closes(room: Room, persona: str) -> None:
    _ask(room)
    with pytest.raises(Forbidden):
        pulse.pulse_close(actor=_actor(room, persona), circle=room.circle)
    assert Pulse.objects.get().closed_at is None


def test_closing_without_a_check_is_a_conflict(room: Room) -> None:
    with pytest.raises(Conflict):
        pulse.pulse_close(actor=room.moderator, circle=room.circle)


def test_stale_snapshot_plus_pulse_events_equals_a_fresh_one(room: Room) -> None:
    def session() -> None:
        check = _ask(room)
        pulse.pulse_answer(actor=room.expert, circle=room.circle, pulse_id=check.pk, answer="agree")
        pulse.pulse_close(actor=room.moderator, circle=room.circle)

    verify_action(room, session, "pulse.asked", "pulse.answered", "pulse.closed")


# --- over the socket, every role ---------------------------------------------------------------


async def _next_pulse_event(socket: Any) -> dict[str, Any]:
    while True:
        frame = await socket.recv_event()
        if frame["kind"].startswith("pulse."):
            return frame


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", PERSONAS)
async def test_every_role_sees_the_counts_live_and_only_members_answer(
    room: Room, join: Join, persona: str
) -> None:
    moderator = await join("moderator")
    socket = await join(persona) if persona != "moderator" else moderator
    watcher = await join("anonymous")
    asked = await moderator.request({"type": "pulse.ask", "id": 1, "question": "Passt das?"})
    assert asked["type"] == "ack"
    event = await _next_pulse_event(watcher)
    assert (event["kind"], event["data"]["pulse"]["question"]) == ("pulse.asked", "Passt das?")

    answer = await socket.request(
        {"type": "pulse.answer", "id": 2, "pulse": asked["pulse"], "answer": "agree"}
    )

    if persona in ("outsider", "anonymous"):
        assert answer["code"] == "forbidden"
        return
    assert answer["type"] == "ack" and answer["answer"] == "agree"
    event = await _next_pulse_event(watcher)
    assert event["kind"] == "pulse.answered"
    assert event["data"]["pulse"]["counts"] == {"agree": 1, "unsure": 0, "disagree": 0}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["expert", "drafter", "outsider", "anonymous"])
async def test_only_the_moderator_asks_and_closes_over_the_socket(
    room: Room, join: Join, persona: str
) -> None:
    socket = await join(persona)
    asked = await socket.request({"type": "pulse.ask", "id": 1, "question": "Frage?"})
    closed = await socket.request({"type": "pulse.close", "id": 2})
    assert (asked["code"], closed["code"]) == ("forbidden", "forbidden")


@pytest.mark.django_db(transaction=True)
async def test_a_malformed_pulse_frame_gets_an_error_and_the_socket_stays(
    room: Room, join: Join
) -> None:
    moderator = await join("moderator")
    bad = await moderator.request({"type": "pulse.ask", "id": 1, "question": 5})
    assert bad["code"] == "invalid"
    good = await moderator.request(
        {"type": "pulse.ask", "id": 2, "question": "Ok?", "duration": 30}
    )
    assert good["type"] == "ack"
