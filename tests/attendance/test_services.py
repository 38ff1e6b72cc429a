"""Roll call, deputies and the quorum over members present, through the services."""

from __future__ import annotations

import json

import pytest

from attendance import selectors, services
from attendance.models import Deputy, DeputyBallotRight, DeputyChange, RollCallEntry
from deliberation.models import RoomEvent
from deliberation.payloads import person
from kernel.errors import Conflict, Forbidden, Invalid
from tests.attendance.conftest import register_deputy, roll_call_without_expert3, show_in_room
from tests.factories import Room, make_user
from tests.voting.conftest import open_motion
from voting import services as voting_services
from voting import tally
from voting.models import Ballot

pytestmark = pytest.mark.django_db


def test_a_roll_call_is_prefilled_from_the_room_presence(aroom: Room) -> None:
    show_in_room(aroom.circle, aroom.expert, aroom.moderator)
    roll_call = services.roll_call_open(actor=aroom.moderator, circle=aroom.circle)
    present = {e.user_id: e.present for e in selectors.roll_call_entries(roll_call)}
    assert present == {
        aroom.moderator.pk: True,
        aroom.expert.pk: True,
        aroom.expert2.pk: False,
        aroom.expert3.pk: False,  # type: ignore[attr-defined]
        aroom.drafter.pk: False,
    }
    assert aroom.outsider.pk not in present
    event = RoomEvent.objects.get(kind="rollcall.opened")
    assert event.payload["roll_call"]["present"] == 2


def test_the_moderator_corrects_and_closes_each_step_an_event(aroom: Room) -> None:
    services.roll_call_open(actor=aroom.moderator, circle=aroom.circle)
    services.roll_call_mark(
        actor=aroom.moderator, circle=aroom.circle, user_id=aroom.expert2.pk, present=True
    )
    roll_call = services.roll_call_close(actor=aroom.moderator, circle=aroom.circle)
    assert selectors.present_ids(roll_call) == {aroom.expert2.pk}
    entry = RollCallEntry.objects.get(roll_call=roll_call, user=aroom.expert2)
    assert entry.marked_by == aroom.moderator
    kinds = list(RoomEvent.objects.order_by("seq").values_list("kind", flat=True))
    assert kinds[-3:] == ["rollcall.opened", "rollcall.marked", "rollcall.closed"]


def test_only_members_can_be_marked_present(aroom: Room) -> None:
    services.roll_call_open(actor=aroom.moderator, circle=aroom.circle)
    with pytest.raises(Invalid):
        services.roll_call_mark(
            actor=aroom.moderator, circle=aroom.circle, user_id=aroom.outsider.pk, present=True
        )


@pytest.mark.parametrize("persona", ["expert", "drafter", "outsider", "anonymous"])
def test_only_the_moderator_runs_the_roll_call(aroom: Room, persona: str) -> None:
    actor = None if persona == "anonymous" else getattr(aroom, persona)
    with pytest.raises(Forbidden):
        services.roll_call_open(actor=actor, circle=aroom.circle)
    assert not RoomEvent.objects.filter(kind__startswith="rollcall").exists()


@pytest.mark.parametrize("persona", ["expert", "outsider", "anonymous"])
def test_only_the_moderator_registers_a_deputy(aroom: Room, persona: str) -> None:
    actor = None if persona == "anonymous" else getattr(aroom, persona)
    with pytest.raises(Forbidden):
        services.deputy_register(
            actor=actor,
            circle=aroom.circle,
            member_id=aroom.expert3.pk,  # type: ignore[attr-defined]
            deputy_id=aroom.deputy.pk,  # type: ignore[attr-defined]
        )
    assert not Deputy.objects.exists()


def test_deputies_keep_an_audit_trail(aroom: Room) -> None:
    register_deputy(aroom)
    other = make_user()
    services.deputy_register(
        actor=aroom.moderator,
        circle=aroom.circle,
        member_id=aroom.expert3.pk,  # type: ignore[attr-defined]
        deputy_id=other.pk,
    )
    services.deputy_remove(
        actor=aroom.moderator,
        circle=aroom.circle,
        member_id=aroom.expert3.pk,  # type: ignore[attr-defined]
    )
    assert Deputy.objects.count() == 2
    assert not selectors.active_deputies(aroom.circle).exists()
    trail = list(DeputyChange.objects.order_by("pk").values_list("action", "deputy_id", "actor_id"))
    deputy = aroom.deputy.pk  # type: ignore[attr-defined]
    assert trail == [
        ("registered", deputy, aroom.moderator.pk),
        ("removed", deputy, aroom.moderator.pk),
        ("registered", other.pk, aroom.moderator.pk),
        ("removed", other.pk, aroom.moderator.pk),
    ]


def test_the_room_hears_a_deputy_but_only_moderators_hear_who(aroom: Room) -> None:
    register_deputy(aroom)
    event = RoomEvent.objects.get(kind="deputy.registered")
    assert event.payload["deputy"] is None
    assert event.moderator_payload["deputy"]["id"] == aroom.deputy.pk  # type: ignore[attr-defined]


def test_only_experts_get_a_deputy_and_nobody_deputises_for_themselves(aroom: Room) -> None:
    with pytest.raises(Invalid):
        services.deputy_register(
            actor=aroom.moderator,
            circle=aroom.circle,
            member_id=aroom.drafter.pk,
            deputy_id=aroom.outsider.pk,
        )
    with pytest.raises(Invalid):
        services.deputy_register(
            actor=aroom.moderator,
            circle=aroom.circle,
            member_id=aroom.expert.pk,
            deputy_id=aroom.expert.pk,
        )


# --- the vote -------------------------------------------------------------------------------


def test_a_deputy_casts_for_the_absent_member_and_the_quorum_counts_over_present(
    ready_room: Room,
) -> None:
    room = ready_room
    # 3 eligible, 2 present (expert, expert2); quorum 1/1 of the present: both present must
    # vote -- or one present and the deputy, as here: 2 ballots of 2 present.
    motion = open_motion(room, quorum="1/1", quorum_basis="present", secret=False)
    assert motion.rule["roll_call"] >= 1 and motion.rule["quorum_basis"] == "present"
    voting_services.ballot_cast(actor=room.expert, motion_id=motion.pk, choice="consent")
    voting_services.ballot_cast(
        actor=room.deputy,  # type: ignore[attr-defined]
        motion_id=motion.pk,
        choice="consent",
        on_behalf_of=room.expert3.pk,  # type: ignore[attr-defined]
    )
    result = voting_services.motion_close(actor=room.moderator, motion_id=motion.pk)
    assert result.outcome == "adopted"
    assert result.record["result"]["present"] == 2
    attendance = result.record["attendance"]
    assert attendance["present"] == 2
    assert attendance["deputies"]["cast"] == 1
    assert attendance["deputies"]["ballots"] == [
        {"member": person(room.expert3), "deputy": person(room.deputy)}  # type: ignore[attr-defined]
    ]
    # The published program recounts it, and the digest covers the attendance.
    raw = tally.canonical_json(result.record)
    assert tally.verify(raw, result.digest) == []
    tampered = json.loads(raw)
    tampered["attendance"]["present"] = 3
    assert tally.verify(tally.canonical_json(tampered), result.digest) != []


def test_over_all_eligible_the_same_ballots_miss_the_quorum(ready_room: Room) -> None:
    room = ready_room
    motion = open_motion(room, quorum="1/1", roll_call=True)
    voting_services.ballot_cast(actor=room.expert, motion_id=motion.pk, choice="consent")
    voting_services.ballot_cast(
        actor=room.deputy,  # type: ignore[attr-defined]
        motion_id=motion.pk,
        choice="consent",
        on_behalf_of=room.expert3.pk,  # type: ignore[attr-defined]
    )
    result = voting_services.motion_close(actor=room.moderator, motion_id=motion.pk)
    assert result.outcome == "no_quorum"
    assert "present" not in result.record["result"]


def test_a_deputy_cannot_vote_for_a_present_member(ready_room: Room) -> None:
    room = ready_room
    services.deputy_register(
        actor=room.moderator,
        circle=room.circle,
        member_id=room.expert.pk,
        deputy_id=room.outsider.pk,
    )
    motion = open_motion(room, roll_call=True)
    with pytest.raises(Forbidden):
        voting_services.ballot_cast(
            actor=room.outsider, motion_id=motion.pk, choice="veto", on_behalf_of=room.expert.pk
        )
    assert not Ballot.objects.exists()


def test_member_and_deputy_cannot_both_vote(ready_room: Room) -> None:
    room = ready_room
    expert3, deputy = room.expert3, room.deputy  # type: ignore[attr-defined]
    first = open_motion(room, roll_call=True, secret=True)
    voting_services.ballot_cast(actor=expert3, motion_id=first.pk, choice="consent")
    with pytest.raises(Conflict):
        voting_services.ballot_cast(
            actor=deputy, motion_id=first.pk, choice="veto", reason="x", on_behalf_of=expert3.pk
        )
    voting_services.motion_close(actor=room.moderator, motion_id=first.pk)

    room.goal.refresh_from_db()
    second = open_motion(room, roll_call=True, secret=True)
    voting_services.ballot_cast(
        actor=deputy, motion_id=second.pk, choice="consent", on_behalf_of=expert3.pk
    )
    with pytest.raises(Conflict):
        voting_services.ballot_cast(actor=expert3, motion_id=second.pk, choice="abstain")
    assert Ballot.objects.filter(motion=second).count() == 1
    result = voting_services.motion_close(actor=room.moderator, motion_id=second.pk)
    # Secret: counted, nobody named.
    assert result.record["attendance"]["deputies"] == {"registered": 1, "cast": 1}
    assert DeputyBallotRight.objects.get(motion=second).used is True


def test_without_a_closed_roll_call_a_present_quorum_is_refused(aroom: Room) -> None:
    with pytest.raises(Conflict):
        open_motion(aroom, quorum_basis="present")


def test_a_motion_without_attendance_keeps_its_old_rule(aroom: Room) -> None:
    roll_call_without_expert3(aroom)
    motion = open_motion(aroom)
    assert "roll_call" not in motion.rule and "quorum_basis" not in motion.rule
    assert not DeputyBallotRight.objects.exists()
