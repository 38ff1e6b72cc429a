"""Who enters a room, as whom: the room by slug, the user by session or ticket, the role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from deliberation import payloads
from deliberation.models import Circle
from deliberation.rules import fresh_account, room_role
from kernel.errors import Forbidden, NotFound
from rooms.tickets import ticket_redeem


class AccessChanged(Exception):
    """The socket's user is no longer who it was at connect: deactivated, or another role in
    the room (the consumer closes with 4410)."""


def access_current(*, user: Any, circle: Circle, role: str) -> Any:
    """``user`` as the database has it now, if it still has ``role`` in ``circle``; raises
    ``AccessChanged`` otherwise. Every command asks this: the user object a socket holds is
    the one read at connect, whatever the admin did since."""
    if not getattr(user, "is_authenticated", False):
        return user
    fresh, current = fresh_account(user.pk, circle)
    if fresh is None or current != role:
        raise AccessChanged
    return fresh


@dataclass(frozen=True)
class RoomAccess:
    circle: Circle
    user: Any
    role: str
    me: dict[str, Any] | None

    @property
    def user_id(self) -> int | None:
        return self.me["id"] if self.me else None


def enter_room(*, user: Any, slug: str, ticket: str | None) -> RoomAccess:
    """Resolve a connection: ``NotFound`` for an unknown room, ``TicketRefused`` for a bad
    ticket, ``Forbidden`` when the room refuses the user (a private room's non-member).

    With a ticket, the ticket's user is the user (the session is ignored)."""
    circle = Circle.objects.filter(slug=slug).first()
    if circle is None:
        raise NotFound(_("Diesen Raum gibt es nicht."))
    if ticket is not None:
        user = ticket_redeem(raw=ticket, circle=circle)
    elif user is None or not getattr(user, "is_authenticated", False):
        user = AnonymousUser()
    role = room_role(user, circle)
    if role is None:
        raise Forbidden(_("Dieser Raum ist nur für seine Mitglieder."))
    me = payloads.person(user) if user.is_authenticated else None
    return RoomAccess(circle=circle, user=user, role=role, me=me)
