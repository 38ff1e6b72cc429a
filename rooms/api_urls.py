"""The rooms' REST routes, included under /api/v1/ by ``api.urls``."""

from __future__ import annotations

from django.urls import path

from rooms import api

urlpatterns = [
    path("rooms/<slug:slug>/ticket", api.RoomTicketApi.as_view(), name="api-room-ticket"),
]
