"""The moderation moves the deadline for citizens' ideas from its own page, without the
admin; the idea form follows at once. A fresh demo takes ideas."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from deliberation.models import Concept
from tests.participation.conftest import IDEAS_DEADLINE, Site

pytestmark = pytest.mark.django_db

URL = "/beteiligung/moderation/frist/"


def _set(client: Client, when: datetime) -> Any:
    return client.post(URL, {"deadline": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")})


def test_the_moderator_closes_and_reopens_ideas_from_the_moderation_page(site: Site) -> None:
    moderator = site.client("moderator")
    ideas = "/beteiligung/ideen/"
    assert (
        "Einsendungen sind geschlossen" not in site.client("outsider").get(ideas).content.decode()
    )

    response = _set(moderator, timezone.now() - timedelta(hours=1))

    assert response.status_code == 302
    assert "Einsendungen sind geschlossen" in site.client("outsider").get(ideas).content.decode()
    later = timezone.now() + timedelta(days=14)
    response = _set(moderator, later)
    site.concept.refresh_from_db()
    assert site.concept.ideas_deadline == later.replace(second=0, microsecond=0)
    assert "Die Frist für Ideen ist jetzt" in moderator.get(response["Location"]).content.decode()
    assert (
        "Einsendungen sind geschlossen" not in site.client("outsider").get(ideas).content.decode()
    )


def test_an_empty_deadline_means_no_deadline(site: Site) -> None:
    site.client("moderator").post(URL, {"deadline": ""})

    site.concept.refresh_from_db()
    assert site.concept.ideas_deadline is None


def test_a_malformed_deadline_changes_nothing(site: Site) -> None:
    response = site.client("moderator").post(URL, {"deadline": "morgen früh"}, follow=True)

    site.concept.refresh_from_db()
    assert site.concept.ideas_deadline == IDEAS_DEADLINE
    assert "Bitte geben Sie Datum und Uhrzeit an." in response.content.decode()


@pytest.mark.parametrize("persona", ["member", "drafter", "outsider", "anonymous"])
def test_only_the_moderation_moves_the_deadline(site: Site, persona: str) -> None:
    response = site.client(persona).post(URL, {"deadline": "2030-01-01T12:00"})

    assert response.status_code in (302, 404)
    if persona == "anonymous":
        assert "/anmelden/" in response["Location"]
    site.concept.refresh_from_db()
    assert site.concept.ideas_deadline == IDEAS_DEADLINE


def test_the_moderation_page_shows_the_deadline_form(site: Site) -> None:
    page = site.client("moderator").get("/beteiligung/moderation/").content.decode()

    assert 'action="/beteiligung/moderation/frist/"' in page
    assert 'type="datetime-local"' in page


def test_a_freshly_loaded_demo_takes_ideas() -> None:
    call_command("load_demo", verbosity=0)

    concept = Concept.objects.get()
    assert concept.ideas_deadline is not None
    assert concept.ideas_deadline > timezone.now() + timedelta(weeks=7)
