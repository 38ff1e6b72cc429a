"""Plain-data shapes of attendance, shared by room events, pages and the API."""

from __future__ import annotations

from typing import Any

from attendance.models import Deputy, DeputyChange, RollCall, RollCallEntry
from deliberation.payloads import person
from kernel.times import utc_iso, utc_iso_or_none


def _iso(value: Any) -> str | None:
    return utc_iso_or_none(value)


def entry_data(entry: RollCallEntry) -> dict[str, Any]:
    return {
        "user": person(entry.user),
        "role": entry.role,
        "present": entry.present,
        "from_presence": entry.from_presence,
        "confirmed": entry.marked_by_id is not None,
    }


def roll_call_data(roll_call: RollCall, entries: list[RollCallEntry]) -> dict[str, Any]:
    """Precondition: ``entries`` are the roll call's, with their users."""
    return {
        "id": roll_call.pk,
        "circle": roll_call.circle_id,
        "status": roll_call.status,
        "opened_by": person(roll_call.opened_by),
        "opened_at": utc_iso(roll_call.opened_at),
        "closed_at": _iso(roll_call.closed_at),
        "members": len(entries),
        "present": sum(1 for e in entries if e.present),
        "entries": [entry_data(e) for e in entries],
    }


def deputy_data(deputy: Deputy) -> dict[str, Any]:
    return {
        "member": person(deputy.member),
        "deputy": person(deputy.deputy),
        "registered_by": person(deputy.registered_by),
        "registered_at": utc_iso(deputy.registered_at),
        "removed_by": person(deputy.removed_by),
        "removed_at": _iso(deputy.removed_at),
    }


def change_data(change: DeputyChange) -> dict[str, Any]:
    return {
        "action": change.action,
        "member": person(change.member),
        "deputy": person(change.deputy),
        "actor": person(change.actor),
        "at": utc_iso(change.at),
    }
