"""Serializer fields every API module shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rest_framework import serializers

from kernel.times import utc_iso


class UtcDateTimeField(serializers.DateTimeField):
    """A moment as ISO 8601 in UTC, ``…+00:00`` (kernel.times.utc_iso), like the sockets.

    DRF's own field writes the server's local time (``+01:00`` in Berlin's winter); input
    without an offset is read as UTC."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(*args, **kwargs)

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return utc_iso(value)
        return super().to_representation(value)
