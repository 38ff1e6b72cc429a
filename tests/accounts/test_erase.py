"""Deleting an account erases what is personal and keeps the public record, pseudonymised."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts import services
from deliberation.models import Comment, RoomEvent
from notifications.models import Notification, NotificationPreference
from rooms.replay import events_after
from rooms.snapshots import read_snapshot
from tests.accounts.personal import Person, person_with_everything
from tests.factories import PASSWORD
from voting import tally
from voting.models import Ballot, Result

pytestmark = pytest.mark.django_db
FORMER = "ehemaliges Mitglied"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def person() -> Person:
    return person_with_everything()


def test_the_rooms_history_shows_the_former_member_for_their_comments(person: Person) -> None:
    services.account_delete(actor=person.user)
    posted = RoomEvent.objects.filter(circle=person.room.circle, kind="comment.created").first()
    assert posted is not None
    assert str({"id": person.user.pk, "name": FORMER}) in str(posted.payload)
    events = events_after(person.room.circle.pk, 0, limit=1000)
    replayed = "".join(e.public + e.moderator for e in events)
    assert "Erika" not in replayed
    assert FORMER in replayed
    assert "Mein Beitrag zur Sache." in replayed  # the comment itself stays
    snapshot = read_snapshot(person.room.circle.pk)
    welcome = snapshot.public + snapshot.moderator
    assert "Erika" not in welcome and FORMER in welcome


def test_open_ballots_keep_their_count_and_choice_and_secret_ones_are_untouched(
    person: Person,
) -> None:
    before_open = sorted(
        Ballot.objects.filter(motion=person.open_motion).values_list("choice", flat=True)
    )
    before_secret = list(
        Ballot.objects.filter(motion=person.secret_motion).values(
            "id", "voter_key", "choice", "reason"
        )
    )
    services.account_delete(actor=person.user)
    after = Ballot.objects.filter(motion=person.open_motion)
    assert sorted(after.values_list("choice", flat=True)) == before_open
    mine = after.get(voter_id=person.user.pk)
    assert mine.choice == "consent_with_concerns"
    assert mine.voter.get_full_name() == "" and mine.voter.email == ""
    assert (
        list(
            Ballot.objects.filter(motion=person.secret_motion).values(
                "id", "voter_key", "choice", "reason"
            )
        )
        == before_secret
    )


def test_a_closed_motions_record_still_verifies(person: Person) -> None:
    record_before = person.closed_result.record
    services.account_delete(actor=person.user)
    result = Result.objects.get(pk=person.closed_result.pk)
    assert result.record == record_before
    assert tally.verify(tally.canonical_json(result.record), result.digest) == []


def test_what_is_purely_personal_is_deleted(person: Person) -> None:
    from api.models import ApiToken
    from api.tokens import token_create

    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    token_create(person.user)
    services.account_delete(actor=person.user)
    assert not ApiToken.objects.filter(user=person.user).exists()
    assert not Notification.objects.filter(recipient=person.user).exists()
    assert not NotificationPreference.objects.filter(user=person.user).exists()
    assert all(
        str(s.get_decoded().get("_auth_user_id")) != str(person.user.pk)
        for s in Session.objects.all()
    )
    assert client.get(reverse("accounts:data_export")).status_code == 302  # the export is gone


def test_nothing_of_anyone_else_changes(person: Person) -> None:
    other = person.room.expert2
    theirs = list(Comment.objects.filter(author=other).values())
    other_events = [
        (e.seq, e.payload)
        for e in RoomEvent.objects.filter(circle=person.room.circle).order_by("seq")
        if str(person.user.pk) not in str(e.payload) and "Erika" not in str(e.payload)
    ]
    other_ballots = list(Ballot.objects.filter(voter=other).values())
    services.account_delete(actor=person.user)
    assert list(Comment.objects.filter(author=other).values()) == theirs
    assert list(Ballot.objects.filter(voter=other).values()) == other_ballots
    for seq, payload in other_events:
        assert RoomEvent.objects.get(circle=person.room.circle, seq=seq).payload == payload
    assert get_user_model().objects.get(pk=other.pk).email == other.email
