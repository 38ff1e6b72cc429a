"""The speakers' list's rules: a time per turn with a countdown, points of order at the top,
first-time speakers first or alternating, the turn log in the round report, and the room's
session settings (``room.configure``)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from deliberation import circles, services
from deliberation.models import Circle, HandRaise
from deliberation.rounds import services as round_services
from deliberation.rounds.report import build_round_report, report_csv, report_data, report_markdown
from kernel.errors import Forbidden, Invalid
from rooms.snapshots import read_snapshot
from tests.factories import Room, make_user
from tests.rooms.conftest import Join
from tests.rooms.test_snapshots import verify_action

pytestmark = [pytest.mark.django_db]


def _actor(room: Room, persona: str) -> Any:
    return AnonymousUser() if persona == "anonymous" else getattr(room, persona)


def _configure(room: Room, **settings: Any) -> None:
    circles.circle_update(actor=room.moderator, circle=room.circle, **settings)
    room.circle.refresh_from_db()


def _queue(room: Room) -> list[int]:
    """Who is in the queue, in the order of the latest snapshot (the speaker first)."""
    snapshot = json.loads(read_snapshot(room.circle.pk).public)
    return [hand["user"]["id"] for hand in snapshot["hands"]]


def _speak(room: Room, user: Any) -> None:
    """``user`` raises a hand and gets the floor, then hands it on (a finished turn)."""
    services.hand_raise(actor=user, circle=room.circle)
    while services.hand_next(actor=room.moderator, circle=room.circle) != _open(room, user):
        pass
    services.hand_lower(actor=user, circle=room.circle)


def _open(room: Room, user: Any) -> HandRaise | None:
    return HandRaise.objects.filter(circle=room.circle, user=user, state="speaking").first()


# --- time per turn ----------------------------------------------------------------------------


def test_a_turn_carries_its_start_and_the_rooms_time_limit(room: Room) -> None:
    _configure(room, speaking_time=120)
    services.hand_raise(actor=room.expert, circle=room.circle)

    services.hand_next(actor=room.moderator, circle=room.circle)

    speaker = json.loads(read_snapshot(room.circle.pk).public)["hands"][0]
    assert speaker["state"] == "speaking"
    assert speaker["limit"] == 120
    started = datetime.fromisoformat(speaker["started_at"])
    assert datetime.fromisoformat(speaker["deadline"]) == started + timedelta(seconds=120)


def test_without_a_speaking_time_a_turn_is_unlimited(room: Room) -> None:
    services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_next(actor=room.moderator, circle=room.circle)

    speaker = json.loads(read_snapshot(room.circle.pk).public)["hands"][0]
    assert speaker["started_at"] is not None
    assert speaker["limit"] is None
    assert speaker["deadline"] is None


def test_a_waiting_hand_has_no_turn_yet(room: Room) -> None:
    _configure(room, speaking_time=60)
    services.hand_raise(actor=room.expert, circle=room.circle)

    hand = json.loads(read_snapshot(room.circle.pk).public)["hands"][0]
    assert (hand["state"], hand["started_at"], hand["limit"]) == ("waiting", None, None)


# --- points of order --------------------------------------------------------------------------


def test_a_point_of_order_goes_to_the_top_of_the_queue(room: Room) -> None:
    services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_next(actor=room.moderator, circle=room.circle)  # the expert speaks
    services.hand_raise(actor=room.expert2, circle=room.circle)
    services.hand_raise(actor=room.drafter, circle=room.circle, point_of_order=True)

    assert _queue(room) == [room.expert.pk, room.drafter.pk, room.expert2.pk]
    following = services.hand_next(actor=room.moderator, circle=room.circle)
    assert following is not None and following.user_id == room.drafter.pk


def test_points_of_order_keep_their_order_among_themselves(room: Room) -> None:
    services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_raise(actor=room.expert2, circle=room.circle, point_of_order=True)
    services.hand_raise(actor=room.drafter, circle=room.circle, point_of_order=True)

    assert _queue(room) == [room.expert2.pk, room.drafter.pk, room.expert.pk]


def test_a_point_of_order_must_be_true_or_false(room: Room) -> None:
    with pytest.raises(Invalid):
        services.hand_raise(actor=room.expert, circle=room.circle, point_of_order="ja")
    assert not HandRaise.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
def test_viewers_cannot_raise_a_point_of_order(room: Room, persona: str) -> None:
    with pytest.raises(Forbidden):
        services.hand_raise(actor=_actor(room, persona), circle=room.circle, point_of_order=True)
    assert not HandRaise.objects.exists()


# --- first-time speakers -----------------------------------------------------------------------


def test_first_time_speakers_go_first_when_the_room_says_so(room: Room) -> None:
    _speak(room, room.expert)
    _configure(room, speakers_order="first_time")
    services.hand_raise(actor=room.expert, circle=room.circle)  # spoke already
    services.hand_raise(actor=room.expert2, circle=room.circle)

    assert _queue(room) == [room.expert2.pk, room.expert.pk]
    hands = json.loads(read_snapshot(room.circle.pk).public)["hands"]
    assert [h["first_time"] for h in hands] == [True, False]


def test_in_the_order_of_raising_nobody_is_preferred(room: Room) -> None:
    _speak(room, room.expert)
    services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_raise(actor=room.expert2, circle=room.circle)

    assert _queue(room) == [room.expert.pk, room.expert2.pk]


def test_a_new_focus_makes_everyone_a_first_time_speaker_again(room: Room) -> None:
    _speak(room, room.expert)
    services.focus_set(actor=room.moderator, circle=room.circle, goal_id=room.goal.pk)

    hand = services.hand_raise(actor=room.expert, circle=room.circle)

    assert hand.first_time is True


def test_alternating_queues_take_turns_between_first_and_repeat_speakers(room: Room) -> None:
    third = make_user()
    fourth = make_user()
    for user in (third, fourth):
        services.membership_add(actor=None, user=user, circle=room.circle, role="expert")
    _speak(room, room.expert)
    _speak(room, room.expert2)  # the last turn went to a first-time speaker
    _configure(room, speakers_order="alternating")
    services.hand_raise(actor=third, circle=room.circle)  # first time
    services.hand_raise(actor=fourth, circle=room.circle)  # first time
    services.hand_raise(actor=room.expert, circle=room.circle)  # repeat
    services.hand_raise(actor=room.expert2, circle=room.circle)  # repeat

    assert _queue(room) == [room.expert.pk, third.pk, room.expert2.pk, fourth.pk]


def test_an_unknown_speakers_order_is_refused(room: Room) -> None:
    with pytest.raises(Invalid):
        circles.circle_update(actor=room.moderator, circle=room.circle, speakers_order="loud")
    room.circle.refresh_from_db()
    assert room.circle.speakers_order == Circle.SpeakersOrder.RAISED


# --- the session's settings ------------------------------------------------------------------


@pytest.mark.parametrize("value", [5, 3601, "60", True])
def test_a_speaking_time_out_of_range_is_refused(room: Room, value: Any) -> None:
    with pytest.raises(Invalid):
        circles.circle_update(actor=room.moderator, circle=room.circle, speaking_time=value)
    room.circle.refresh_from_db()
    assert room.circle.speaking_time is None


@pytest.mark.parametrize("persona", ["expert", "drafter", "outsider", "anonymous"])
def test_only_moderators_and_staff_set_the_speaking_rules(room: Room, persona: str) -> None:
    with pytest.raises(Forbidden):
        circles.circle_update(actor=_actor(room, persona), circle=room.circle, speaking_time=60)
    room.circle.refresh_from_db()
    assert room.circle.speaking_time is None


def test_a_moderator_still_cannot_rename_the_circle(room: Room) -> None:
    with pytest.raises(Forbidden):
        circles.circle_update(actor=room.moderator, circle=room.circle, title="Anders")


def test_the_speaking_rules_reach_the_room_as_room_updated(room: Room) -> None:
    verify_action(
        room,
        lambda: _configure(room, speaking_time=90, speakers_order="first_time"),
        "room.updated",
    )
    snapshot = json.loads(read_snapshot(room.circle.pk).public)
    assert snapshot["room"]["speaking_time"] == 90
    assert snapshot["room"]["speakers_order"] == "first_time"


def test_stale_snapshot_plus_hand_events_equals_a_fresh_one(room: Room) -> None:
    _configure(room, speaking_time=60, speakers_order="alternating")
    _speak(room, room.expert)

    def session() -> None:
        services.hand_raise(actor=room.expert, circle=room.circle)
        services.hand_raise(actor=room.expert2, circle=room.circle)
        services.hand_raise(actor=room.drafter, circle=room.circle, point_of_order=True)
        services.hand_next(actor=room.moderator, circle=room.circle)
        services.hand_next(actor=room.moderator, circle=room.circle)

    verify_action(
        room, session, "hand.raised", "hand.raised", "hand.raised", "hand.next", "hand.next"
    )


# --- the turn log ------------------------------------------------------------------------------


def test_the_round_report_lists_every_turn_of_the_round(room: Room) -> None:
    round_ = round_services.round_open(
        actor=room.moderator, circle=room.circle, agenda=[room.goal.pk]
    )
    services.focus_set(actor=room.moderator, circle=room.circle, goal_id=room.goal.pk)
    services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_raise(actor=room.drafter, circle=room.circle, point_of_order=True)
    services.hand_next(actor=room.moderator, circle=room.circle)  # the drafter
    services.hand_next(actor=room.moderator, circle=room.circle)  # the expert
    services.hand_lower(actor=room.expert, circle=room.circle)

    report = build_round_report(round_)

    turns = report_data(report)["turns"]
    assert [(t["user"]["id"], t["point_of_order"]) for t in turns] == [
        (room.drafter.pk, True),
        (room.expert.pk, False),
    ]
    assert all(t["started_at"] and t["ended_at"] for t in turns)
    assert turns[0]["goal"] == room.goal.pk
    markdown = report_markdown(report)
    assert "## Redeliste" in markdown
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d – ", markdown)  # ISO 8601
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    start = rows.index(["Redeliste"])
    assert rows[start + 1][:3] == ["Runde", "Nr.", "von"]
    turn_rows = rows[start + 2 :]
    assert [r[2] for r in turn_rows] == [
        room.drafter.get_full_name() or room.drafter.get_username(),
        room.expert.get_full_name() or room.expert.get_username(),
    ]
    started = datetime.fromisoformat(turns[0]["started_at"]).replace(microsecond=0)
    assert datetime.fromisoformat(turn_rows[0][5]) == started


def test_turns_outside_the_round_are_not_in_its_report(room: Room) -> None:
    _speak(room, room.expert)  # free discussion, before the round
    round_ = round_services.round_open(
        actor=room.moderator, circle=room.circle, agenda=[room.goal.pk]
    )

    report = build_round_report(round_)

    assert report_data(report)["turns"] == []
    assert "Redeliste" not in report_csv(report)


# --- over the socket ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_point_of_order_over_the_socket_shows_in_everyones_queue(
    room: Room, join: Join
) -> None:
    viewer = await join("anonymous")
    expert = await join("expert")
    drafter = await join("drafter")
    await expert.request({"type": "hand.raise", "id": 1})
    answer = await drafter.request({"type": "hand.raise", "id": 2, "point_of_order": True})
    assert answer["type"] == "ack"

    await viewer.recv_event("hand.raised")
    event = await viewer.recv_event("hand.raised")
    assert [(h["user"]["id"], h["point_of_order"]) for h in event["data"]["queue"]] == [
        (room.drafter.pk, True),
        (room.expert.pk, False),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["expert", "drafter", "outsider", "anonymous"])
async def test_only_the_moderator_configures_the_room_over_the_socket(
    room: Room, join: Join, persona: str
) -> None:
    socket = await join(persona)
    answer = await socket.request({"type": "room.configure", "id": 1, "speaking_time": 60})
    assert answer["code"] == "forbidden"


@pytest.mark.django_db(transaction=True)
async def test_the_moderator_sets_the_speaking_time_over_the_socket(room: Room, join: Join) -> None:
    moderator = await join("moderator")
    expert = await join("expert")
    ack = await moderator.request({"type": "room.configure", "id": 1, "speaking_time": 180})
    assert ack["type"] == "ack"
    event = await expert.recv_event("room.updated")
    assert event["data"]["room"]["speaking_time"] == 180
    assert event["data"]["changed"] == ["speaking_time"]
    bad = await moderator.request({"type": "room.configure", "id": 2, "speaking_time": "x"})
    assert bad["code"] == "invalid"
