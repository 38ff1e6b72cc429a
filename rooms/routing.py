"""The rooms' WebSocket routes, wired in ``config/asgi.py``."""

from __future__ import annotations

from typing import Any

from django.urls import path

from rooms.consumers import RoomConsumer
from voting.consumers import ConceptConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/rooms/<slug:slug>/", RoomConsumer.as_asgi(), name="room-socket"),
    # Read-only: concept pages hear that the document changed (voting/live.py).
    path("ws/concept/", ConceptConsumer.as_asgi(), name="concept-socket"),
]
