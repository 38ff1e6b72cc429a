"""E-mail robustness: a mail server that fails never turns a request into an error page;
the queue retries with backoff and logs the last failure; the mail settings."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from kernel.mail import backoff, send_email

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


class FailingBackend(BaseEmailBackend):
    """A mail server that cannot be reached."""

    attempts = 0

    def send_messages(self, email_messages: Any) -> int:
        FailingBackend.attempts += 1
        raise ConnectionRefusedError("SMTP server unreachable")


@pytest.fixture
def failing_mail(settings: Any) -> type[FailingBackend]:
    settings.EMAIL_BACKEND = "tests.notifications.test_mail.FailingBackend"
    FailingBackend.attempts = 0
    return FailingBackend


def test_sign_up_with_the_mail_server_down_answers_as_usual_and_keeps_the_account(
    failing_mail: type[FailingBackend],
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.factories import make_concept

    make_concept()
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participation:sign_up"),
            {
                "name": "Aylin",
                "email": "aylin@example.org",
                "password": "lange-sichere-phrase-42",
                "password_again": "lange-sichere-phrase-42",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("participation:sign_up_sent")
    assert get_user_model().objects.filter(username="aylin@example.org").exists()
    assert failing_mail.attempts == 1
    assert "mail not sent" in caplog.text


def test_a_queued_mail_is_retried_with_exponential_backoff(
    failing_mail: type[FailingBackend],
) -> None:
    """In the worker (not eager), a failure schedules a retry: 30, 60, 120, 240 s."""
    from celery.exceptions import Retry

    kwargs = {"to": ["a@example.org"], "subject": "Hallo", "body": "Text"}
    send_email.push_request(retries=2, is_eager=False, called_directly=False, kwargs=kwargs)
    try:
        with pytest.raises(Retry) as retry:
            send_email.run(**kwargs)
    finally:
        send_email.pop_request()
    assert retry.value.when == 120
    assert [backoff(n) for n in range(4)] == [30, 60, 120, 240]


def test_the_last_attempt_is_logged_and_gives_up(
    failing_mail: type[FailingBackend], caplog: pytest.LogCaptureFixture
) -> None:
    send_email.push_request(retries=4, is_eager=False, called_directly=False)
    try:
        with caplog.at_level(logging.ERROR):
            assert send_email.run(to=["a@example.org"], subject="Hallo", body="Text") is False
    finally:
        send_email.pop_request()
    assert "mail not sent after 5 attempt(s)" in caplog.text


def test_a_mail_that_goes_through_is_sent_once() -> None:
    assert send_email.delay(to=["a@example.org"], subject="Hallo", body="Text").get() is True
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def _check(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DATABASE_URL"))}
    base |= {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "konsens.example.org",
        "REDIS_URL": "",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_mail_server_warns_at_start() -> None:
    result = _check()
    assert "notifications.W001" in result.stderr + result.stdout


def test_production_with_a_mail_url_or_an_explicit_backend_does_not_warn() -> None:
    for env in (
        {"EMAIL_URL": "smtps://konsens:pw@mail.example.org:465"},
        {"EMAIL_URL": "console://"},
        {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    ):
        result = _check(**env)
        assert result.returncode == 0, result.stderr
        assert "notifications.W001" not in result.stderr + result.stdout, env


def test_mail_has_a_timeout(settings: Any) -> None:
    from django.core.mail import get_connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert get_connection().timeout == 10
