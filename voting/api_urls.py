"""The vote's REST routes, included under /api/v1/ by ``api.urls``."""

from __future__ import annotations

from django.urls import path

from voting import api

urlpatterns = [
    path(
        "circles/<slug:slug>/motions/",
        api.CircleMotionListApi.as_view(),
        name="api-circle-motion-list",
    ),
    path(
        "circles/<slug:slug>/motions/open/",
        api.MotionOpenApi.as_view(),
        name="api-circle-motion-open",
    ),
    path("motions/<int:motion_id>/", api.MotionDetailApi.as_view(), name="api-motion-detail"),
    path("motions/<int:motion_id>/close/", api.MotionCloseApi.as_view(), name="api-motion-close"),
    path("motions/<int:motion_id>/ballot/", api.MyBallotApi.as_view(), name="api-my-ballot"),
    path(
        "motions/<int:motion_id>/deputy-ballots/",
        api.MyDeputyRightsApi.as_view(),
        name="api-deputy-rights",
    ),
    path(
        "motions/<int:motion_id>/deputy-ballots/<int:member_id>/",
        api.DeputyBallotApi.as_view(),
        name="api-deputy-ballot",
    ),
    path(
        "motions/<int:motion_id>/result/", api.MotionResultApi.as_view(), name="api-motion-result"
    ),
    path(
        "motions/<int:motion_id>/record/", api.MotionRecordApi.as_view(), name="api-motion-record"
    ),
    path(
        "concepts/<slug:slug>/document.md",
        api.ConceptMarkdownApi.as_view(),
        name="api-concept-document-markdown",
    ),
]
