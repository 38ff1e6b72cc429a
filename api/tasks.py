"""Scheduled API work (Celery beat, settings ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from api.tokens import tokens_prune


@shared_task(name="api.prune_expired_tokens", acks_late=True)
def prune_expired_tokens() -> int:
    """Delete the API tokens that expired (they are refused already; this drops the rows)."""
    return tokens_prune()
