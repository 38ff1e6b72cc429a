"""A person downloads everything Konsens stores about them (GDPR articles 15 and 20)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.personal import Person, person_with_everything
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def person() -> Person:
    return person_with_everything()


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def exported(user: Any) -> dict[str, Any]:
    response = signed_in(user).get(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_the_account_page_offers_the_download(person: Person) -> None:
    page = signed_in(person.user).get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:data_export") in page
    assert "Meine Daten herunterladen" in page


def test_a_person_with_data_in_every_context_finds_it_in_the_export(person: Person) -> None:
    data = exported(person.user)
    assert data["account"]["email"] == "erika@example.org"
    assert data["account"]["first_name"] == "Erika"
    assert data["login"]["sessions"]  # the session of this very download
    deliberation = data["deliberation"]
    assert [m["role"] for m in deliberation["memberships"]] == ["expert"]
    assert [c["body"] for c in deliberation["comments"]] == ["Mein Beitrag zur Sache."]
    assert [r["support"] for r in deliberation["ratings"]] == [4]
    assert [i["title"] for i in deliberation["ideas"]] == ["Meine Idee"]
    assert [h["state"] for h in deliberation["hands"]] == ["done"]
    voting = data["voting"]
    assert {b["motion_id"]: b["choice"] for b in voting["open_ballots"]} == {
        person.closed_result.motion_id: "consent",
        person.open_motion.pk: "consent_with_concerns",
    }
    assert person.secret_motion.pk not in {b["motion_id"] for b in voting["open_ballots"]}
    assert person.secret_motion.pk in {e["motion_id"] for e in voting["eligible_in"]}
    assert "secret_ballots" in data["not_included"]
    participation = data["participation"]
    assert [c["title"] for c in participation["contributions"]] == ["Öffentlicher Vorschlag"]
    assert len(participation["reports"]) == 1
    assert [r["questionnaire"] for r in participation["questionnaire_responses"]] == ["Umfrage"]
    assert [e["present"] for e in data["attendance"]["roll_call_entries"]] == [True]
    assert [n["title"] for n in data["notifications"]["notifications"]] == ["Runde eröffnet"]
    assert data["notifications"]["preferences"] == [{"kind": "motion_closing", "email": False}]


def test_the_export_holds_nobody_elses_data(person: Person) -> None:
    other = person.room.expert2
    other.first_name, other.email = "Zora", "zora@example.org"
    other.save()
    text = signed_in(person.user).get(reverse("accounts:data_export")).content.decode()
    assert "Fremder Beitrag." not in text
    assert "zora@example.org" not in text and "Zora" not in text
    assert person.room.moderator.get_username() not in text
    assert "Fremde Begründung." not in text  # the other expert's open ballot
    assert "Geheime Begründung." not in text  # the own secret ballot is linked to nobody


def test_the_export_names_no_secret(person: Person) -> None:
    from api.tokens import token_create

    issued = token_create(person.user, name="Skript")
    text = signed_in(person.user).get(reverse("accounts:data_export")).content.decode()
    assert issued.key not in text
    assert issued.token.digest not in text
    assert person.user.password not in text
    tokens = json.loads(text)["login"]["api_tokens"]
    assert [(t["name"], t["prefix"]) for t in tokens] == [("Skript", issued.key[:8])]


def test_the_rest_endpoint_returns_the_same_document(person: Person) -> None:
    from api.tokens import token_create

    key = token_create(person.user).key
    response = Client().get("/api/v1/account/data", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["deliberation"]["comments"][0]["body"] == "Mein Beitrag zur Sache."


def test_an_anonymous_visitor_is_sent_to_sign_in_and_the_api_answers_401(db: None) -> None:
    page = Client().get(reverse("accounts:data_export"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))
    api = Client().get("/api/v1/account/data")
    assert api.status_code == 401
    assert api["WWW-Authenticate"].startswith("Token")


def test_an_outsider_gets_only_their_own_empty_record(person: Person) -> None:
    data = exported(person.room.outsider)
    assert data["deliberation"]["comments"] == []
    assert data["voting"]["open_ballots"] == []
    assert "Erika" not in json.dumps(data)
