"""Who enters a room, as whom: the room by slug, the user by session or ticket, the role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from deliberation import payloads
from deliberation.models import Circle
from deliberation.rules import room_role
from kernel.errors import Forbidden, NotFound
from rooms.tickets import ticket_redeem


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
