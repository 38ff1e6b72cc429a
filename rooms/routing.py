"""The rooms' WebSocket routes and the middleware they expect, wired in ``config/asgi.py``."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
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


class SocketAuthMiddleware(AuthMiddleware):
    """Channels' ``AuthMiddleware`` without the trip to the database thread for a socket that
    brings no session cookie: without one the session is empty and the user anonymous, as
    Django's ``get_user`` would find. A storm of anonymous viewers would otherwise queue one
    such call each on the one database thread, ahead of everybody's room entry."""

    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        if not scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME):
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


def SocketAuthMiddlewareStack(inner: Any) -> Any:
    """``channels.auth.AuthMiddlewareStack`` with ``SocketAuthMiddleware``."""
    return CookieMiddleware(SessionMiddleware(SocketAuthMiddleware(inner)))
