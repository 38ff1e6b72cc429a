"""What the room transport holds about a person, for the erasure (``kernel.personal_data``):
room tickets are deleted; the presence rows (refreshed by every heartbeat, aged out after
``ROOM_PRESENCE_TIMEOUT``) show the person as a former member until they age out."""

from __future__ import annotations

from typing import Any

from deliberation.payloads import person
from rooms.models import PresenceReport, RoomPresence, RoomTicket


def export(user: Any) -> dict[str, Any]:
    return {
        "room_tickets": list(
            RoomTicket.objects.filter(user=user)
            .order_by("pk")
            .values("circle__slug", "created_at", "expires_at", "used_at")
        )
    }


def erase(user: Any, former_email: str) -> None:
    """Precondition: ``user`` is already scrubbed (``person(user)`` is the former member)."""
    RoomTicket.objects.filter(user=user).delete()
    former = person(user) or {}
    for model in (PresenceReport, RoomPresence):
        for row in model.objects.all():
            members = [
                {**m, "name": former.get("name", "")} if m.get("id") == user.pk else m
                for m in row.members
                if isinstance(m, dict)
            ]
            if members != row.members:
                row.members = members
                row.save(update_fields=["members"])
