"""The working group's drafter in the expert circle's room (``docs/protocol.md``, "What you
may do"): the socket lets a drafter of the field send exactly the evaluation and revision
commands the rule allows (``deliberation.rules.may_evaluate`` / ``may_revise``, as in the
API), and nothing else; the welcome says so in ``may``."""

from __future__ import annotations

from typing import Any

import pytest

from deliberation.models import Circle, Membership
from deliberation.rounds import services as round_services
from tests.factories import Room, make_circle, make_field, make_user
from tests.rooms.support import Socket, adb, room_seq
from tests.rooms.test_round_commands import (
    _disposition_set,
    _in_evaluation,
    _version_publish,
    events_then_answer,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

# field_drafter: a drafter of the field's working group only; other_drafter: a drafter of
# another field's working group. Both are viewers of the (public) expert circle's room.
PERSONAS = (
    "moderator",
    "expert",
    "drafter",
    "field_drafter",
    "other_drafter",
    "outsider",
    "anonymous",
)
ROLE = {
    "moderator": "moderator",
    "expert": "expert",
    "drafter": "drafter",
    "field_drafter": "viewer",
    "other_drafter": "viewer",
    "outsider": "viewer",
    "anonymous": "viewer",
}
# Who evaluates and revises: the moderator and a drafter of any circle of the field.
EVALUATORS = {"moderator", "drafter", "field_drafter"}


def _working_groups(room: Room) -> None:
    group = make_circle(
        room.circle.action_field, kind=Circle.Kind.WORKING_GROUP, slug=f"{room.circle.slug}-ag"
    )
    room.field_drafter = make_user()  # type: ignore[attr-defined]
    Membership.objects.create(user=room.field_drafter, circle=group, role="drafter")  # type: ignore[attr-defined]
    other = make_circle(make_field(), kind=Circle.Kind.WORKING_GROUP)
    room.other_drafter = make_user()  # type: ignore[attr-defined]
    Membership.objects.create(user=room.other_drafter, circle=other, role="drafter")  # type: ignore[attr-defined]


@pytest.fixture
def groups(room: Room) -> Room:
    _working_groups(room)
    return room


@pytest.mark.parametrize("persona", PERSONAS)
async def test_welcome_says_what_each_persona_may_do(groups: Room, join: Any, persona: str) -> None:
    socket: Socket = await join(persona)
    assert socket.welcome is not None
    assert socket.welcome["role"] == ROLE[persona]
    evaluates = persona in EVALUATORS
    assert socket.welcome["may"] == {
        "moderate": persona == "moderator",
        "evaluate": evaluates,
        "revise": evaluates,
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("command", "prepare", "kind"),
    [
        ("disposition.set", _disposition_set, "disposition.set"),
        ("version.publish", _version_publish, "goal.version_published"),
    ],
)
async def test_evaluation_and_revision_commands_follow_the_rule(
    groups: Room, join: Any, persona: str, command: str, prepare: Any, kind: str
) -> None:
    fields = await adb(prepare)(groups)
    watcher = await join("anonymous")
    actor = await join(persona)

    await actor.send({"type": command, "id": "d-1", **fields})
    events, answer = await events_then_answer(actor)

    if persona in EVALUATORS:
        assert answer["type"] == "ack", answer
        assert kind in [e["kind"] for e in events]
        heard = [await watcher.recv_event() for _ in events]
        assert [e["kind"] for e in heard] == [e["kind"] for e in events]
    else:
        assert (answer["type"], answer["id"], answer["code"]) == ("error", "d-1", "forbidden")
        assert events == []
        assert await watcher.hears_nothing()
        assert await adb(room_seq)(groups.circle.pk) == actor.welcome_seq


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "comment.post", "goal": 0, "body": "Hallo", "client_key": "k"},
        {"type": "hand.raise"},
        {"type": "rating.set", "goal": 0, "support": 4},
        {"type": "idea.propose", "title": "T", "text": "X"},
        {"type": "round.phase", "phase": "revision"},
        {"type": "idea.decline", "idea": 1, "reason": "nein"},
    ],
    ids=lambda frame: frame["type"],
)
async def test_field_drafter_stays_a_viewer_for_everything_else(
    groups: Room, join: Any, frame: dict[str, Any]
) -> None:
    await adb(_in_evaluation)(groups)
    drafter = await join("field_drafter")
    if "goal" in frame:
        frame = {**frame, "goal": groups.goal.pk}

    answer = await drafter.request({**frame, "id": "v-1"})

    assert (answer["type"], answer["code"]) == ("error", "forbidden")
    assert "Zuschauende" in answer["message"]
    assert await adb(room_seq)(groups.circle.pk) == drafter.welcome_seq


async def test_field_drafter_cannot_give_dispositions_during_discussion(
    groups: Room, join: Any
) -> None:
    """The socket opens the door; the phase still decides (the service's answer)."""
    await adb(
        lambda: round_services.round_open(
            actor=groups.moderator,
            circle=groups.circle,
            agenda=[{"goal": groups.goal.pk, "time_box": None}],
        )
    )()
    drafter = await join("field_drafter")
    comment = {"type": "disposition.set", "id": 1, "value": "answered", "response": "R"}

    answer = await drafter.request({**comment, "comment": 1})

    assert answer["type"] == "error"
    assert answer["code"] == "conflict"
    assert await adb(room_seq)(groups.circle.pk) == drafter.welcome_seq


async def test_a_drafter_who_left_the_working_group_is_refused(groups: Room, join: Any) -> None:
    """``may`` is read at connect; the service asks the rule again on every command."""
    fields = await adb(_disposition_set)(groups)
    drafter = await join("field_drafter")
    await adb(Membership.objects.filter(user=groups.field_drafter).delete)()  # type: ignore[attr-defined]

    answer = await drafter.request({"type": "disposition.set", "id": 1, **fields})

    assert (answer["type"], answer["code"]) == ("error", "forbidden")
