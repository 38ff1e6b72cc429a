"""The WebSocket side of ``config/asgi.py``: the room socket as a plain ASGI application in
front of the Channels stack that serves the other sockets."""

from __future__ import annotations

import contextlib
import re
from importlib import import_module
from typing import Any
from urllib.parse import urlparse

from channels.auth import AuthMiddleware, get_user
from channels.security.websocket import OriginValidator
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import parse_cookie
from django.urls import path, re_path

from rooms import protocol
from rooms.concept import ConceptConsumer
from rooms.consumers import RoomConsumer, UnknownSocketConsumer, query_value

# Django's ``<slug:…>`` converter, anchored: what ``/ws/rooms/<slug>/`` accepts.
ROOM_PATH = re.compile(r"/ws/rooms/(?P<slug>[-a-zA-Z0-9_]+)/")

websocket_urlpatterns: list[Any] = [
    # Read-only: concept pages hear that the document changed (voting/live.py).
    path("ws/concept/", ConceptConsumer.as_asgi(), name="concept-socket"),
    # Last: every other path is closed with 4404 instead of failing in the router.
    re_path(r"", UnknownSocketConsumer.as_asgi(), name="unknown-socket"),
]


class SettingsOriginValidator(OriginValidator):
    """Channels' OriginValidator (scheme, host and port must match a pattern) over
    ``settings.WEBSOCKET_ALLOWED_ORIGINS``, read at each handshake. (The stock
    AllowedHostsOriginValidator compares the host only, and ``*`` turns it off.)"""

    @property
    def allowed_origins(self) -> list[str]:
        return list(settings.WEBSOCKET_ALLOWED_ORIGINS)

    @allowed_origins.setter
    def allowed_origins(self, value: object) -> None:
        """The settings are the list; what the constructor passes is ignored."""


def origin_of(scope: dict[str, Any]) -> Any:
    """The handshake's parsed Origin header (the last one), or None: as Channels reads it."""
    parsed = None
    for name, value in scope.get("headers", ()):
        if name == b"origin":
            with contextlib.suppress(UnicodeDecodeError):
                parsed = urlparse(value.decode("latin1"))
    return parsed


def cookies_of(scope: dict[str, Any]) -> dict[str, str]:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1"))
    return {}


async def user_of(cookies: dict[str, str]) -> Any:
    """The session's user as ``channels.auth`` finds it (one trip to the database thread);
    without a session cookie the visitor is anonymous and nothing is read."""
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return await get_user({"session": store(session_key)})


class RoomSockets:
    """``/ws/rooms/<slug>/`` as a plain ASGI application; every other socket goes to
    ``fallback`` (the Channels stack).

    The same checks as the stack, in one pass over the server's scope: the Origin against
    ``WEBSOCKET_ALLOWED_ORIGINS`` (refused at the handshake, 403), the session cookie's user,
    the language. Then ``RoomConsumer`` is driven message by message, as a Channels consumer
    is: ``websocket.connect`` once, each ``websocket.receive`` in order (the next is read only
    when the last is handled), ``websocket.disconnect`` at the end. What the stack cost per
    socket — a copy of the scope per middleware, a consumer with a dispatch task and a
    wrapped ``send`` reading the session on every frame — was the largest part of a
    connection storm's CPU and of the memory per connection beyond the server's own
    (docs/performance.md, issue 17)."""

    def __init__(self, fallback: Any) -> None:
        self.fallback = fallback
        self.origins = SettingsOriginValidator(None, [])

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = ROOM_PATH.fullmatch(scope.get("path", ""))
        if scope["type"] != "websocket" or match is None:
            await self.fallback(scope, receive, send)
            return
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        if not self.origins.valid_origin(origin_of(scope)):
            await send({"type": "websocket.close"})  # before accept: the handshake gets 403
            return
        cookies = cookies_of(scope)
        language = protocol.language_of({"cookies": cookies, "headers": scope.get("headers", [])})
        # With a ticket the ticket's user enters; the session is not read (rooms.access).
        user = AnonymousUser() if query_value(scope, "ticket") else await user_of(cookies)
        consumer = RoomConsumer(
            scope,
            send,
            slug=match["slug"],
            user=user,
            language=language,
        )
        try:
            await consumer.websocket_connect(message)
            while True:
                message = await receive()
                if message["type"] == "websocket.receive":
                    await consumer.websocket_receive(message)
                elif message["type"] == "websocket.disconnect":
                    break
        finally:
            # Also when a handler failed or the task was cancelled: nothing is left behind
            # in the hub or the per-address count.
            await consumer.websocket_disconnect({"type": "websocket.disconnect"})


class SocketAuthMiddleware(AuthMiddleware):
    """Channels' ``AuthMiddleware`` without the trip to the database thread for a socket that
    brings no session cookie: without one the session is empty and the user anonymous, as
    Django's ``get_user`` would find."""

    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        if not scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME):
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


def SocketAuthMiddlewareStack(inner: Any) -> Any:
    """``channels.auth.AuthMiddlewareStack`` with ``SocketAuthMiddleware``."""
    return CookieMiddleware(SessionMiddleware(SocketAuthMiddleware(inner)))


def websocket_application(inner: Any = None) -> Any:
    """Every WebSocket: the rooms, then ``inner`` (default: the routes above) behind the
    Origin check and the session stack."""
    if inner is None:
        from channels.routing import URLRouter

        inner = URLRouter(websocket_urlpatterns)
    return RoomSockets(SettingsOriginValidator(SocketAuthMiddlewareStack(inner), []))
