"""The stock Channels fan-out pattern, as most projects ship it: the peer in ``bench.fanout``.

Every viewer's consumer is a member of one channel-layer group; a posting client's frame is
turned into a ``group_send``; each member's group handler ``send_json``s the frame to its own
socket. Channel layer: ``channels_redis.core.RedisChannelLayer`` (the default of the
channels-redis documentation and of most projects), untuned: capacity 100, expiry 60 s.
Channels' stock ``dispatch()`` is kept, including its per-message
``aclose_old_connections()`` (there is no database here, so that hop costs only the thread
pool round trip, as in any project whose handlers do not touch the ORM).

Served by Daphne from the project root::

    BENCH_REDIS_URL=redis://127.0.0.1:6379/9 \
        python -m daphne -p 8101 bench.stock_channels:application

Frames (the same shape the Konsens room sends, so clients measure the same thing):

* server → client on connect: ``{"type": "welcome", "seq": 0}`` once the socket is in the group;
* client → server: ``{"type": "post", "data": {...}}``;
* server → every member: ``{"type": "event", "seq": n, "kind": "comment.created", "data": {...}}``
  where ``n`` counts the posts this process relayed.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import django
from django.conf import settings

GROUP = "bench"

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-stock-channels-not-a-secret",
        INSTALLED_APPS=["channels"],
        DATABASES={},
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")],
                    "prefix": "bench.stock",
                },
            }
        },
        LOGGING_CONFIG=None,
    )
    django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

_seq = itertools.count(1)


class StockConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()
        await self.send_json({"type": "welcome", "seq": 0})

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "post":
            await self.channel_layer.group_send(
                GROUP, {"type": "room.comment", "seq": next(_seq), "data": content.get("data")}
            )

    async def room_comment(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "event",
                "seq": message["seq"],
                "kind": "comment.created",
                "data": message["data"],
            }
        )


application = URLRouter([path("ws/stock/", StockConsumer.as_asgi())])
