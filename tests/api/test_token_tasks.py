"""Expired API tokens are deleted on beat's schedule, valid ones stay (and keep working)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tasks import prune_expired_tokens
from api.tokens import token_create
from config.celery import app
from tests.factories import make_user


def test_the_schedule_prunes_expired_api_tokens_daily() -> None:
    app.loader.import_default_modules()
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "api.prune_expired_tokens"
    ]

    assert len(entries) == 1
    assert "api.prune_expired_tokens" in app.tasks
    assert entries[0]["schedule"].remaining_estimate(timezone.now()) <= timedelta(days=1)


@pytest.mark.django_db
def test_the_prune_job_removes_an_expired_token_and_keeps_a_valid_one() -> None:
    user = make_user()
    expired = token_create(user, name="alt")
    valid = token_create(user, name="neu")
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert prune_expired_tokens.delay().get() == 1

    assert list(ApiToken.objects.values_list("name", flat=True)) == ["neu"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {valid.key}")
    assert client.get("/api/v1/auth/tokens/").status_code == 200
