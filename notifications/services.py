"""The writers of notifications: tell people (in-app entry, and the e-mail they want), mark
read, change preferences, unsubscribe by a mail's signed link.

``notify`` is idempotent per (recipient, key): a task that runs twice, or a reminder job
that runs every few minutes, tells each person once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel import mail
from kernel.errors import Forbidden, Invalid, NotFound
from kernel.types import Actor
from notifications.models import Kind, Notification, NotificationPreference

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def unsubscribe_token(user_id: int, kind: str) -> str:
    """The signed token of a mail's unsubscribe link: who and which kind; it does not expire
    (an old mail's link must still work), and only this installation's SECRET_KEY makes one."""
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_url(user_id: int, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "notifications:unsubscribe", kwargs={"token": unsubscribe_token(user_id, kind)}
    )


def read_unsubscribe_token(token: str) -> tuple[Any, str]:
    """(user, kind) of a valid token; ``Invalid`` for a forged, mangled or stale one."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise Invalid(_("Dieser Abmeldelink ist ungültig."), field="token") from None
    user = get_user_model().objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if user is None or kind not in Kind.values:
        raise Invalid(_("Dieser Abmeldelink ist ungültig."), field="token")
    return user, kind


def _wants_email(user_ids: Iterable[int], kind: str) -> set[int]:
    ids = set(user_ids)
    off = set(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind, email=False).values_list(
            "user_id", flat=True
        )
    )
    return ids - off


def notify(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
) -> list[Notification]:
    """Give each active recipient an entry for ``key`` (once) and, unless they turned the
    kind's e-mail off, queue the mail after the commit. Returns the new entries. ``url`` is
    a path on this site (``/raeume/…``)."""
    if kind not in Kind.values:
        raise Invalid(f"unknown notification kind {kind!r}", field="kind")
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(pk__in=set(recipient_ids), is_active=True)
    }
    created: list[Notification] = []
    with transaction.atomic():
        for user_id in sorted(users):
            notification, new = Notification.objects.get_or_create(
                recipient_id=user_id,
                key=key[:100],
                defaults={"kind": kind, "title": title[:300], "body": body, "url": url[:500]},
            )
            if new:
                created.append(notification)
        for user_id in sorted(_wants_email([n.recipient_id for n in created], kind)):
            user = users[user_id]
            if user.email:
                _email(user, kind=kind, title=title, body=body, url=url)
    return created


def _email(user: Any, *, kind: str, title: str, body: str, url: str) -> None:
    unsubscribe = unsubscribe_url(user.pk, kind)
    text = render_to_string(
        "notifications/email/notification.txt",
        {
            "name": user.get_full_name() or user.get_username(),
            "title": title,
            "body": body,
            "link": settings.SITE_URL + url if url else "",
            "kind": Kind(kind).label,
            "unsubscribe_url": unsubscribe,
            "preferences_url": settings.SITE_URL + reverse("notifications:list"),
        },
    )
    mail.deliver(
        to=user.email,
        subject=title,
        body=text,
        headers={
            # RFC 2369 and RFC 8058: mail programs offer the one-click unsubscribe themselves.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _signed_in(actor: Actor) -> Any:
    if actor is None or not actor.is_authenticated:
        raise Forbidden(_("Bitte melden Sie sich an."))
    return actor


def notification_mark_read(*, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (again: no change)."""
    user = _signed_in(actor)
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound(_("Diese Benachrichtigung gibt es nicht."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: Actor) -> int:
    """Mark all of the actor's unread notifications read; how many were unread."""
    user = _signed_in(actor)
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_set(*, actor: Actor | None, user: Any, kind: str, email: bool) -> None:
    """Whether ``kind`` comes to ``user`` by e-mail. ``actor`` is the user themselves, or
    None for the signed unsubscribe link (whose token is the permission)."""
    if actor is not None and _signed_in(actor).pk != user.pk:
        raise Forbidden(_("Nur die Person selbst ändert ihre Einstellungen."))
    if kind not in Kind.values:
        raise Invalid(_("Unbekannte Art der Benachrichtigung."), field="kind")
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email": bool(email)}
    )


def preferences_set(*, actor: Actor, email_kinds: Iterable[str]) -> None:
    """Set every kind at once: e-mail for the kinds in ``email_kinds``, none for the rest."""
    user = _signed_in(actor)
    wanted = set(email_kinds)
    unknown = wanted - set(Kind.values)
    if unknown:
        raise Invalid(_("Unbekannte Art der Benachrichtigung."), field="email")
    with transaction.atomic():
        for kind in Kind.values:
            preference_set(actor=user, user=user, kind=kind, email=kind in wanted)


def unsubscribe(*, token: str) -> tuple[Any, str]:
    """Turn off the e-mail of the token's kind for the token's person; (user, kind)."""
    user, kind = read_unsubscribe_token(token)
    preference_set(actor=None, user=user, kind=kind, email=False)
    return user, kind
