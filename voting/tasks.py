"""Scheduled voting work (Celery beat, settings ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from voting import services


@shared_task(name="voting.close_due_motions", acks_late=True)
def close_due_motions() -> int:
    """Close every motion whose deadline has passed (``manage.py close_due_motions`` too)."""
    return len(services.motions_close_due())
