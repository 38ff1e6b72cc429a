"""Where notifications hear what happened: listeners the app registers at start
(``NotificationsConfig.ready``). Each is called after the commit of the change it hears of
and only enqueues a task, so a request pays for nothing but the enqueue."""

from __future__ import annotations

from typing import Any

from deliberation.models import Disposition, RoomEvent
from notifications import tasks

# The room events that tell someone something.
ROOM_EVENT_KINDS = frozenset({"round.opened", "motion.opened", "disposition.set", "member.added"})


def on_room_event(event: RoomEvent) -> None:
    if event.kind not in ROOM_EVENT_KINDS:
        return
    # The event's content travels with the task: the log may be pruned before it runs.
    arguments: dict[str, Any] = {
        "circle_id": event.circle_id,
        "seq": event.seq,
        "kind": event.kind,
        "payload": event.payload,
        "actor_id": event.actor_id,
    }
    tasks.notify_room_event.delay(**arguments)


def on_public_disposition(disposition: Disposition) -> None:
    """A disposition of the public's feedback (participation's, not a room event)."""
    if disposition.contribution_id is not None:
        tasks.notify_contribution_disposition.delay(disposition_id=disposition.pk)
