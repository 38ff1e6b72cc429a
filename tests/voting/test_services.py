"""The vote's services: opening, eligibility, casting, closing, the deadline and promotion."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from deliberation import services as deliberation_services
from deliberation.models import Goal, GoalVersion, Membership, RoomEvent
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from tests.factories import Room, make_goal
from tests.voting.conftest import add_experts, open_motion
from voting import selectors, services, tally
from voting.models import Ballot, ConceptEntry, Motion, Result

pytestmark = pytest.mark.django_db


def events(room: Room, kind: str) -> list[RoomEvent]:
    return list(RoomEvent.objects.filter(circle=room.circle, kind=kind).order_by("seq"))


# --- opening ---------------------------------------------------------------------------------


def test_opening_puts_the_goal_in_vote_on_its_current_version(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    vote_room.goal.refresh_from_db()
    assert vote_room.goal.status == Goal.Status.IN_VOTE
    assert motion.version_id == vote_room.goal.current_version_id
    assert motion.rule == {
        "method": "consent",
        "quorum": "1/2",
        "threshold": "2/3",
        "threshold_mode": "at_least",
        "veto_blocks": True,
        "secret": False,
        "changeable": True,
        "deadline": None,
    }
    (opened,) = events(vote_room, "motion.opened")
    data = opened.payload["motion"]
    assert data["eligible"] == 3
    assert data["turnout"] == 0
    assert data["rule"] == motion.rule
    assert data["version"]["text"] == vote_room.goal.current_version.text
    assert data["result"] is None
    json.dumps(opened.payload)


def test_majority_defaults_to_more_than_half(vote_room: Room) -> None:
    motion = open_motion(vote_room, method="majority")
    assert motion.rule["threshold"] == "1/2"
    assert motion.rule["threshold_mode"] == "more_than"
    assert "veto_blocks" not in motion.rule


def test_eligibility_is_the_circles_experts_at_opening(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    eligible = set(motion.eligible.values_list("user_id", flat=True))
    assert eligible == {vote_room.expert.pk, vote_room.expert2.pk, vote_room.expert3.pk}  # type: ignore[attr-defined]
    # later changes don't alter the snapshot
    (newcomer,) = add_experts(vote_room.circle, 1)
    Membership.objects.filter(user=vote_room.expert2, circle=vote_room.circle).delete()
    with pytest.raises(Forbidden):
        services.ballot_cast(actor=newcomer, motion_id=motion.pk, choice="consent")
    _ballot, created = services.ballot_cast(
        actor=vote_room.expert2, motion_id=motion.pk, choice="consent"
    )
    assert created


def test_a_moderator_votes_only_if_also_an_expert(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    with pytest.raises(Forbidden):
        services.ballot_cast(actor=vote_room.moderator, motion_id=motion.pk, choice="consent")
    Membership.objects.create(
        user=vote_room.moderator, circle=vote_room.circle, role=Membership.Role.EXPERT
    )
    goal = make_goal(vote_room.circle.action_field, title="Zweites Ziel")
    second = services.motion_open(
        actor=vote_room.moderator, circle=vote_room.circle, goal_id=goal.pk, method="consent"
    )
    assert services.ballot_cast(actor=vote_room.moderator, motion_id=second.pk, choice="consent")


@pytest.mark.parametrize("who", ["expert", "drafter", "outsider"])
def test_only_the_moderator_opens_a_motion(vote_room: Room, who: str) -> None:
    with pytest.raises(Forbidden):
        services.motion_open(
            actor=getattr(vote_room, who),
            circle=vote_room.circle,
            goal_id=vote_room.goal.pk,
            method="consent",
        )
    vote_room.goal.refresh_from_db()
    assert vote_room.goal.status == Goal.Status.IN_DISCUSSION


def test_a_goal_in_vote_cannot_get_a_second_motion(vote_room: Room) -> None:
    open_motion(vote_room)
    with pytest.raises(Conflict):
        open_motion(vote_room)


def test_a_draft_goal_cannot_be_put_to_the_vote(vote_room: Room) -> None:
    draft = make_goal(vote_room.circle.action_field, status=Goal.Status.DRAFT)
    with pytest.raises(Conflict):
        services.motion_open(
            actor=vote_room.moderator, circle=vote_room.circle, goal_id=draft.pk, method="consent"
        )


def test_several_goals_open_in_one_batch_or_not_at_all(vote_room: Room) -> None:
    field = vote_room.circle.action_field
    second = make_goal(field, title="Zwei")
    draft = make_goal(field, title="Entwurf", status=Goal.Status.DRAFT)
    with pytest.raises(Conflict):
        services.motions_open(
            actor=vote_room.moderator,
            circle=vote_room.circle,
            goal_ids=[vote_room.goal.pk, second.pk, draft.pk],
            method="majority",
        )
    assert not Motion.objects.exists()
    assert Goal.objects.filter(status=Goal.Status.IN_VOTE).count() == 0
    motions = services.motions_open(
        actor=vote_room.moderator,
        circle=vote_room.circle,
        goal_ids=[vote_room.goal.pk, second.pk],
        method="majority",
        secret=True,
    )
    assert [m.goal_id for m in motions] == [vote_room.goal.pk, second.pk]
    assert all(m.secret for m in motions)


def test_a_circle_without_experts_cannot_vote(vote_room: Room) -> None:
    Membership.objects.filter(circle=vote_room.circle, role=Membership.Role.EXPERT).delete()
    with pytest.raises(Conflict):
        open_motion(vote_room)


@pytest.mark.parametrize(
    "options",
    [
        {"quorum": "3/2"},
        {"threshold": "0"},
        {"threshold": "abc"},
        {"threshold_mode": "roughly"},
        {"method": "lottery"},
        {"method": "resistance", "alternatives": ["Nur eine"]},
        {"method": "consent", "alternatives": ["A", "B"]},
    ],
)
def test_bad_rules_are_refused(vote_room: Room, options: dict) -> None:
    with pytest.raises(Invalid):
        open_motion(vote_room, **options)
    assert not Motion.objects.exists()


def test_a_deadline_must_lie_ahead(vote_room: Room) -> None:
    with pytest.raises(Invalid):
        open_motion(vote_room, deadline=timezone.now() - timedelta(minutes=1))


# --- casting ---------------------------------------------------------------------------------


def test_a_ballot_counts_once_and_the_room_hears_only_the_turnout(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    ballot, created = services.ballot_cast(
        actor=vote_room.expert, motion_id=motion.pk, choice="consent_with_concerns", reason="x"
    )
    assert created and ballot.voter == vote_room.expert
    (turnout,) = events(vote_room, "motion.turnout")
    assert turnout.payload == {"motion": motion.pk, "turnout": 1, "eligible": 3}


def test_a_changeable_ballot_is_updated_in_place(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    ballot, created = services.ballot_cast(
        actor=vote_room.expert, motion_id=motion.pk, choice="veto", reason="Zu vage"
    )
    assert not created
    assert Ballot.objects.filter(motion=motion).count() == 1
    assert selectors.my_ballot(motion, vote_room.expert) == ballot
    assert ballot.choice == "veto"
    assert len(events(vote_room, "motion.turnout")) == 1


def test_a_second_cast_is_refused_when_ballots_are_final(vote_room: Room) -> None:
    motion = open_motion(vote_room, changeable=False)
    services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    with pytest.raises(Conflict):
        services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="abstain")
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["consent"]


def test_the_database_refuses_a_second_ballot_row(vote_room: Room) -> None:
    from django.db import IntegrityError, transaction

    motion = open_motion(vote_room, changeable=False)
    ballot, _ = services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(motion=motion, voter_key=ballot.voter_key, choice="veto")


@pytest.mark.parametrize("who", ["drafter", "outsider", "moderator"])
def test_non_eligible_members_cannot_cast(vote_room: Room, who: str) -> None:
    motion = open_motion(vote_room)
    with pytest.raises(Forbidden):
        services.ballot_cast(actor=getattr(vote_room, who), motion_id=motion.pk, choice="consent")
    assert not Ballot.objects.exists()


def test_anonymous_cannot_cast(vote_room: Room) -> None:
    from django.contrib.auth.models import AnonymousUser

    motion = open_motion(vote_room)
    with pytest.raises(Forbidden):
        services.ballot_cast(actor=AnonymousUser(), motion_id=motion.pk, choice="consent")


def test_outsider_cannot_even_see_a_private_motion(private_room: Room) -> None:
    motion = open_motion(private_room)
    with pytest.raises(NotFound):
        services.ballot_cast(actor=private_room.outsider, motion_id=motion.pk, choice="consent")


@pytest.mark.parametrize(
    ("choice", "reason"), [("veto", ""), ("veto", "   "), ("yes", ""), ("", "")]
)
def test_invalid_consent_ballots_are_refused(vote_room: Room, choice: str, reason: str) -> None:
    motion = open_motion(vote_room)
    with pytest.raises(Invalid):
        services.ballot_cast(
            actor=vote_room.expert, motion_id=motion.pk, choice=choice, reason=reason
        )


def test_a_ballot_after_close_is_refused(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    with pytest.raises(Conflict, match="geschlossen"):
        services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")


def test_a_ballot_after_the_deadline_is_refused_and_closes_the_motion(vote_room: Room) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        motion = open_motion(vote_room, deadline=start + timedelta(hours=1))
        services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    with (
        time_machine.travel(start + timedelta(hours=1), tick=False),
        pytest.raises(Conflict, match="Frist"),
    ):
        services.ballot_cast(actor=vote_room.expert2, motion_id=motion.pk, choice="consent")
    motion.refresh_from_db()
    assert motion.status == Motion.Status.CLOSED
    assert motion.closed_at == start + timedelta(hours=1)
    assert motion.closed_by is None
    assert motion.result.participant_count == 1


# --- closing and the result ------------------------------------------------------------------


def test_an_adopted_motion_enters_exactly_the_voted_version_into_the_concept(
    vote_room: Room,
) -> None:
    motion = open_motion(vote_room)
    voted = motion.version
    for who, choice in (("expert", "consent"), ("expert2", "consent_with_concerns")):
        services.ballot_cast(actor=getattr(vote_room, who), motion_id=motion.pk, choice=choice)
    result = services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    assert result.outcome == Result.Outcome.ADOPTED
    assert result.counts == {"consent": 1, "consent_with_concerns": 1, "abstain": 0, "veto": 0}
    assert (result.eligible_count, result.participant_count, result.quorum_met) == (3, 2, True)
    vote_room.goal.refresh_from_db()
    assert vote_room.goal.status == Goal.Status.ADOPTED
    entry = ConceptEntry.objects.get(goal=vote_room.goal)
    assert entry.version == voted
    assert entry.motion == motion
    (closed,) = events(vote_room, "motion.closed")
    assert closed.payload["motion"]["result"]["outcome"] == "adopted"
    assert closed.payload["motion"]["result"]["digest"] == result.digest
    assert [e.payload["goal"]["status"] for e in events(vote_room, "goal.status_changed")][
        -1
    ] == "adopted"


def test_a_vetoed_motion_sends_the_goal_back_for_revision_by_default(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    services.ballot_cast(
        actor=vote_room.expert2, motion_id=motion.pk, choice="veto", reason="Nicht messbar"
    )
    result = services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    assert result.outcome == Result.Outcome.REJECTED
    vote_room.goal.refresh_from_db()
    assert vote_room.goal.status == Goal.Status.REVISED
    assert not ConceptEntry.objects.exists()


def test_the_moderator_may_reject_the_goal_at_close(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    result = services.motion_close(
        actor=vote_room.moderator, motion_id=motion.pk, rejected_goal_status="rejected"
    )
    assert result.outcome == Result.Outcome.NO_QUORUM
    assert result.goal_status == Goal.Status.REJECTED
    vote_room.goal.refresh_from_db()
    assert vote_room.goal.status == Goal.Status.REJECTED


@pytest.mark.parametrize("who", ["expert", "drafter", "outsider"])
def test_only_the_moderator_closes(vote_room: Room, who: str) -> None:
    motion = open_motion(vote_room)
    with pytest.raises((Forbidden, NotFound)):
        services.motion_close(actor=getattr(vote_room, who), motion_id=motion.pk)
    motion.refresh_from_db()
    assert motion.is_open


def test_closing_twice_is_a_conflict(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    with pytest.raises(Conflict):
        services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    assert Result.objects.count() == 1


def test_resistance_vote_promotes_the_winning_wording_as_a_new_version(vote_room: Room) -> None:
    motion = open_motion(
        vote_room,
        method="resistance",
        alternatives=["Fassung mit Zahlen.", "Fassung ohne Zahlen.", "Dritte Fassung."],
    )
    assert [a.label for a in motion.alternatives.all()] == ["A", "B", "C"]
    for who, values in (
        ("expert", {"A": 2, "B": 7, "C": 10}),
        ("expert2", {"A": 3, "B": 1, "C": 9}),
        ("expert3", {"A": 0, "B": 4, "C": 8}),
    ):
        services.ballot_cast(actor=getattr(vote_room, who), motion_id=motion.pk, resistances=values)
    versions_before = GoalVersion.objects.filter(goal=vote_room.goal).count()
    result = services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    assert result.counts == {"A": 5, "B": 12, "C": 27}
    assert result.winner is not None and result.winner.label == "A"
    goal = Goal.objects.get(pk=vote_room.goal.pk)
    assert goal.status == Goal.Status.ADOPTED
    assert GoalVersion.objects.filter(goal=goal).count() == versions_before + 1
    assert goal.current_version is not None
    assert goal.current_version.text == "Fassung mit Zahlen."
    assert ConceptEntry.objects.get(goal=goal).version == goal.current_version


@pytest.mark.parametrize(
    "resistances", [{"A": 1}, {"A": 1, "B": 11}, {"A": 1, "B": -1}, {"A": 1, "B": True}, None]
)
def test_a_resistance_ballot_rates_every_alternative_0_to_10(
    vote_room: Room, resistances: dict | None
) -> None:
    motion = open_motion(vote_room, method="resistance", alternatives=["Eins.", "Zwei."])
    with pytest.raises(Invalid):
        services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, resistances=resistances)


def test_due_motions_close_by_the_command_even_if_nobody_is_connected(vote_room: Room) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        motion = open_motion(vote_room, deadline=start + timedelta(minutes=30))
        services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
        services.ballot_cast(actor=vote_room.expert2, motion_id=motion.pk, choice="consent")
        call_command("close_due_motions")
        motion.refresh_from_db()
        assert motion.is_open
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        call_command("close_due_motions")
    motion.refresh_from_db()
    assert motion.status == Motion.Status.CLOSED
    assert motion.result.outcome == Result.Outcome.ADOPTED
    assert motion.closed_at == start + timedelta(minutes=30)
    vote_room.goal.refresh_from_db()
    assert vote_room.goal.status == Goal.Status.ADOPTED


def test_the_result_is_recomputable_from_its_record(vote_room: Room) -> None:
    motion = open_motion(vote_room, secret=True)
    services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    services.ballot_cast(actor=vote_room.expert2, motion_id=motion.pk, choice="veto", reason="r")
    result = services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    raw = tally.canonical_json(result.record)
    assert tally.verify(raw, result.digest) == []
    assert tally.count_record(result.record) == result.record["result"]
    assert result.record["subject"]["version"]["text"] == motion.version.text
    assert all("voter" not in b for b in result.record["ballots"])


def test_a_membership_change_after_opening_does_not_change_the_count(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    add_experts(vote_room.circle, 5)
    services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    services.ballot_cast(actor=vote_room.expert2, motion_id=motion.pk, choice="consent")
    result = services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    assert result.eligible_count == 3
    assert result.quorum_met


def test_a_withdrawn_user_cannot_reopen_after_adoption(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    services.ballot_cast(actor=vote_room.expert2, motion_id=motion.pk, choice="consent")
    services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    with pytest.raises(Conflict):
        open_motion(vote_room)
    with pytest.raises(Conflict):
        deliberation_services.goal_version_create(
            actor=vote_room.moderator, goal=vote_room.goal, text="Neu", from_vote=True
        )


def test_a_rejected_and_revised_goal_can_be_voted_on_again(vote_room: Room) -> None:
    first = open_motion(vote_room)
    services.motion_close(actor=vote_room.moderator, motion_id=first.pk)
    deliberation_services.goal_version_create(
        actor=vote_room.drafter, goal=vote_room.goal, text="Verbesserte Fassung."
    )
    second = open_motion(vote_room)
    assert second.version.text == "Verbesserte Fassung."
    assert selectors.goal_motions(vote_room.goal.pk).count() == 2
