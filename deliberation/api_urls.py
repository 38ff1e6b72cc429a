"""The deliberation domain's REST routes, included under /api/v1/ by ``api.urls``."""

from __future__ import annotations

from django.urls import path

from deliberation import api, comments_api, plain_api, proposals_api

urlpatterns = [
    path("concepts/", api.ConceptListApi.as_view(), name="api-concept-list"),
    path("concepts/<slug:slug>/", api.ConceptDetailApi.as_view(), name="api-concept-detail"),
    path("action-fields/", api.ActionFieldListApi.as_view(), name="api-action-field-list"),
    path(
        "action-fields/<slug:slug>/",
        api.ActionFieldDetailApi.as_view(),
        name="api-action-field-detail",
    ),
    path("goals/", api.GoalListApi.as_view(), name="api-goal-list"),
    path("goals/<int:goal_id>/", api.GoalDetailApi.as_view(), name="api-goal-detail"),
    path(
        "goals/<int:goal_id>/versions/",
        api.GoalVersionListApi.as_view(),
        name="api-goal-version-list",
    ),
    path(
        "goals/<int:goal_id>/versions/<int:number>/",
        api.GoalVersionDetailApi.as_view(),
        name="api-goal-version-detail",
    ),
    path(
        "goals/<int:goal_id>/plain-text/",
        plain_api.PlainTextApi.as_view(),
        name="api-goal-plain-text",
    ),
    path("circles/", api.CircleListApi.as_view(), name="api-circle-list"),
    path("circles/<slug:slug>/", api.CircleDetailApi.as_view(), name="api-circle-detail"),
    path(
        "circles/<slug:slug>/comments/",
        comments_api.CommentListApi.as_view(),
        name="api-circle-comments",
    ),
    path(
        "circles/<slug:slug>/proposals/",
        proposals_api.ProposalListApi.as_view(),
        name="api-circle-proposals",
    ),
    path(
        "circles/<slug:slug>/proposals/apply-preview/",
        proposals_api.ProposalPreviewApi.as_view(),
        name="api-circle-proposals-preview",
    ),
    path(
        "circles/<slug:slug>/proposals/<int:proposal_id>/withdraw/",
        proposals_api.ProposalWithdrawApi.as_view(),
        name="api-circle-proposal-withdraw",
    ),
    path(
        "circles/<slug:slug>/proposals/<int:proposal_id>/disposition/",
        proposals_api.ProposalDispositionApi.as_view(),
        name="api-circle-proposal-disposition",
    ),
    path(
        "circles/<slug:slug>/proposals/<int:proposal_id>/vote/",
        proposals_api.ProposalVoteApi.as_view(),
        name="api-circle-proposal-vote",
    ),
]
