"""A person's notifications for the export and the erasure (``kernel.personal_data``):
the in-app list and the e-mail preferences are purely personal, so erasure deletes them."""

from __future__ import annotations

from typing import Any

from notifications.models import Notification, NotificationPreference


def export(user: Any) -> dict[str, Any]:
    return {
        "notifications": list(
            Notification.objects.filter(recipient=user)
            .order_by("pk")
            .values("kind", "title", "body", "url", "created_at", "read_at")
        ),
        "preferences": list(
            NotificationPreference.objects.filter(user=user)
            .order_by("kind")
            .values("kind", "email")
        ),
    }


def erase(user: Any, former_email: str) -> None:
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
