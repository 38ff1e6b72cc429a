"""Account mails: rendered now, sent after the commit, and a failing mail server is logged,
never raised — the change the mail is about is already saved, so the person must not see an
error page for it. One function per kind of mail, so each can move onto the task queue
unchanged (it needs its arguments only)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts.models import Invitation

logger = logging.getLogger(__name__)


def _send_now(to: str, subject: str, body: str) -> bool:
    try:
        send_mail(subject, body, None, [to], fail_silently=False)
    except Exception:  # SMTP down, refused, timed out: the account change stands
        logger.exception("account mail not sent: %s", subject)
        return False
    return True


def deliver(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Send one plain-text mail after the current transaction commits (at once outside one)."""
    body = render_to_string(template, context)
    transaction.on_commit(lambda: _send_now(to, str(subject), body))


def send_invitation(invitation: Invitation, *, link: str) -> bool:
    """The invitation mail to ``invitation.email``. ``link`` carries the token, whose only
    copy this is (the table holds its hash), so a queued task must receive it as an
    argument. Called after the commit by ``accounts.services.invitation_create``; False when
    the mail server refused (logged)."""
    circle = invitation.circle
    inviter = invitation.invited_by
    body = render_to_string(
        "accounts/email/invitation.txt",
        {
            "circle": circle,
            "role": invitation.get_role_display(),
            "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
            "link": link,
            "expires_at": invitation.expires_at,
        },
    )
    subject = _("Einladung in den Kreis „%(circle)s“ bei Konsens") % {"circle": circle.title}
    return _send_now(invitation.email, subject, body)
