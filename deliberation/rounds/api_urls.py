"""The rounds API's routes, included under /api/v1/ by ``api.urls``."""

from __future__ import annotations

from django.urls import path

from deliberation.rounds import api

ROUND = "circles/<slug:slug>/rounds/<int:number>/"

urlpatterns = [
    path("circles/<slug:slug>/rounds/", api.RoundsApi.as_view(), name="api-round-list"),
    path(ROUND, api.RoundDetailApi.as_view(), name="api-round-detail"),
    path(ROUND + "phase/", api.RoundPhaseApi.as_view(), name="api-round-phase"),
    path(
        ROUND + "agenda/<int:item_id>/start/",
        api.AgendaItemStartApi.as_view(),
        name="api-round-agenda-start",
    ),
    path(ROUND + "ratings/", api.RatingsApi.as_view(), name="api-round-ratings"),
    path(ROUND + "ratings/<int:goal_id>/", api.OwnRatingApi.as_view(), name="api-round-rating"),
    path(ROUND + "ideas/", api.IdeasApi.as_view(), name="api-round-ideas"),
    path(ROUND + "open-feedback/", api.OpenFeedbackApi.as_view(), name="api-round-open-feedback"),
    path(ROUND + "report/", api.ReportApi.as_view(), name="api-round-report"),
    path(ROUND + "report.md", api.ReportMarkdownApi.as_view(), name="api-round-report-markdown"),
    path(ROUND + "report.csv", api.ReportCsvApi.as_view(), name="api-round-report-csv"),
    path(
        "circles/<slug:slug>/ideas/<int:idea_id>/accept/",
        api.IdeaAcceptApi.as_view(),
        name="api-idea-accept",
    ),
    path(
        "circles/<slug:slug>/ideas/<int:idea_id>/decline/",
        api.IdeaDeclineApi.as_view(),
        name="api-idea-decline",
    ),
    path(
        "circles/<slug:slug>/ideas/<int:idea_id>/disposition/",
        api.IdeaDispositionApi.as_view(),
        name="api-idea-disposition",
    ),
    path(
        "circles/<slug:slug>/comments/<int:comment_id>/disposition/",
        api.CommentDispositionApi.as_view(),
        name="api-comment-disposition",
    ),
    path(
        "circles/<slug:slug>/vote-reasons/<int:vote_reason_id>/disposition/",
        api.VoteReasonDispositionApi.as_view(),
        name="api-vote-reason-disposition",
    ),
    path(
        "circles/<slug:slug>/goals/<int:goal_id>/versions/",
        api.VersionPublishApi.as_view(),
        name="api-goal-version-publish",
    ),
    path("goals/<int:goal_id>/diff/", api.GoalDiffApi.as_view(), name="api-goal-diff"),
    path(
        "goals/<int:goal_id>/versions/<int:number>/feedback/",
        api.VersionFeedbackApi.as_view(),
        name="api-goal-version-feedback",
    ),
    path(
        "comments/<int:comment_id>/trace/", api.CommentTraceApi.as_view(), name="api-comment-trace"
    ),
]
