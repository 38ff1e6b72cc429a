"""The welcome snapshot carries the active round and the motions; for the round and vote
kinds too, a stale snapshot plus the events since equals a fresh snapshot, in both views."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deliberation import services
from deliberation.models import AgendaItem, Goal
from deliberation.rounds import services as round_services
from rooms.replay import events_after
from rooms.snapshots import read_snapshot
from tests.factories import Room
from tests.rooms.support import apply_event
from tests.voting.conftest import open_motion
from voting import services as voting_services

pytestmark = [pytest.mark.django_db]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 5, 12, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The countdown's ``remaining`` depends on the time the snapshot is read: freeze it."""
    frozen = Clock()
    monkeypatch.setattr("django.utils.timezone.now", frozen)
    return frozen


def _by_id(items: list[dict[str, Any]], item: dict[str, Any], key: str = "id") -> list[Any]:
    return [item if other[key] == item[key] else other for other in items]


def reduce(state: dict[str, Any], kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The client's reducer (``docs/protocol.md``): the room kinds, then rounds and motions."""
    state = apply_event(state, kind, data)
    part = state["round"]
    if kind == "round.opened":
        state["round"] = data
    elif part is not None and kind == "round.phase_changed":
        state["round"] = (
            None if data["round"]["phase"] == "closed" else {**part, "round": data["round"]}
        )
    elif part is not None and kind == "agenda.item_started":
        part["round"]["current_item"] = data["item"]["id"]
        part["round"]["agenda"] = _by_id(part["round"]["agenda"], data["item"])
    elif part is not None and kind == "rating.aggregate":
        part["ratings"] = _by_id(part["ratings"], data["aggregate"], key="goal")
    elif part is not None and kind == "idea.proposed":
        part["ideas"].append(data["idea"])
    elif part is not None and kind in ("idea.accepted", "idea.declined"):
        part["ideas"] = _by_id(part["ideas"], data["idea"])
    elif part is not None and kind == "disposition.set":
        others = [d for d in part["dispositions"] if d["id"] != data["disposition"]["id"]]
        part["dispositions"] = sorted([*others, data["disposition"]], key=lambda d: d["id"])
    elif kind == "motion.opened":
        others = [m for m in state["motions"] if m["id"] != data["motion"]["id"]]
        state["motions"] = [*others, data["motion"]]
    elif kind == "motion.turnout":
        for motion in state["motions"]:
            if motion["id"] == data["motion"]:
                motion["turnout"] = data["turnout"]
    elif kind == "motion.closed":
        state["motions"] = _by_id(state["motions"], data["motion"])
    return state


def _timeless(state: dict[str, Any]) -> dict[str, Any]:
    """``remaining`` is "as of when this was produced": the one field no reducer keeps (a
    client counts down from ``deadline``), so the comparison leaves it out."""
    if state["round"] is not None:
        for item in state["round"]["round"]["agenda"]:
            item.pop("remaining")
    return state


def verify_action(room: Room, action: Callable[[], Any]) -> list[str]:
    before = read_snapshot(room.circle.pk)
    action()
    after = read_snapshot(room.circle.pk)
    events = events_after(room.circle.pk, before.seq, limit=1000)
    assert events, "the action recorded nothing"
    for view in ("public", "moderator"):
        state = json.loads(getattr(before, view))
        for event in events:
            frame = json.loads(getattr(event, view))
            state = reduce(state, frame["kind"], frame["data"])
        assert _timeless(state) == _timeless(json.loads(getattr(after, view))), view
    return [json.loads(e.public)["kind"] for e in events]


def _open(room: Room) -> None:
    round_services.round_open(
        actor=room.moderator,
        circle=room.circle,
        agenda=[{"goal": room.goal.pk, "time_box": 600}],
    )


def test_snapshot_without_round_or_motions(room: Room) -> None:
    snapshot = json.loads(read_snapshot(room.circle.pk).public)
    assert snapshot["round"] is None
    assert snapshot["motions"] == []


def test_round_lifecycle_keeps_snapshot_and_events_in_step(room: Room, clock: Clock) -> None:
    assert verify_action(room, lambda: _open(room)) == ["round.opened"]

    def discuss() -> None:
        item = AgendaItem.objects.get(round__circle=room.circle)
        round_services.agenda_item_start(actor=room.moderator, circle=room.circle, item_id=item.pk)
        clock.advance(30)
        round_services.rating_set(
            actor=room.expert, circle=room.circle, goal_id=room.goal.pk, support=4
        )
        idea, _ = round_services.idea_propose(
            actor=room.expert, circle=room.circle, title="Idee", text="Text"
        )
        round_services.idea_decline(
            actor=room.moderator, circle=room.circle, idea_id=idea.pk, reason="Schon da."
        )
        services.comment_post(
            actor=room.expert,
            circle=room.circle,
            goal_id=room.goal.pk,
            body="Frage",
            client_key="q",
        )

    verify_action(room, discuss)

    def evaluate() -> None:
        round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="evaluation")
        comment = room.circle.comments.get()
        round_services.disposition_set(
            actor=room.drafter,
            circle=room.circle,
            comment_id=comment.pk,
            value="answered",
            response="So.",
        )
        round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="revision")
        round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="closed")

    verify_action(room, evaluate)
    assert json.loads(read_snapshot(room.circle.pk).public)["round"] is None


def test_vote_keeps_snapshot_and_events_in_step(room: Room, clock: Clock) -> None:
    motion_ids: list[int] = []
    verify_action(room, lambda: motion_ids.append(open_motion(room, secret=True).pk))

    def cast() -> None:
        voting_services.ballot_cast(actor=room.expert, motion_id=motion_ids[0], choice="consent")
        voting_services.ballot_cast(
            actor=room.expert2, motion_id=motion_ids[0], choice="consent_with_concerns"
        )

    assert verify_action(room, cast) == ["motion.turnout", "motion.turnout"]
    kinds = verify_action(
        room, lambda: voting_services.motion_close(actor=room.moderator, motion_id=motion_ids[0])
    )
    assert "motion.closed" in kinds
    motions = json.loads(read_snapshot(room.circle.pk).public)["motions"]
    assert motions[0]["result"]["outcome"] == "adopted"


# --- the field's goals a round may take up, and the decisions on comments -----------------


def test_field_goals_list_every_goal_a_round_may_take_up(room: Room) -> None:
    """Draft, revised and in discussion: the round-opening form's choice (no dead end after a
    rejected vote or an accepted idea); withdrawn goals are not offered."""
    draft = services.goal_create(
        actor=None, action_field=room.circle.action_field, title="Entwurf", text="T"
    )
    revised = services.goal_create(
        actor=None, action_field=room.circle.action_field, title="Überarbeitet", text="T"
    )
    services.goal_transition(actor=None, goal=revised, to_status=Goal.Status.IN_DISCUSSION)
    services.goal_transition(actor=None, goal=revised, to_status=Goal.Status.REVISED)
    withdrawn = services.goal_create(
        actor=None, action_field=room.circle.action_field, title="Zurückgezogen", text="T"
    )
    services.goal_transition(
        actor=None, goal=withdrawn, to_status=Goal.Status.WITHDRAWN, reason="doppelt"
    )

    snapshot = json.loads(read_snapshot(room.circle.pk).public)

    statuses = {g["id"]: g["status"] for g in snapshot["field_goals"]}
    assert statuses == {
        room.goal.pk: "in_discussion",
        draft.pk: "draft",
        revised.pk: "revised",
    }
    assert [g["id"] for g in snapshot["goals"]] == [room.goal.pk]


def test_field_goals_follow_the_goal_events(room: Room) -> None:
    def change() -> None:
        goal = services.goal_create(
            actor=None, action_field=room.circle.action_field, title="Neu", text="T"
        )
        services.goal_transition(actor=room.moderator, goal=room.goal, to_status="revised")
        services.goal_transition(
            actor=None, goal=goal, to_status=Goal.Status.WITHDRAWN, reason="doppelt"
        )
        services.goal_version_create(actor=room.drafter, goal=room.goal, text="Neu.")

    verify_action(room, change)


def test_a_revised_goal_can_open_a_new_round_and_its_events_keep_step(room: Room) -> None:
    services.goal_transition(actor=room.moderator, goal=room.goal, to_status="revised")
    kinds = verify_action(room, lambda: _open(room))
    assert kinds == ["goal.status_changed", "round.opened"]
    snapshot = json.loads(read_snapshot(room.circle.pk).public)
    assert [g["id"] for g in snapshot["goals"]] == [room.goal.pk]


def test_decisions_on_comments_survive_the_close_of_their_round(room: Room) -> None:
    def cycle() -> None:
        _open(room)
        comment, _ = services.comment_post(
            actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="?", client_key="c"
        )
        round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="evaluation")
        round_services.disposition_set(
            actor=room.drafter,
            circle=room.circle,
            comment_id=comment.pk,
            value="accepted",
            response="Wird aufgenommen.",
        )
        round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="revision")
        round_services.goal_version_publish(
            actor=room.drafter,
            circle=room.circle,
            goal_id=room.goal.pk,
            text="Besser.",
            comment_ids=[comment.pk],
        )
        round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="closed")

    verify_action(room, cycle)

    snapshot = json.loads(read_snapshot(room.circle.pk).public)
    assert snapshot["round"] is None
    [decision] = snapshot["comment_dispositions"]
    assert decision["feedback"]["type"] == "comment"
    assert (decision["value"], decision["response"]) == ("accepted", "Wird aufgenommen.")
    assert decision["addressed_in"]["number"] == 2
