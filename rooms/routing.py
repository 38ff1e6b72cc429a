"""The rooms' WebSocket routes and the middleware they expect, wired in ``config/asgi.py``."""

from __future__ import annotations

from typing import Any

from django.urls import path, re_path

from rooms.concept import ConceptConsumer
from rooms.consumers import SERVER_SEND, RoomConsumer, UnknownSocketConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/rooms/<slug:slug>/", RoomConsumer.as_asgi(), name="room-socket"),
    # Read-only: concept pages hear that the document changed (voting/live.py).
    path("ws/concept/", ConceptConsumer.as_asgi(), name="concept-socket"),
    # Last: every other path is closed with 4404 instead of failing in the router.
    re_path(r"", UnknownSocketConsumer.as_asgi(), name="unknown-socket"),
]


class ServerSendMiddleware:
    """Outermost WebSocket middleware: keeps the server's own ``send`` in the scope.

    Channels' ``AuthMiddlewareStack`` wraps ``send`` so that it can save the session on
    ``http.response.start``; for every WebSocket frame that wrapper still reads the lazy
    session (``modified``, ``is_empty()``), 5–7 % of a fan-out's CPU time. A room writes its
    frames through the unwrapped ``send`` (``RoomConsumer``); nothing a socket sends touches
    the session. Without this middleware rooms fall back to the wrapped ``send``.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        return await self.inner({**scope, SERVER_SEND: send}, receive, send)
