"""A circle's members for its moderators (and staff), without the admin: the list, invitations
by e-mail, role changes and removal. Everyone else gets a 404 for every page and action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from deliberation.models import Membership, RoomEvent
from tests.accounts.support import link_in
from tests.factories import Room, make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "ganz-neues-kennwort-77"
MANAGERS = ["moderator", "staff"]
OTHERS = ["expert", "drafter", "outsider", "anonymous"]


def client_for(room: Room, persona: str) -> Client:
    client = Client()
    if persona == "staff":
        client.force_login(make_user(is_staff=True))
    elif persona != "anonymous":
        client.force_login(getattr(room, persona))
    return client


def invite(client: Client, room: Room, email: str, role: str = "expert", capture: Any = None):
    with capture(execute=True):
        return client.post(
            reverse("accounts:invite", args=[room.circle.slug]), {"email": email, "role": role}
        )


@pytest.mark.parametrize("persona", MANAGERS)
def test_moderators_and_staff_see_the_members_with_their_roles(room: Room, persona: str) -> None:
    response = client_for(room, persona).get(reverse("accounts:members", args=[room.circle.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    for person in (room.moderator, room.expert, room.drafter):
        assert person.get_full_name() in page
    assert room.outsider.get_full_name() not in page
    assert "Expert:in" in page and "Redaktion" in page


@pytest.mark.parametrize("persona", OTHERS)
def test_everyone_else_gets_404_for_the_members_page(room: Room, persona: str) -> None:
    response = client_for(room, persona).get(reverse("accounts:members", args=[room.circle.slug]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", OTHERS)
def test_everyone_else_can_neither_invite_nor_change_nor_remove(
    room: Room, persona: str, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(room, persona)
    slug = room.circle.slug
    expert = Membership.objects.get(user=room.expert, circle=room.circle)
    pending = Invitation.objects.create(
        circle=room.circle,
        email="offen@example.org",
        role="expert",
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=1),
    )
    responses = [
        invite(client, room, "neu@example.org", capture=django_capture_on_commit_callbacks),
        client.post(reverse("accounts:member_role", args=[slug, expert.pk]), {"role": "drafter"}),
        client.post(reverse("accounts:member_remove", args=[slug, expert.pk])),
        client.post(reverse("accounts:invitation_revoke", args=[slug, pending.pk])),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert mail.outbox == []
    assert Invitation.objects.count() == 1
    pending.refresh_from_db()
    assert pending.revoked_at is None
    expert.refresh_from_db()
    assert expert.role == "expert"
    assert not RoomEvent.objects.filter(kind__startswith="member.").exists()


@pytest.mark.parametrize("persona", MANAGERS)
def test_an_invited_newcomer_sets_name_and_password_and_joins(
    room: Room, persona: str, django_capture_on_commit_callbacks: Any
) -> None:
    response = invite(
        client_for(room, persona),
        room,
        "Neu@Example.org",
        role="drafter",
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["neu@example.org"]
    assert room.circle.title in message.subject
    link = link_in(message, "/einladung/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash  # only the hash is kept

    newcomer = Client()
    assert "Konto anlegen" in newcomer.get(link).content.decode()
    joined = newcomer.post(
        link, {"name": "Nia Neu", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert joined.status_code == 302
    assert joined["Location"] == reverse("frontend:room", args=[room.circle.slug])
    user = get_user_model().objects.get(email="neu@example.org")
    assert (user.username, user.first_name, user.is_active) == ("neu@example.org", "Nia Neu", True)
    assert Membership.objects.filter(user=user, circle=room.circle, role="drafter").exists()
    added = RoomEvent.objects.get(kind="member.added")
    assert added.payload["person"]["id"] == user.pk
    assert newcomer.get(reverse("accounts:account")).status_code == 200  # signed in
    assert Client().login(username="neu@example.org", password=NEW_PASSWORD)

    again = Client().post(
        link, {"name": "Noch wer", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert again.status_code == 400  # single use
    assert "schon benutzt" in again.content.decode()
    assert get_user_model().objects.filter(email="neu@example.org").count() == 1


def test_an_invitation_attaches_to_the_signed_in_account_of_that_address(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    room.outsider.email = "aussen@example.org"
    room.outsider.save()
    invite(
        client_for(room, "moderator"),
        room,
        "aussen@example.org",
        capture=django_capture_on_commit_callbacks,
    )
    link = link_in(mail.outbox[0], "/einladung/")
    users_before = get_user_model().objects.count()

    anonymous = Client()
    assert "schon ein Konto" in anonymous.get(link).content.decode()
    assert (
        anonymous.post(
            link, {"name": "X", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
        ).status_code
        == 400
    )

    response = client_for(room, "outsider").post(link)
    assert response.status_code == 302
    assert get_user_model().objects.count() == users_before
    assert Membership.objects.filter(user=room.outsider, circle=room.circle, role="expert").exists()


def test_an_invitation_for_another_address_does_not_attach_to_me(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    invite(
        client_for(room, "moderator"),
        room,
        "jemand@example.org",
        capture=django_capture_on_commit_callbacks,
    )
    link = link_in(mail.outbox[0], "/einladung/")
    response = client_for(room, "outsider").post(link)
    assert response.status_code == 400
    assert not Membership.objects.filter(user=room.outsider).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_or_withdrawn_invitation_no_longer_works(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    moderator = client_for(room, "moderator")
    invite(moderator, room, "spaet@example.org", capture=django_capture_on_commit_callbacks)
    invite(moderator, room, "zurueck@example.org", capture=django_capture_on_commit_callbacks)
    late, withdrawn = (link_in(m, "/einladung/") for m in mail.outbox)
    Invitation.objects.filter(email="spaet@example.org").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    pending = Invitation.objects.get(email="zurueck@example.org")
    fresh = client_for(room, "moderator")  # no flash messages naming the addresses
    page = fresh.get(reverse("accounts:members", args=[room.circle.slug])).content.decode()
    assert "zurueck@example.org" in page and "spaet@example.org" not in page
    revoked = moderator.post(
        reverse("accounts:invitation_revoke", args=[room.circle.slug, pending.pk])
    )
    assert revoked.status_code == 302
    form = {"name": "X", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    for link in (late, withdrawn):
        assert Client().post(link, form).status_code == 400
    assert (
        not get_user_model()
        .objects.filter(email__in=["spaet@example.org", "zurueck@example.org"])
        .exists()
    )


def test_moderators_invite_experts_and_drafters_only(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    response = invite(
        client_for(room, "moderator"),
        room,
        "chef@example.org",
        role="moderator",
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_a_mail_server_that_is_down_does_not_turn_an_invitation_into_an_error_page(
    room: Room, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.support.FailingBackend"
    response = invite(
        client_for(room, "moderator"),
        room,
        "neu@example.org",
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="neu@example.org").exists()


@pytest.mark.parametrize("persona", MANAGERS)
def test_moderators_and_staff_change_a_role_and_the_room_hears_it(room: Room, persona: str) -> None:
    membership = Membership.objects.get(user=room.expert, circle=room.circle)
    response = client_for(room, persona).post(
        reverse("accounts:member_role", args=[room.circle.slug, membership.pk]), {"role": "drafter"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "drafter"
    event = RoomEvent.objects.get(kind="member.changed")
    assert event.payload["previous_role"] == "expert"


@pytest.mark.parametrize("persona", MANAGERS)
def test_moderators_and_staff_remove_a_member_and_the_room_hears_it(
    room: Room, persona: str
) -> None:
    membership = Membership.objects.get(user=room.expert, circle=room.circle)
    response = client_for(room, persona).post(
        reverse("accounts:member_remove", args=[room.circle.slug, membership.pk])
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = RoomEvent.objects.get(kind="member.removed")
    assert event.payload["person"]["id"] == room.expert.pk


def test_a_membership_of_another_circle_is_not_found_here(room: Room) -> None:
    from tests.factories import make_room

    other = make_room()
    foreign = Membership.objects.get(user=other.expert, circle=other.circle)
    response = client_for(room, "moderator").post(
        reverse("accounts:member_remove", args=[room.circle.slug, foreign.pk])
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_the_invitation_mail_goes_through_the_task_queue(
    room: Room,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The queue's mail task (kernel.mail.send_email) reports a mail it could not send; the
    # inline sending it replaced did not. Nothing is sent before the commit.
    settings.EMAIL_BACKEND = "tests.accounts.support.FailingBackend"
    with caplog.at_level("ERROR", logger="kernel.mail"):
        response = invite(
            client_for(room, "moderator"),
            room,
            "neu@example.org",
            capture=django_capture_on_commit_callbacks,
        )
    assert response.status_code == 302
    assert [r.name for r in caplog.records if "mail not sent" in r.getMessage()] == ["kernel.mail"]
