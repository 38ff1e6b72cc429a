"""The assistance's REST routes, included under /api/v1/ by ``api.urls``."""

from __future__ import annotations

from django.urls import path

from assist import api

urlpatterns = [
    path("translations/", api.TranslationApi.as_view(), name="api-translation"),
]
