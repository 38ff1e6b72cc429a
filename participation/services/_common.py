"""Limits and helpers shared by the participation services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, Invalid
from kernel.permissions import can
from kernel.types import Actor

TITLE_MAX_LENGTH = 200


INTRO_MAX_LENGTH = 10_000


QUESTION_MAX_LENGTH = 500


CHOICE_MAX_LENGTH = 200


CHOICES_MIN = 2


CHOICES_MAX = 20


QUESTIONS_MAX = 100


ANSWER_MAX_LENGTH = 5000


INVITATIONS_MAX = 5000


CONTRIBUTION_TITLE_MAX_LENGTH = 200


CONTRIBUTION_BODY_MAX_LENGTH = 4000


REPORT_REASON_MAX_LENGTH = 500


REASON_MAX_LENGTH = 2000


RESPONSE_MAX_LENGTH = 5000


NAME_MAX_LENGTH = 150


EMAIL_MAX_LENGTH = 150  # the address is the username, which holds 150 characters


RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


# "Keep the current value" for optional keyword arguments where None is a value (no deadline).
KEEP: Any = object()


def _now() -> datetime:
    return timezone.now()


def _when(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _deadline(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise Invalid(_("Die Frist muss ein Zeitpunkt mit Zeitzone sein."), field="deadline")
    return value


def _honeypot(value: Any) -> None:
    """The form's hidden ``website`` field: people never see it, robots fill it in."""
    if value:
        raise Invalid(
            _("Diese Einsendung sieht automatisch erzeugt aus und wurde nicht angenommen."),
            field="website",
        )


def _require_manage(actor: Actor, obj: Any) -> None:
    if actor is None or not can(actor, "participation.manage_questionnaire", obj):
        raise Forbidden(_("Nur die Verwaltung und die Moderation bearbeiten Fragebögen."))
