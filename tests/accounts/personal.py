"""A person with data in every context, made the service way where the service is simple
and row by row where a service would need a whole session around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from attendance.models import RollCall, RollCallEntry
from deliberation import services as deliberation_services
from deliberation.models import Comment, HandRaise, Idea, Rating, Round
from notifications.models import Kind, Notification, NotificationPreference
from participation.models import Contribution, ContributionReport, Questionnaire, Response
from tests.factories import Room, make_goal, make_room
from voting import services as voting_services
from voting.models import Motion, Result


@dataclass
class Person:
    room: Room
    user: Any
    comment: Comment
    open_motion: Motion
    closed_result: Result
    secret_motion: Motion


def person_with_everything() -> Person:
    room = make_room()
    user = room.expert
    user.first_name, user.last_name, user.email = "Erika", "Muster", "erika@example.org"
    user.save()
    now = timezone.now()
    comment, _ = deliberation_services.comment_post(
        actor=user, circle=room.circle, goal_id=room.goal.pk, body="Mein Beitrag zur Sache."
    )
    deliberation_services.comment_post(
        actor=room.expert2, circle=room.circle, goal_id=room.goal.pk, body="Fremder Beitrag."
    )
    hand = deliberation_services.hand_raise(actor=user, circle=room.circle)
    HandRaise.objects.filter(pk=hand.pk).update(state=HandRaise.State.DONE, ended_at=now)
    round_ = Round.objects.create(circle=room.circle, number=1, opened_at=now, phase_changed_at=now)
    Rating.objects.create(
        round=round_, goal=room.goal, expert=user, support=4, created_at=now, updated_at=now
    )
    Idea.objects.create(
        round=round_, circle=room.circle, author=user, title="Meine Idee", text="…", created_at=now
    )
    # Votes: one closed open ballot (its record must keep verifying), one still open, one
    # secret.
    closed = voting_services.motion_open(
        actor=room.moderator, circle=room.circle, goal_id=room.goal.pk, method="consent"
    )
    voting_services.ballot_cast(actor=user, motion_id=closed.pk, choice="consent")
    voting_services.ballot_cast(
        actor=room.expert2, motion_id=closed.pk, choice="veto", reason="Fremde Begründung."
    )
    result = voting_services.motion_close(actor=room.moderator, motion_id=closed.pk)
    open_ = voting_services.motion_open(
        actor=room.moderator,
        circle=room.circle,
        goal_id=make_goal(room.goal.action_field, title="Zweites Ziel").pk,
        method="consent",
    )
    voting_services.ballot_cast(
        actor=user, motion_id=open_.pk, choice="consent_with_concerns", reason="Meine Bedenken."
    )
    voting_services.ballot_cast(actor=room.expert2, motion_id=open_.pk, choice="consent")
    secret = _secret_motion(room)
    voting_services.ballot_cast(
        actor=user, motion_id=secret.pk, choice="veto", reason="Geheime Begründung."
    )
    # Participation.
    concept = room.goal.action_field.concept
    contribution = Contribution.objects.create(
        concept=concept,
        kind="idea",
        action_field=room.goal.action_field,
        author=user,
        title="Öffentlicher Vorschlag",
        body="Text",
        body_html="<p>Text</p>",
        created_at=now,
    )
    ContributionReport.objects.create(contribution=contribution, reporter=user, created_at=now)
    questionnaire = Questionnaire.objects.create(concept=concept, title="Umfrage", created_at=now)
    Response.objects.create(
        questionnaire=questionnaire, respondent=user, created_at=now, updated_at=now
    )
    # Attendance.
    roll_call = RollCall.objects.create(circle=room.circle, opened_by=room.moderator, opened_at=now)
    RollCallEntry.objects.create(
        roll_call=roll_call, user=user, role="expert", present=True, from_presence=False
    )
    # Notifications.
    Notification.objects.create(
        recipient=user, kind=Kind.ROUND_OPENED, key="round.1.opened", title="Runde eröffnet"
    )
    NotificationPreference.objects.create(user=user, kind=Kind.MOTION_CLOSING, email=False)
    return Person(room, user, comment, open_, result, secret)


def _secret_motion(room: Room) -> Motion:
    goal = make_goal(room.goal.action_field, title="Drittes Ziel")
    return voting_services.motion_open(
        actor=room.moderator, circle=room.circle, goal_id=goal.pk, method="consent", secret=True
    )
