"""Request helpers shared by the participation pages and API: the site's address for links
in e-mails and CSV exports, and the client's address for rate limits."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings


def base_url(request: Any) -> str:
    """``https://host`` as the client reached us (no trailing slash)."""
    return str(request.build_absolute_uri("/")).rstrip("/")


def client_address(request: Any) -> str:
    """The client's IP address for rate limits. Behind ``NUM_PROXIES`` reverse proxies (the
    API throttles' setting) it is the entry they appended to X-Forwarded-For; with none,
    only the direct peer counts, since the header could be forged."""
    proxies = int(api_settings.NUM_PROXIES or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return str(request.META.get("REMOTE_ADDR", ""))
