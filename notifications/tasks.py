"""The notification tasks (Celery). Each takes plain JSON arguments and may run twice
without harm: ``notify`` tells each person once per occasion."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from notifications import occasions


@shared_task(name="notifications.notify_room_event", acks_late=True)
def notify_room_event(
    *, circle_id: int, seq: int, kind: str, payload: dict[str, Any], actor_id: int | None
) -> int:
    return len(
        occasions.room_event(
            circle_id=circle_id, seq=seq, kind=kind, payload=payload, actor_id=actor_id
        )
    )


@shared_task(name="notifications.notify_contribution_disposition", acks_late=True)
def notify_contribution_disposition(*, disposition_id: int) -> int:
    return len(occasions.disposition(disposition_id=disposition_id))


@shared_task(name="notifications.remind_closing_motions", acks_late=True)
def remind_closing_motions() -> int:
    """Beat runs this every ten minutes (settings ``CELERY_BEAT_SCHEDULE``)."""
    return len(occasions.closing_reminders())
