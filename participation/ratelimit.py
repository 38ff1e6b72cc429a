"""Rate limits for the public's writes (sign-ups, contributions, reports), counted in Django's
cache: Redis when ``REDIS_URL`` is set, so the limit holds across processes; the local memory
cache otherwise.

Fixed windows: each (scope, key) may act ``limit`` times per window of ``window`` seconds,
counted from the window's start on the server's clock. Keys are hashed, so addresses and
account ids never appear in the cache as they are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    limit: int
    window: int  # seconds


DEFAULT_LIMITS = {
    "signup": Limit(5, 3600),  # per client address
    "contribution": Limit(5, 600),  # per account
    "report": Limit(20, 3600),  # per client address
}


def limit_for(scope: str) -> Limit:
    """The limit of a scope; ``settings.PARTICIPATION_RATE_LIMITS = {"signup": (5, 3600)}``
    overrides the defaults (count, seconds)."""
    override = getattr(settings, "PARTICIPATION_RATE_LIMITS", {}).get(scope)
    if override is not None:
        return Limit(*override)
    return DEFAULT_LIMITS[scope]


def hit(scope: str, key: str) -> None:
    """Count one action of ``key`` in ``scope``; ``RateLimited`` once it is over the limit."""
    rule = limit_for(scope)
    now = int(timezone.now().timestamp())
    window_start = now - now % rule.window
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"participation:rate:{scope}:{digest}:{window_start}"
    if cache.add(cache_key, 1, timeout=rule.window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: a new window
            cache.set(cache_key, 1, timeout=rule.window + 1)
            count = 1
    if count > rule.limit:
        wait = window_start + rule.window - now
        raise RateLimited(
            _("Zu viele Versuche in kurzer Zeit. Bitte versuchen Sie es in %(minutes)s Minute(n).")
            % {"minutes": max(1, -(-wait // 60))}
        )
