"""/healthz: is the database reachable, is the channel layer reachable. JSON, no auth.

The answer names only the failing part and the exception's class; the detail goes to the log,
because this endpoint is public and a connection error would tell anyone our hosts and users.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# Seconds the channel layer round trip may take before the layer counts as down.
LAYER_TIMEOUT = 2.0


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("healthz: database check failed: %r", exc)
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": _elapsed_ms(started)}


async def _layer_roundtrip(layer: BaseChannelLayer) -> None:
    """Send a message to a fresh channel of our own and receive it back."""
    async with asyncio.timeout(LAYER_TIMEOUT):
        channel = await layer.new_channel()
    try:
        async with asyncio.timeout(LAYER_TIMEOUT):
            await layer.send(channel, {"type": "health.ping"})
            await layer.receive(channel)
    finally:
        await _release(layer, channel)


async def _release(layer: BaseChannelLayer, channel: str) -> None:
    """Give the channel back, or every check would leak one.

    Channels has no ``delete_channel()``: a consumer leaves by cancelling its pending
    ``receive()``, and that is when the layers drop the channel's queue (channels-redis' pub/sub
    layer also unsubscribes from Redis). Do exactly that, within the same time limit.
    """
    receiving = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)  # one loop step: the receive starts waiting on the channel's queue
    receiving.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        async with asyncio.timeout(LAYER_TIMEOUT):
            await receiving


async def _check_channel_layer() -> dict[str, Any]:
    layer = get_channel_layer()
    if layer is None:
        return {"ok": False, "backend": None, "error": "NotConfigured"}
    backend = f"{layer.__class__.__module__}.{layer.__class__.__name__}"
    started = time.perf_counter()
    try:
        await _layer_roundtrip(layer)
    except Exception as exc:
        logger.warning("healthz: channel layer check failed: %r", exc)
        return {"ok": False, "backend": backend, "error": exc.__class__.__name__}
    return {"ok": True, "backend": backend, "ms": _elapsed_ms(started)}


@never_cache
async def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": await sync_to_async(_check_database)(),
        "channel_layer": await _check_channel_layer(),
    }
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)
