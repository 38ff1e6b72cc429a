"""Participation's REST routes, included under /api/v1/ by ``api.urls``."""

from __future__ import annotations

from django.urls import path

from participation import api

Q = "questionnaires/<int:questionnaire_id>/"

urlpatterns = [
    path("questionnaires/", api.QuestionnaireListApi.as_view(), name="api-questionnaire-list"),
    path(Q, api.QuestionnaireDetailApi.as_view(), name="api-questionnaire-detail"),
    path(Q + "questions/", api.QuestionListApi.as_view(), name="api-questionnaire-questions"),
    path(
        Q + "questions/<int:question_id>/",
        api.QuestionDetailApi.as_view(),
        name="api-questionnaire-question",
    ),
    path(
        Q + "questions/<int:question_id>/move/",
        api.QuestionMoveApi.as_view(),
        name="api-questionnaire-question-move",
    ),
    path(Q + "open/", api.QuestionnaireOpenApi.as_view(), name="api-questionnaire-open"),
    path(Q + "close/", api.QuestionnaireCloseApi.as_view(), name="api-questionnaire-close"),
    path(Q + "invitations/", api.InvitationListApi.as_view(), name="api-questionnaire-invitations"),
    path(
        Q + "invitations.csv",
        api.InvitationCsvApi.as_view(),
        name="api-questionnaire-invitations-csv",
    ),
    path(Q + "results/", api.ResultsApi.as_view(), name="api-questionnaire-results"),
    path(
        Q + "responses.csv", api.ResponsesCsvApi.as_view(), name="api-questionnaire-responses-csv"
    ),
    path(Q + "response/", api.OwnResponseApi.as_view(), name="api-questionnaire-response"),
    path(
        Q + "translations/<str:language>/",
        api.QuestionnaireTranslationApi.as_view(),
        name="api-questionnaire-translation",
    ),
    path("invitations/<str:token>/", api.InvitationApi.as_view(), name="api-invitation"),
    path("answers/<int:answer_id>/goal/", api.AnswerGoalApi.as_view(), name="api-answer-goal"),
    path(
        "circles/<slug:slug>/answers/<int:answer_id>/disposition/",
        api.AnswerDispositionApi.as_view(),
        name="api-answer-disposition",
    ),
    path(
        "circles/<slug:slug>/contributions/<int:contribution_id>/disposition/",
        api.ContributionDispositionApi.as_view(),
        name="api-contribution-disposition",
    ),
    path(
        "circles/<slug:slug>/rounds/<int:number>/public-feedback/",
        api.RoundPublicFeedbackApi.as_view(),
        name="api-round-public-feedback",
    ),
    path(
        "concepts/<slug:slug>/contributions/",
        api.ConceptContributionsApi.as_view(),
        name="api-concept-contributions",
    ),
    path("contributions/mine/", api.OwnContributionsApi.as_view(), name="api-contributions-mine"),
    path(
        "contributions/<int:contribution_id>/",
        api.ContributionDetailApi.as_view(),
        name="api-contribution-detail",
    ),
    path(
        "contributions/<int:contribution_id>/report/",
        api.ContributionReportApi.as_view(),
        name="api-contribution-report",
    ),
    path(
        "contributions/<int:contribution_id>/moderate/",
        api.ContributionModerateApi.as_view(),
        name="api-contribution-moderate",
    ),
    path(
        "contributions/<int:contribution_id>/goal/",
        api.ContributionGoalApi.as_view(),
        name="api-contribution-goal",
    ),
    path("moderation/", api.ModerationQueueApi.as_view(), name="api-moderation-queue"),
    path("accounts/sign-up/", api.SignUpApi.as_view(), name="api-accounts-sign-up"),
    path("accounts/confirm/", api.ConfirmApi.as_view(), name="api-accounts-confirm"),
]
