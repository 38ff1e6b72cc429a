"""Reads of notifications for the pages."""

from __future__ import annotations

from typing import Any

from notifications.models import Kind, Notification, NotificationPreference

LIST_LIMIT = 100


def notifications_for(user: Any, *, limit: int = LIST_LIMIT) -> list[Notification]:
    """The newest ``limit`` notifications of ``user`` (one query)."""
    return list(Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")[:limit])


def unread_count(user: Any) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_preferences(user: Any) -> dict[str, bool]:
    """For each kind, whether it comes by e-mail (default yes)."""
    off = set(
        NotificationPreference.objects.filter(user=user, email=False).values_list("kind", flat=True)
    )
    return {kind: kind not in off for kind in Kind.values}
