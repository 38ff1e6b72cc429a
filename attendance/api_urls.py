"""Attendance's REST routes, included under /api/v1/ by ``api.urls``."""

from __future__ import annotations

from django.urls import path

from attendance import api

urlpatterns = [
    path("circles/<slug:slug>/roll-call/", api.RollCallApi.as_view(), name="api-roll-call"),
    path(
        "circles/<slug:slug>/roll-call/open/",
        api.RollCallOpenApi.as_view(),
        name="api-roll-call-open",
    ),
    path(
        "circles/<slug:slug>/roll-call/mark/",
        api.RollCallMarkApi.as_view(),
        name="api-roll-call-mark",
    ),
    path(
        "circles/<slug:slug>/roll-call/close/",
        api.RollCallCloseApi.as_view(),
        name="api-roll-call-close",
    ),
    path("circles/<slug:slug>/deputies/", api.DeputyListApi.as_view(), name="api-deputies"),
    path(
        "circles/<slug:slug>/deputies/history/",
        api.DeputyHistoryApi.as_view(),
        name="api-deputies-history",
    ),
    path(
        "circles/<slug:slug>/deputies/<int:member_id>/",
        api.DeputyRemoveApi.as_view(),
        name="api-deputy-remove",
    ),
]
