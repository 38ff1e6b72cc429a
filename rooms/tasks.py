"""Scheduled room work (Celery beat, settings ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from rooms import conf
from rooms.replay import room_events_prune


@shared_task(name="rooms.prune_room_events", acks_late=True)
def prune_room_events() -> int:
    """Keep each room's newest ``ROOM_EVENT_LOG_KEEP`` events (``manage.py
    prune_room_events`` does the same, with options)."""
    return room_events_prune(keep=conf.event_log_keep())
