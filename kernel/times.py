"""One format for every moment the API and the sockets send: ISO 8601 in UTC with the offset
written out, ``2026-03-01T09:30:00.123456+00:00`` (what ``isoformat()`` gives for the UTC
values the database returns, and what the stored room event log already holds)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def utc_iso(value: datetime) -> str:
    """``value`` (timezone-aware) as ISO 8601 in UTC, ``…+00:00``."""
    return value.astimezone(UTC).isoformat()


def utc_iso_or_none(value: datetime | None) -> str | None:
    return utc_iso(value) if value is not None else None


class UtcJSONEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, with moments in the one format above (Django's own writes
    ``…Z`` with milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return utc_iso(o)
        return super().default(o)
