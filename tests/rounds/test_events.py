"""Every change of a round is a room event, recorded in the same transaction, with a payload
that survives JSON and describes things the way a fresh snapshot does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from deliberation.models import Disposition, RoomEvent, Round
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds import services as round_services
from tests.rounds.conftest import Clock, Demo, comment, events, open_round, roundtrip, to_phase

pytestmark = pytest.mark.django_db


def _last(demo: Demo, kind: str) -> dict[str, Any]:
    found = events(demo.circle, kind)
    assert found, f"no {kind} event"
    payload = found[-1].payload
    assert payload == roundtrip(payload)
    return payload


def test_round_opened_event_carries_the_round_with_its_agenda(demo: Demo, clock: Clock) -> None:
    round_ = open_round(demo)
    payload = _last(demo, "round.opened")
    assert payload["round"] == roundtrip(round_selectors.round_state(round_))
    assert payload["round"]["phase"] == "discussion"
    assert payload["round"]["opened_by"] == {"id": demo.moderator.pk, "name": "Mara Moderatorin"}
    assert [
        (i["order"], i["goal"], i["time_box"], i["version"]["number"])
        for i in payload["round"]["agenda"]
    ] == [
        (1, demo.goals[0].pk, 600, 1),
        (2, demo.goals[1].pk, 600, 1),
    ]
    assert payload["carried_over"] == []


def test_opening_puts_draft_goals_into_discussion_and_every_field_room_hears_it(
    demo: Demo,
) -> None:
    draft = demo.goals[2]
    round_services.round_open(actor=demo.moderator, circle=demo.circle, agenda=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == "in_discussion"
    for circle in (demo.circle, demo.working_group):
        changed = events(circle, "goal.status_changed")[-1]
        assert changed.payload["goal"]["id"] == draft.pk


def test_phase_change_event_names_both_phases(demo: Demo, clock: Clock) -> None:
    open_round(demo)
    clock.advance(90)
    to_phase(demo, Round.Phase.EVALUATION)
    payload = _last(demo, "round.phase_changed")
    assert payload["from"] == "discussion"
    assert payload["round"]["phase"] == "evaluation"
    assert payload["round"]["phase_changed_at"] == clock().isoformat()


def test_rating_event_carries_the_aggregate_but_no_individual_ratings(demo: Demo) -> None:
    open_round(demo)
    goal = demo.goals[0]
    for expert, support in zip(demo.experts, (5, 4, 1), strict=True):
        round_services.rating_set(
            actor=expert,
            circle=demo.circle,
            goal_id=goal.pk,
            support=support,
            needs_rework=support < 3,
        )
    aggregate = _last(demo, "rating.aggregate")["aggregate"]
    assert aggregate["goal"] == goal.pk
    assert aggregate["count"] == 3
    assert aggregate["mean"] == pytest.approx(3.33)
    assert aggregate["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert aggregate["needs_rework"] == 1
    assert aggregate["ratings"] is None
    assert "Yılmaz" not in str(events(demo.circle, "rating.aggregate")[-1].payload)


def test_public_ratings_show_who_rated_what(demo: Demo) -> None:
    open_round(demo, ratings_public=True)
    round_services.rating_set(
        actor=demo.expert, circle=demo.circle, goal_id=demo.goals[0].pk, support=5
    )
    ratings = _last(demo, "rating.aggregate")["aggregate"]["ratings"]
    assert [(r["person"]["name"], r["support"], r["needs_rework"]) for r in ratings] == [
        ("Ayşe Yılmaz", 5, False)
    ]


def test_own_rating_changes_during_discussion_and_the_same_rating_again_is_silent(
    demo: Demo,
) -> None:
    round_ = open_round(demo)
    goal = demo.goals[0]
    round_services.rating_set(actor=demo.expert, circle=demo.circle, goal_id=goal.pk, support=2)
    round_services.rating_set(actor=demo.expert, circle=demo.circle, goal_id=goal.pk, support=5)
    count = RoomEvent.objects.count()
    round_services.rating_set(actor=demo.expert, circle=demo.circle, goal_id=goal.pk, support=5)
    assert RoomEvent.objects.count() == count
    aggregate = round_selectors.rating_aggregate(round_, goal.pk)
    assert (aggregate["count"], aggregate["mean"]) == (1, 5.0)
    assert [r.support for r in round_selectors.own_ratings(round_, demo.expert)] == [5]


def test_rating_a_goal_off_the_agenda_is_not_found(demo: Demo) -> None:
    from kernel.errors import NotFound

    open_round(demo, goals=1)
    with pytest.raises(NotFound):
        round_services.rating_set(
            actor=demo.expert, circle=demo.circle, goal_id=demo.goals[1].pk, support=3
        )


def test_idea_events_follow_the_idea_and_its_disposition(demo: Demo) -> None:
    open_round(demo)
    idea, created = round_services.idea_propose(
        actor=demo.expert,
        circle=demo.circle,
        title="Lesepaten",
        text="Ehrenamtliche lesen vor.",
        client_key="idea-1",
    )
    again, created_again = round_services.idea_propose(
        actor=demo.expert,
        circle=demo.circle,
        title="Lesepaten",
        text="Ehrenamtliche lesen vor.",
        client_key="idea-1",
    )
    assert created and not created_again and again.pk == idea.pk
    proposed = _last(demo, "idea.proposed")["idea"]
    assert (proposed["id"], proposed["title"], proposed["state"]) == (
        idea.pk,
        "Lesepaten",
        "proposed",
    )
    assert len(events(demo.circle, "idea.proposed")) == 1

    round_services.idea_accept(
        actor=demo.moderator, circle=demo.circle, idea_id=idea.pk, title="Lesepatenschaften"
    )
    accepted = _last(demo, "idea.accepted")
    assert accepted["idea"]["state"] == "accepted"
    assert accepted["goal"]["title"] == "Lesepatenschaften"
    assert accepted["goal"]["status"] == "draft"
    assert accepted["idea"]["resulting_goal"] == accepted["goal"]["id"]
    disposition = _last(demo, "disposition.set")["disposition"]
    assert disposition["feedback"] == {"type": "idea", "id": idea.pk, "goal": None}
    assert disposition["value"] == "accepted"
    assert disposition["addressed_in"]["number"] == 1


def test_declined_idea_keeps_its_reason_as_the_response(demo: Demo) -> None:
    open_round(demo)
    idea, _ = round_services.idea_propose(
        actor=demo.expert, circle=demo.circle, title="T", text="X"
    )
    round_services.idea_decline(
        actor=demo.moderator, circle=demo.circle, idea_id=idea.pk, reason="Gibt es schon."
    )
    assert _last(demo, "idea.declined")["idea"]["decline_reason"] == "Gibt es schon."
    disposition = _last(demo, "disposition.set")["disposition"]
    assert (disposition["value"], disposition["response"]) == ("not_accepted", "Gibt es schon.")


def test_disposition_event_and_its_update_when_a_version_takes_it_up(
    demo: Demo, clock: Clock
) -> None:
    open_round(demo)
    said = comment(demo, demo.expert, demo.goals[0], "Bitte konkreter.")
    to_phase(demo, Round.Phase.EVALUATION)
    round_services.disposition_set(
        actor=demo.drafter,
        circle=demo.circle,
        comment_id=said.pk,
        value=Disposition.Value.ACCEPTED,
        response="Machen wir.",
    )
    set_ = _last(demo, "disposition.set")["disposition"]
    assert set_["feedback"] == {"type": "comment", "id": said.pk, "goal": demo.goals[0].pk}
    assert (set_["value"], set_["response"], set_["addressed_in"]) == (
        "accepted",
        "Machen wir.",
        None,
    )
    assert set_["decided_by"]["name"] == "David Redakteur"

    to_phase(demo, Round.Phase.REVISION)
    version = round_services.goal_version_publish(
        actor=demo.drafter,
        circle=demo.circle,
        goal_id=demo.goals[0].pk,
        text="Konkreter.",
        comment_ids=[said.pk],
    )
    updated = _last(demo, "disposition.set")["disposition"]
    assert updated["addressed_in"] == {"id": version.pk, "goal": demo.goals[0].pk, "number": 2}
    for circle in (demo.circle, demo.working_group):
        linked = events(circle, "version.feedback_linked")[-1].payload
        assert linked == {
            "version": {"id": version.pk, "goal": demo.goals[0].pk, "number": 2},
            "feedback": [{"type": "comment", "id": said.pk, "goal": demo.goals[0].pk}],
        }
    assert (
        events(demo.circle, "goal.version_published")[-1].payload["goal"]["version"]["number"] == 2
    )


def test_setting_the_same_disposition_again_records_nothing(demo: Demo) -> None:
    open_round(demo)
    said = comment(demo, demo.expert, demo.goals[0], "Ok.")
    to_phase(demo, Round.Phase.EVALUATION)
    for _ in range(2):
        round_services.disposition_set(
            actor=demo.moderator,
            circle=demo.circle,
            comment_id=said.pk,
            value="answered",
            response="Danke.",
        )
    assert len(events(demo.circle, "disposition.set")) == 1


# --- a stale snapshot plus the events equals a fresh snapshot --------------------------------


def _apply(snapshot: dict[str, Any] | None, kind: str, data: dict[str, Any]) -> Any:
    """The client's reducer for round events, as simple as ``docs/rounds.md`` promises;
    returns the new round part of the snapshot."""
    if kind == "round.opened":
        return data
    if snapshot is None:
        return None
    if kind == "round.phase_changed":
        if data["round"]["phase"] == "closed":
            return None
        snapshot["round"] = data["round"]
    elif kind == "agenda.item_started":
        snapshot["round"]["current_item"] = data["item"]["id"]
        snapshot["round"]["agenda"] = [
            data["item"] if item["id"] == data["item"]["id"] else item
            for item in snapshot["round"]["agenda"]
        ]
    elif kind == "rating.aggregate":
        snapshot["ratings"] = [
            data["aggregate"] if a["goal"] == data["aggregate"]["goal"] else a
            for a in snapshot["ratings"]
        ]
    elif kind == "idea.proposed":
        snapshot["ideas"].append(data["idea"])
    elif kind in ("idea.accepted", "idea.declined"):
        snapshot["ideas"] = [
            data["idea"] if i["id"] == data["idea"]["id"] else i for i in snapshot["ideas"]
        ]
    elif kind == "disposition.set":
        others = [d for d in snapshot["dispositions"] if d["id"] != data["disposition"]["id"]]
        snapshot["dispositions"] = sorted(
            [*others, data["disposition"]], key=lambda d: int(d["id"])
        )
    return snapshot


def test_stale_round_snapshot_plus_events_equals_a_fresh_one(demo: Demo, clock: Clock) -> None:
    open_round(demo)
    said = comment(demo, demo.expert, demo.goals[0], "Frage.")
    stale = roundtrip(round_selectors.room_round_snapshot(demo.circle))
    seq = demo.circle.events.order_by("-seq").values_list("seq", flat=True).first() or 0

    item = Round.objects.get().agenda.order_by("order").first()
    assert item is not None
    round_services.agenda_item_start(actor=demo.moderator, circle=demo.circle, item_id=item.pk)
    round_services.rating_set(
        actor=demo.expert, circle=demo.circle, goal_id=demo.goals[0].pk, support=3
    )
    idea, _ = round_services.idea_propose(
        actor=demo.expert, circle=demo.circle, title="T", text="X"
    )
    round_services.idea_decline(
        actor=demo.moderator, circle=demo.circle, idea_id=idea.pk, reason="R"
    )
    clock.advance(60)
    to_phase(demo, Round.Phase.EVALUATION)
    round_services.disposition_set(
        actor=demo.moderator,
        circle=demo.circle,
        comment_id=said.pk,
        value="answered",
        response="Antwort.",
    )

    for event in events(demo.circle, after=seq):
        stale = _apply(stale, event.kind, roundtrip(event.payload))
    assert stale == roundtrip(round_selectors.room_round_snapshot(demo.circle))


def test_snapshot_before_the_next_round_plus_events_equals_a_fresh_one(
    demo: Demo, clock: Clock
) -> None:
    open_round(demo)
    pending = comment(demo, demo.expert, demo.goals[0], "Angenommen, aber noch nicht umgesetzt.")
    to_phase(demo, Round.Phase.EVALUATION)
    round_services.disposition_set(
        actor=demo.moderator,
        circle=demo.circle,
        comment_id=pending.pk,
        value="accepted",
        response="Kommt in die nächste Fassung.",
    )
    to_phase(demo, Round.Phase.REVISION)
    stale = roundtrip(round_selectors.room_round_snapshot(demo.circle))
    seq = demo.circle.events.order_by("-seq").values_list("seq", flat=True).first() or 0

    clock.advance(60)
    open_round(demo)  # closes round 1, opens round 2 with the accepted comment carried over

    for event in events(demo.circle, after=seq):
        stale = _apply(stale, event.kind, roundtrip(event.payload))
    fresh = roundtrip(round_selectors.room_round_snapshot(demo.circle))
    assert stale == fresh
    assert fresh["carried_over"] == [
        {"type": "comment", "id": pending.pk, "goal": demo.goals[0].pk, "from_round": 1}
    ]
    assert [d["response"] for d in fresh["dispositions"]] == ["Kommt in die nächste Fassung."]


def test_closing_the_round_empties_the_round_part_of_the_snapshot(demo: Demo) -> None:
    open_round(demo)
    to_phase(demo, Round.Phase.EVALUATION, Round.Phase.REVISION)
    stale = roundtrip(round_selectors.room_round_snapshot(demo.circle))
    to_phase(demo, Round.Phase.CLOSED)
    closed = events(demo.circle, "round.phase_changed")[-1]
    assert _apply(stale, closed.kind, roundtrip(closed.payload)) is None
    assert round_selectors.room_round_snapshot(demo.circle) is None


def test_countdown_in_a_snapshot_is_what_is_left_now(demo: Demo, clock: Clock) -> None:
    open_round(demo)
    item = Round.objects.get().agenda.order_by("order").first()
    assert item is not None
    round_services.agenda_item_start(actor=demo.moderator, circle=demo.circle, item_id=item.pk)
    clock.advance(timedelta(minutes=4).total_seconds())
    snapshot = round_selectors.room_round_snapshot(demo.circle)
    assert snapshot is not None
    assert snapshot["round"]["agenda"][0]["remaining"] == 360


def test_settling_carried_feedback_keeps_snapshot_and_events_in_step(
    demo: Demo, clock: Clock
) -> None:
    open_round(demo)
    pending = comment(demo, demo.expert, demo.goals[0], "Bitte präziser.")
    idea, _ = round_services.idea_propose(
        actor=demo.expert, circle=demo.circle, title="Idee", text="Aus Runde 1."
    )
    to_phase(demo, Round.Phase.EVALUATION)
    round_services.disposition_set(
        actor=demo.moderator,
        circle=demo.circle,
        comment_id=pending.pk,
        value="accepted",
        response="Wird präziser.",
    )
    to_phase(demo, Round.Phase.REVISION)
    clock.advance(60)
    open_round(demo)
    stale = roundtrip(round_selectors.room_round_snapshot(demo.circle))
    assert {(r["type"], r["id"]) for r in stale["carried_over"]} == {
        ("comment", pending.pk),
        ("idea", idea.pk),
    }
    seq = demo.circle.events.order_by("-seq").values_list("seq", flat=True).first() or 0

    round_services.idea_accept(actor=demo.moderator, circle=demo.circle, idea_id=idea.pk)
    to_phase(demo, Round.Phase.EVALUATION, Round.Phase.REVISION)
    round_services.goal_version_publish(
        actor=demo.drafter,
        circle=demo.circle,
        goal_id=demo.goals[0].pk,
        text="Präziser.",
        comment_ids=[pending.pk],
    )

    for event in events(demo.circle, after=seq):
        stale = _apply(stale, event.kind, roundtrip(event.payload))
    assert stale == roundtrip(round_selectors.room_round_snapshot(demo.circle))
    assert round_selectors.open_feedback(Round.objects.get(number=2)) == []
