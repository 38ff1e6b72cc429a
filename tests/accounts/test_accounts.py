"""Password reset, e-mail change with confirmation, and deletion of one's own account."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import services
from deliberation import payloads
from deliberation import services as deliberation_services
from deliberation.models import Comment, Membership, RoomEvent
from tests.accounts.support import link_in, mails_to
from tests.factories import PASSWORD, Room, make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "ganz-neues-kennwort-77"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- password reset ----------------------------------------------------------------------


def test_login_page_links_to_password_reset() -> None:
    page = Client().get(reverse("login")).content.decode()
    assert reverse("accounts:password_reset") in page
    assert "Passwort vergessen?" in page


def test_a_forgotten_password_is_reset_by_a_single_use_link(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user(email="rosa@example.org")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "Rosa@Example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["rosa@example.org"]
    link = link_in(message, "/konto/passwort-neu/")

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")

    assert Client().login(username=user.username, password=NEW_PASSWORD)
    assert not Client().login(username=user.username, password=PASSWORD)
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]  # used once: the password it was made for is gone


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("accounts:password_reset"), {"email": "niemand@example.org"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_mail_server_that_is_down_does_not_turn_a_reset_into_an_error_page(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.support.FailingBackend"
    make_user(email="rosa@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("accounts:password_reset"), {"email": "rosa@example.org"})
    assert response.status_code == 302


def test_the_reset_page_speaks_english() -> None:
    client = Client(headers={"accept-language": "en"})
    page = client.get(reverse("accounts:password_reset")).content.decode()
    assert "Forgot your password" in page
    assert 'lang="en"' in page


# --- my account --------------------------------------------------------------------------


def test_my_account_shows_my_memberships_and_the_account_links(room: Room) -> None:
    page = signed_in(room.moderator).get(reverse("accounts:account")).content.decode()
    assert room.circle.title in page
    assert "Moderation" in page
    assert reverse("accounts:members", args=[room.circle.slug]) in page  # a moderator manages
    for name in ("email_change", "password_reset", "delete"):
        assert reverse(f"accounts:{name}") in page
    expert_page = signed_in(room.expert).get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:members", args=[room.circle.slug]) not in expert_page


def test_the_header_links_to_my_account_when_signed_in(room: Room) -> None:
    assert reverse("accounts:account") in signed_in(room.expert).get("/").content.decode()
    assert reverse("accounts:account") not in Client().get("/").content.decode()


@pytest.mark.parametrize("name", ["account", "email_change", "delete"])
def test_the_account_pages_ask_an_anonymous_visitor_to_sign_in(name: str) -> None:
    response = Client().get(reverse(f"accounts:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- e-mail change -----------------------------------------------------------------------


def test_a_new_email_address_counts_only_after_it_is_confirmed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user("alt@example.org", email="alt@example.org")  # a citizen: name = address
    client = signed_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:email_change"), {"email": "Neu@Example.org", "password": PASSWORD}
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "alt@example.org"  # not yet
    (confirmation,) = mails_to("neu@example.org")
    (notice,) = mails_to("alt@example.org")
    assert "neu@example.org" in notice.body
    link = link_in(confirmation, "/konto/e-mail/bestaetigen/")

    other_browser = Client()
    assert other_browser.get(link).status_code == 200  # GET changes nothing
    user.refresh_from_db()
    assert user.email == "alt@example.org"
    assert other_browser.post(link).status_code == 302
    user.refresh_from_db()
    assert (user.email, user.username) == ("neu@example.org", "neu@example.org")
    assert Client().login(username="neu@example.org", password=PASSWORD)
    assert other_browser.post(link).status_code == 400  # a link works once


def test_an_email_change_with_the_wrong_password_changes_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user(email="alt@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(user).post(
            reverse("accounts:email_change"), {"email": "neu@example.org", "password": "falsch"}
        )
    assert response.status_code == 400
    assert "Das Passwort stimmt nicht." in response.content.decode()
    assert mail.outbox == []


def test_an_address_of_another_account_is_told_and_nothing_changes(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user(email="alt@example.org")
    make_user(email="belegt@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(user).post(
            reverse("accounts:email_change"), {"email": "belegt@example.org", "password": PASSWORD}
        )
    assert response.status_code == 302  # the same answer as for a free address
    (message,) = mail.outbox
    assert message.to == ["belegt@example.org"]
    assert "/konto/e-mail/bestaetigen/" not in message.body
    user.refresh_from_db()
    assert user.email == "alt@example.org"


def test_a_forged_confirmation_link_is_refused() -> None:
    response = Client().post(reverse("accounts:email_confirm", args=["abc:def"]))
    assert response.status_code == 400


# --- deletion ----------------------------------------------------------------------------


def test_deleting_needs_the_password_and_the_confirmation(room: Room) -> None:
    client = signed_in(room.expert)
    wrong = client.post(reverse("accounts:delete"), {"password": "falsch", "understood": "on"})
    assert wrong.status_code == 400
    unconfirmed = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert unconfirmed.status_code == 400
    room.expert.refresh_from_db()
    assert room.expert.is_active
    assert Membership.objects.filter(user=room.expert).exists()


def test_a_deleted_account_is_scrubbed_and_its_comments_stay_as_former_member(
    room: Room,
) -> None:
    expert = room.expert
    comment, _ = deliberation_services.comment_post(
        actor=expert, circle=room.circle, goal_id=room.goal.pk, body="Mein Beitrag."
    )
    client = signed_in(expert)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD, "understood": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:deleted")

    user = get_user_model().objects.get(pk=expert.pk)  # the row stays
    assert not user.is_active and not user.has_usable_password()
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert room.expert.username not in user.username
    assert not Membership.objects.filter(user=user).exists()
    assert not Client().login(username=expert.username, password=PASSWORD)
    assert client.get(reverse("accounts:account")).status_code == 302  # signed out

    removed = RoomEvent.objects.get(circle=room.circle, kind="member.removed")
    assert removed.payload["person"] == {"id": user.pk, "name": "ehemaliges Mitglied"}
    kept = Comment.objects.get(pk=comment.pk)
    assert kept.body == "Mein Beitrag."
    assert payloads.comment_data(kept, moderator=False)["author"]["name"] == ("ehemaliges Mitglied")
    with translation.override("en"):
        assert payloads.person(user) == {"id": user.pk, "name": "former member"}


def test_a_deleted_account_cannot_get_a_password_reset(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    room.expert.email = "expertin@example.org"
    room.expert.save()
    services.account_delete(actor=room.expert)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:password_reset"), {"email": "expertin@example.org"})
    assert mail.outbox == []


def test_an_anonymous_visitor_cannot_delete_anything() -> None:
    from django.contrib.auth.models import AnonymousUser

    from kernel.errors import Forbidden

    with pytest.raises(Forbidden):
        services.account_delete(actor=AnonymousUser())
