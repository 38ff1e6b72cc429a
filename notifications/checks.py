"""System checks of the mail settings (run by ``migrate``, ``check`` and the dev server)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def mail_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """With DEBUG off, mail must go somewhere on purpose: without ``EMAIL_URL``,
    ``EMAIL_HOST`` or an explicit ``EMAIL_BACKEND``, it would only be printed to the log, and
    nobody would get a confirmation link or a notification."""
    if settings.DEBUG or getattr(settings, "EMAIL_CONFIGURED", True):
        return []
    return [
        checks.Warning(
            "No mail server is configured, so every mail (sign-up confirmations, "
            "notifications) is only printed to the log.",
            hint="Set EMAIL_URL (e.g. smtps://USER:PASSWORD@HOST:465), or EMAIL_URL=console:// "
            "to keep mail in the log on purpose (docs/operations.md, 'Mail').",
            id="notifications.W001",
        )
    ]


def register() -> None:
    checks.register(mail_configured, checks.Tags.compatibility)
