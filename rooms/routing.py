"""The rooms' WebSocket routes, wired in ``config/asgi.py``."""

from __future__ import annotations

from typing import Any

from django.urls import path

from rooms.consumers import RoomConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/rooms/<slug:slug>/", RoomConsumer.as_asgi(), name="room-socket"),
]
