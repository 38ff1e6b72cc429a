"""/api/v1/circles/<slug>/… of a room's session: speakers' list, focus, settings."""

from __future__ import annotations

from django.urls import path

from deliberation import session_api

urlpatterns = [
    path("circles/<slug:slug>/hands/", session_api.HandListApi.as_view(), name="api-room-hands"),
    path("circles/<slug:slug>/focus/", session_api.FocusApi.as_view(), name="api-room-focus"),
    path(
        "circles/<slug:slug>/settings/",
        session_api.SettingsApi.as_view(),
        name="api-room-settings",
    ),
]
