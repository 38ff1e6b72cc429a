"""A decision on a citizen's public contribution tells its author (participation's hook)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from deliberation.models import Disposition, Round
from notifications.models import Kind, Notification
from participation import services
from tests.participation.conftest import Site, clock, site  # noqa: F401 - fixtures
from tests.participation.test_evaluation import approved_idea, open_round

pytestmark = pytest.mark.django_db


def test_a_disposition_on_a_public_idea_tells_its_author_once(
    site: Site,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    site.outsider.email = "buergerin@example.org"
    site.outsider.save(update_fields=["email"])
    idea = approved_idea(site)
    open_round(site, phase=Round.Phase.EVALUATION)
    decide = {
        "actor": site.drafter,
        "circle": site.circle,
        "contribution_id": idea.pk,
        "value": Disposition.Value.ACCEPTED,
        "response": "Nehmen wir auf.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_disposition_set(**decide)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_disposition_set(**decide)  # the same again: no change, no news

    (notification,) = Notification.objects.filter(kind=Kind.DISPOSITION)
    assert notification.recipient_id == site.outsider.pk
    assert notification.url == f"/beteiligung/beitraege/{idea.pk}/"
    assert "Nehmen wir auf." in notification.body
    assert [m.to for m in mail.outbox] == [["buergerin@example.org"]]
