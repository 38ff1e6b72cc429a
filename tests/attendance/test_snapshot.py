"""The roll call in the room's welcome snapshot: for each ``rollcall.*`` kind, a stale
snapshot plus the events since equals a fresh snapshot, in both views."""

from __future__ import annotations

import json

import pytest

from attendance import services
from rooms.snapshots import read_snapshot
from tests.attendance.conftest import show_in_room
from tests.factories import Room
from tests.rooms.test_snapshots import verify_action
from tests.voting.conftest import add_experts

pytestmark = pytest.mark.django_db


def snapshot_roll_call(room: Room) -> dict | None:  # type: ignore[type-arg]
    return json.loads(read_snapshot(room.circle.pk).public)["roll_call"]


def test_the_snapshot_has_no_roll_call_before_the_first(aroom: Room) -> None:
    assert snapshot_roll_call(aroom) is None


def test_rollcall_opened_puts_the_prefilled_roll_call_in_the_snapshot(aroom: Room) -> None:
    show_in_room(aroom.circle, aroom.expert)
    verify_action(
        aroom,
        lambda: services.roll_call_open(actor=aroom.moderator, circle=aroom.circle),
        "rollcall.opened",
    )
    roll_call = snapshot_roll_call(aroom)
    assert roll_call is not None and roll_call["status"] == "open"
    assert [e["user"]["id"] for e in roll_call["entries"] if e["present"]] == [aroom.expert.pk]


def test_rollcall_marked_replaces_the_entry_and_the_counts(aroom: Room) -> None:
    services.roll_call_open(actor=aroom.moderator, circle=aroom.circle)
    verify_action(
        aroom,
        lambda: services.roll_call_mark(
            actor=aroom.moderator, circle=aroom.circle, user_id=aroom.expert2.pk, present=True
        ),
        "rollcall.marked",
    )
    roll_call = snapshot_roll_call(aroom)
    assert roll_call is not None and roll_call["present"] == 1
    (entry,) = [e for e in roll_call["entries"] if e["user"]["id"] == aroom.expert2.pk]
    assert entry["present"] and entry["confirmed"]


def test_a_member_who_joined_after_the_opening_is_added_in_order(aroom: Room) -> None:
    services.roll_call_open(actor=aroom.moderator, circle=aroom.circle)
    (late,) = add_experts(aroom.circle, 1)
    verify_action(
        aroom,
        lambda: services.roll_call_mark(
            actor=aroom.moderator, circle=aroom.circle, user_id=late.pk, present=True
        ),
        "rollcall.marked",
    )
    roll_call = snapshot_roll_call(aroom)
    assert roll_call is not None and late.pk in [e["user"]["id"] for e in roll_call["entries"]]


def test_the_pages_form_marks_several_and_closes(aroom: Room) -> None:
    services.roll_call_open(actor=aroom.moderator, circle=aroom.circle)

    def save_and_close() -> None:
        services.roll_call_mark_many(
            actor=aroom.moderator,
            circle=aroom.circle,
            present_ids=[aroom.expert.pk, aroom.expert2.pk],
        )
        services.roll_call_close(actor=aroom.moderator, circle=aroom.circle)

    members = 5  # moderator, expert, expert2, expert3, drafter: each confirmed once
    verify_action(aroom, save_and_close, *["rollcall.marked"] * members, "rollcall.closed")
    roll_call = snapshot_roll_call(aroom)
    assert roll_call is not None and roll_call["status"] == "closed"
    assert roll_call["present"] == 2


def test_a_new_roll_call_replaces_the_closed_one(aroom: Room) -> None:
    services.roll_call_open(actor=aroom.moderator, circle=aroom.circle)
    first = services.roll_call_close(actor=aroom.moderator, circle=aroom.circle)
    verify_action(
        aroom,
        lambda: services.roll_call_open(actor=aroom.moderator, circle=aroom.circle),
        "rollcall.opened",
    )
    roll_call = snapshot_roll_call(aroom)
    assert roll_call is not None and roll_call["id"] != first.pk


def test_a_mark_of_another_roll_call_changes_nothing_in_the_reducer(aroom: Room) -> None:
    from tests.rooms.support import apply_event

    services.roll_call_open(actor=aroom.moderator, circle=aroom.circle)
    state = json.loads(read_snapshot(aroom.circle.pk).public)
    stale = {"roll_call": 999_999, "entry": state["roll_call"]["entries"][0]}
    assert apply_event(state, "rollcall.marked", stale | {"present": 9, "members": 9}) == state
