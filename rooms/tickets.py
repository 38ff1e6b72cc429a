"""Single-use tickets: how a script opens a room's WebSocket without a browser session.

A ticket is issued to a signed-in user for one room, lives at most 60 s and is consumed by one
atomic ``UPDATE``, so two sockets racing with the same ticket cannot both get in. Only its
SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.models import Circle
from deliberation.rules import room_role
from kernel.errors import DomainError, Forbidden
from rooms import conf
from rooms.models import RoomTicket

# Expired tickets are deleted this long after they expired (kept a while for the record).
_KEEP_EXPIRED = timedelta(days=1)
_MAX_TICKET_LENGTH = 128


class TicketRefused(DomainError):
    """Unknown, used, expired, or for another room. The socket closes with 4401."""

    code = "forbidden"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def ticket_issue(*, actor: Any, circle: Circle, now: datetime | None = None) -> tuple[str, int]:
    """A new ticket for ``actor`` to enter ``circle``'s room: ``(ticket, seconds valid)``.

    Refused (``Forbidden``) for anybody the room would refuse; viewers of a public room get
    one (they may follow it read-only)."""
    if not getattr(actor, "is_authenticated", False) or room_role(actor, circle) is None:
        raise Forbidden(_("Sie haben keinen Zutritt zu diesem Raum."))
    now = now or timezone.now()
    ttl = conf.ticket_ttl()
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        RoomTicket.objects.filter(expires_at__lt=now - _KEEP_EXPIRED).delete()
        RoomTicket.objects.create(
            token_hash=_hash(raw),
            user=actor,
            circle=circle,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
    return raw, ttl


def ticket_redeem(*, raw: str, circle: Circle, now: datetime | None = None) -> Any:
    """The user a ticket was issued to; the ticket is used up. ``TicketRefused`` otherwise."""
    if not isinstance(raw, str) or not 0 < len(raw) <= _MAX_TICKET_LENGTH:
        raise TicketRefused(_("Das Ticket ist ungültig."))
    now = now or timezone.now()
    token_hash = _hash(raw)
    # One UPDATE is the check and the consumption at once: a second use finds used_at set.
    consumed = RoomTicket.objects.filter(
        token_hash=token_hash, circle=circle, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if consumed != 1:
        raise TicketRefused(_("Das Ticket ist ungültig, abgelaufen oder schon benutzt."))
    user = RoomTicket.objects.select_related("user").get(token_hash=token_hash).user
    if not user.is_active:
        raise TicketRefused(_("Das Konto ist gesperrt."))
    return user
