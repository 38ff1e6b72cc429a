"""E-mail through the task queue: rendered by the caller, handed to the queue after the
commit, sent by the worker with retries. A mail server that is down, refuses or times out
never turns the request that caused the mail into an error: the change the mail is about is
saved, the failure is retried with exponential backoff and, after the last attempt, logged.

Without a broker (the embedded defaults) the task runs in the request's process after the
commit and is tried once: there is no worker to try again later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from celery import shared_task
from django.core.mail import EmailMessage
from django.db import transaction

logger = logging.getLogger(__name__)

MAX_RETRIES = 4  # five attempts in all
BACKOFF_BASE = 30  # seconds before the first retry; doubled for each next one


def backoff(retries: int) -> int:
    """Seconds to wait before retry number ``retries + 1``: 30, 60, 120, 240."""
    return int(BACKOFF_BASE * 2**retries)


@shared_task(bind=True, name="kernel.send_email", max_retries=MAX_RETRIES, acks_late=True)
def send_email(
    self: Any,
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
) -> bool:
    """Send one plain-text mail; True when the server took it. Retried on any failure of the
    backend (connection refused, timeout, SMTP error); False after the last attempt."""
    message = EmailMessage(subject=subject, body=body, to=list(to), headers=headers or {})
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # any backend failure: the caller's change stands
        attempt = self.request.retries + 1
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            logger.error(
                "mail not sent after %s attempt(s): %r to %s recipient(s): %s",
                attempt,
                subject,
                len(message.to),
                exc,
            )
            return False
        countdown = backoff(self.request.retries)
        logger.warning(
            "mail attempt %s failed (%s); retrying in %s s: %r", attempt, exc, countdown, subject
        )
        raise self.retry(exc=exc, countdown=countdown) from None
    return True


def enqueue(task: Any, **kwargs: Any) -> None:
    """``task.delay(**kwargs)`` after the current transaction commits (at once outside one).
    A broker that cannot be reached is logged, not raised: the request has succeeded."""

    def _enqueue() -> None:
        try:
            task.delay(**kwargs)
        except Exception:
            logger.exception("could not enqueue %s", getattr(task, "name", task))

    transaction.on_commit(_enqueue)


def deliver(
    *, to: str | Sequence[str], subject: str, body: str, headers: dict[str, str] | None = None
) -> None:
    """Queue one plain-text mail to be sent after the current transaction commits."""
    recipients = [to] if isinstance(to, str) else list(to)
    enqueue(send_email, to=recipients, subject=str(subject), body=body, headers=headers)
