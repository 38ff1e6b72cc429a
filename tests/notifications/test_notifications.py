"""Notifications: who is told what, by the in-app list and by e-mail, and how to stop the
mails. Tasks run in the process (``task_always_eager``), after the commit."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deliberation.models import Membership
from deliberation.rounds import services as round_services
from notifications import occasions
from notifications.models import Kind, Notification, NotificationPreference
from notifications.services import unsubscribe_token
from tests.factories import Room, make_room, make_user
from voting import services as voting_services
from voting.models import Motion

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(db: None) -> Room:
    room = make_room()
    for n, person in enumerate((room.moderator, room.expert, room.expert2, room.drafter)):
        person.email = f"person{n}@example.org"
        person.save(update_fields=["email"])
    return room


def open_vote(room: Room, capture: Any, **options: Any) -> Motion:
    with capture(execute=True):
        return voting_services.motion_open(
            actor=room.moderator,
            circle=room.circle,
            goal_id=room.goal.pk,
            method="consent",
            **options,
        )


def unsubscribe_link(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/benachrichtigungen/abbestellen/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_opening_a_vote_tells_each_eligible_expert_in_the_list_and_by_mail(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    motion = open_vote(room, django_capture_on_commit_callbacks)

    told = Notification.objects.filter(kind=Kind.MOTION_OPENED)
    assert {n.recipient_id for n in told} == {room.expert.pk, room.expert2.pk}
    assert all(n.url == f"/abstimmungen/{motion.pk}/" for n in told)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([room.expert.email, room.expert2.email])
    message = mail.outbox[0]
    assert room.goal.title in message.subject
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_link(message) in message.extra_headers["List-Unsubscribe"]


def test_nothing_is_told_before_the_commit(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        voting_services.motion_open(
            actor=room.moderator, circle=room.circle, goal_id=room.goal.pk, method="consent"
        )
    assert callbacks
    assert not Notification.objects.exists() and not mail.outbox


def test_the_unsubscribe_link_works_without_signing_in(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    open_vote(room, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == [room.expert.email])
    link = unsubscribe_link(message)
    anonymous = Client(enforce_csrf_checks=True)

    page = anonymous.get(link)  # a link scanner's GET changes nothing
    assert page.status_code == 200
    assert not NotificationPreference.objects.exists()
    assert anonymous.post(link).status_code == 200  # RFC 8058 one-click: no CSRF token
    preference = NotificationPreference.objects.get(user=room.expert)
    assert (preference.kind, preference.email) == (Kind.MOTION_OPENED, False)
    assert not NotificationPreference.objects.exclude(user=room.expert).exists()


def test_a_forged_unsubscribe_link_changes_nothing(room: Room) -> None:
    token = unsubscribe_token(room.expert.pk, Kind.MOTION_OPENED)
    forged = token.replace(str(room.expert.pk), str(room.expert2.pk), 1)
    response = Client().post(reverse("notifications:unsubscribe", kwargs={"token": forged + "x"}))
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_with_the_mail_turned_off_the_entry_comes_but_no_mail(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    NotificationPreference.objects.create(user=room.expert, kind=Kind.MOTION_OPENED, email=False)
    open_vote(room, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(recipient=room.expert, kind=Kind.MOTION_OPENED).exists()
    assert [m.to for m in mail.outbox] == [[room.expert2.email]]


def test_the_preferences_form_turns_mails_off_and_on(room: Room) -> None:
    client = Client()
    client.force_login(room.expert)
    url = reverse("notifications:preferences")
    response = client.post(url, {"email": [Kind.ROUND_OPENED, Kind.DISPOSITION]})
    assert response.status_code == 302
    off = set(
        NotificationPreference.objects.filter(user=room.expert, email=False).values_list(
            "kind", flat=True
        )
    )
    assert off == {Kind.MOTION_OPENED, Kind.MOTION_CLOSING, Kind.INVITATION}
    page = client.get(reverse("notifications:list")).content.decode()
    assert f'value="{Kind.ROUND_OPENED}" checked' in page
    assert f'value="{Kind.MOTION_OPENED}">' in page


def test_the_list_shows_ones_own_notifications_and_marks_them_read(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    open_vote(room, django_capture_on_commit_callbacks)
    mine = Notification.objects.get(recipient=room.expert)
    theirs = Notification.objects.get(recipient=room.expert2)
    client = Client()
    client.force_login(room.expert)

    page = client.get(reverse("notifications:list")).content.decode()
    assert mine.title in page
    header = client.get("/").content.decode()
    assert 'href="/benachrichtigungen/"' in header and '<span class="badge"' in header
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert '<span class="badge"' not in client.get("/").content.decode()


def test_the_list_needs_a_sign_in(room: Room) -> None:
    response = Client().get(reverse("notifications:list"))
    assert response.status_code == 302 and "/anmelden/" in response["Location"]
    outsider = Client()
    outsider.force_login(room.outsider)
    assert (
        "Sie haben noch keine Benachrichtigungen"
        in outsider.get(reverse("notifications:list")).content.decode()
    )


def test_opening_a_round_tells_the_circles_members_but_not_the_moderator_who_opened_it(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        round_services.round_open(
            actor=room.moderator, circle=room.circle, agenda=[{"goal": room.goal.pk}]
        )
    told = set(
        Notification.objects.filter(kind=Kind.ROUND_OPENED).values_list("recipient", flat=True)
    )
    assert told == {room.expert.pk, room.expert2.pk, room.drafter.pk}
    assert room.outsider.pk not in told


def test_adding_a_member_tells_them(room: Room, django_capture_on_commit_callbacks: Any) -> None:
    from deliberation import services

    newcomer = make_user(email="new@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_add(
            actor=room.moderator, user=newcomer, circle=room.circle, role=Membership.Role.EXPERT
        )
    (notification,) = Notification.objects.filter(recipient=newcomer)
    assert notification.kind == Kind.INVITATION and room.circle.title in notification.title
    assert [m.to for m in mail.outbox] == [["new@example.org"]]


def closing_motion(room: Room, capture: Any, *, hours_left: float) -> Motion:
    motion = open_vote(room, capture, deadline=timezone.now() + timedelta(days=3))
    # Three days were given; now it is ``hours_left`` before the deadline.
    Motion.objects.filter(pk=motion.pk).update(
        opened_at=timezone.now() - timedelta(days=3) + timedelta(hours=hours_left),
        deadline=timezone.now() + timedelta(hours=hours_left),
    )
    return motion


def test_the_reminder_job_finds_motions_closing_within_24_hours_once(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    soon = closing_motion(room, django_capture_on_commit_callbacks, hours_left=5)
    mail.outbox.clear()
    voting_services.ballot_cast(actor=room.expert, motion_id=soon.pk, choice="consent")

    with django_capture_on_commit_callbacks(execute=True):
        first = occasions.closing_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        again = occasions.closing_reminders()

    assert [n.recipient_id for n in first] == [room.expert2.pk]  # expert has voted
    assert again == []
    assert [m.to for m in mail.outbox] == [[room.expert2.email]]
    assert Notification.objects.filter(kind=Kind.MOTION_CLOSING).count() == 1


def test_the_reminder_job_leaves_motions_with_more_than_24_hours_to_go(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    closing_motion(room, django_capture_on_commit_callbacks, hours_left=25)
    assert occasions.closing_reminders() == []
    assert occasions.closing_reminders(now=timezone.now() + timedelta(hours=2))


def test_a_disposition_on_a_comment_tells_its_author(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    from deliberation import services

    comment, _ = services.comment_post(
        actor=room.expert,
        circle=room.circle,
        goal_id=room.goal.pk,
        body="Mehr Kitas",
        client_key="k1",
    )
    round_services.round_open(
        actor=room.moderator, circle=room.circle, agenda=[{"goal": room.goal.pk}]
    )
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="evaluation")
    with django_capture_on_commit_callbacks(execute=True):
        round_services.disposition_set(
            actor=room.moderator,
            circle=room.circle,
            value="accepted",
            response="Aufgenommen.",
            comment_id=comment.pk,
        )
    (notification,) = Notification.objects.filter(kind=Kind.DISPOSITION)
    assert notification.recipient_id == room.expert.pk
    assert "Aufgenommen." in notification.body
