"""Account mails: rendered now, handed to the task queue after the commit
(``kernel.mail``: sent by the worker with retries), so a failing mail server never turns the
request into an error page: the change the mail is about is already saved. Without a broker
the task runs in-process after the commit, once."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts.models import Invitation
from kernel import mail


def deliver(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Queue one plain-text mail, sent after the current transaction commits."""
    mail.deliver(to=to, subject=str(subject), body=render_to_string(template, context))


def send_invitation(invitation: Invitation, *, link: str) -> None:
    """Queue the invitation mail to ``invitation.email`` (sent after the commit). ``link``
    carries the token, whose only copy this is (the table holds its hash): the queued task
    receives the rendered mail, never the invitation row."""
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
    mail.deliver(to=invitation.email, subject=subject, body=body)
