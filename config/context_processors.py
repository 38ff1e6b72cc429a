"""Template context every page needs from the settings."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def source(request: HttpRequest) -> dict[str, str]:
    """``source_url``: where this installation's source is offered (AGPL-3.0 section 13): the
    operator's ``SOURCE_URL``, or the installation's own download (``config.source``)."""
    return {"source_url": settings.SOURCE_URL or reverse("source")}
