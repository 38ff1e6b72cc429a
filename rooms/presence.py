"""Presence from heartbeats, correct across server processes.

Each process's room hub knows its own living connections (those that pinged within the
timeout). It writes that view to a ``PresenceReport`` row keyed by (room, process) when it
changes (debounced) and refreshes it well inside the timeout while it lives. The room's
presence is the union of the fresh rows: a person counts once however many tabs and processes
they use; rows older than the timeout belong to a dead process and are deleted, so a killed
process leaves no ghost. The union is compared, under the room lock, with the presence last
recorded and only a difference becomes a ``presence.changed`` event.

Disconnect callbacks are not trusted for any of this: they do not run when a process dies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from deliberation.eventlog import lock_room, record_event
from deliberation.models import RoomEvent
from rooms import conf
from rooms.models import PresenceReport, RoomPresence

# Higher first: a person present in two roles (impossible today, harmless tomorrow) shows
# the higher one.
MEMBER_ROLES = ("moderator", "expert", "drafter")
_RANK = {role: rank for rank, role in enumerate(MEMBER_ROLES)}


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    role: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role}


@dataclass(frozen=True)
class LocalPresence:
    """What one process sees of one room. Comparable, so unchanged views are not rewritten."""

    members: tuple[Member, ...] = ()
    viewer_ids: frozenset[int] = frozenset()
    anonymous: int = 0


def merge_members(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each person once (highest role), sorted by name then id."""
    by_id: dict[int, dict[str, Any]] = {}
    for member in members:
        known = by_id.get(member["id"])
        if known is None or _RANK.get(member["role"], 99) < _RANK.get(known["role"], 99):
            by_id[member["id"]] = {
                "id": member["id"],
                "name": member["name"],
                "role": member["role"],
            }
    return sorted(by_id.values(), key=lambda m: (str(m["name"]).casefold(), m["id"]))


def presence_state(circle_id: int) -> dict[str, Any]:
    """The presence as last recorded (what a snapshot shows)."""
    state = RoomPresence.objects.filter(circle_id=circle_id).first()
    if state is None:
        return {"members": [], "viewers": 0}
    return {"members": list(state.members), "viewers": state.viewers}


def presence_report(
    *,
    circle_id: int,
    process: str,
    local: LocalPresence | None,
    now: datetime | None = None,
) -> RoomEvent | None:
    """Store ``process``'s view of the room (``None``: the process leaves the room), drop the
    reports of dead processes and record ``presence.changed`` if the room's presence differs
    from the last recorded one. Returns that event, if any."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_room(circle_id)
        if local is None:
            PresenceReport.objects.filter(circle_id=circle_id, process=process).delete()
        else:
            PresenceReport.objects.update_or_create(
                circle_id=circle_id,
                process=process,
                defaults={
                    "members": [m.as_dict() for m in local.members],
                    "viewer_ids": sorted(local.viewer_ids),
                    "anonymous": local.anonymous,
                    "updated_at": now,
                },
            )
        return _record_if_changed(circle_id, now)


def presence_sweep(*, circle_id: int, now: datetime | None = None) -> RoomEvent | None:
    """Only drop the reports of dead processes (and record the change, if any)."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_room(circle_id)
        return _record_if_changed(circle_id, now)


def _record_if_changed(circle_id: int, now: datetime) -> RoomEvent | None:
    """Precondition: the caller holds the room lock."""
    cutoff = now - timedelta(seconds=conf.presence_timeout())
    PresenceReport.objects.filter(circle_id=circle_id, updated_at__lt=cutoff).delete()
    members: list[dict[str, Any]] = []
    viewer_ids: set[int] = set()
    anonymous = 0
    for report in PresenceReport.objects.filter(circle_id=circle_id):
        members.extend(report.members)
        viewer_ids.update(report.viewer_ids)
        anonymous += report.anonymous
    merged = merge_members(members)
    viewer_ids.difference_update(m["id"] for m in merged)
    viewers = len(viewer_ids) + anonymous
    state, _created = RoomPresence.objects.get_or_create(circle_id=circle_id)
    if state.members == merged and state.viewers == viewers:
        return None
    event = record_event(
        circle=circle_id,
        kind="presence.changed",
        payload={"members": merged, "viewers": viewers},
    )
    state.members, state.viewers, state.seq = merged, viewers, event.seq
    state.save(update_fields=["members", "viewers", "seq"])
    return event
