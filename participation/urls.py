"""Pages of wider participation, included by ``config.urls`` before the frontend's catch-all."""

from __future__ import annotations

from django.urls import path

from participation import views

app_name = "participation"

Q = "beteiligung/fragebogen/<int:questionnaire_id>/"

urlpatterns = [
    path("beteiligung/", views.index, name="index"),
    # citizens' accounts
    path("beteiligung/registrieren/", views.sign_up, name="sign_up"),
    path("beteiligung/registrieren/gesendet/", views.sign_up_sent, name="sign_up_sent"),
    path("beteiligung/bestaetigen/<str:uidb64>/<str:token>/", views.confirm, name="confirm"),
    # contributions: ideas, questions, opinions
    path("beteiligung/ideen/", views.ideas, name="ideas"),
    path("beteiligung/ideen/neu/", views.idea_new, name="idea_new"),
    path("beteiligung/fragen-und-meinungen/", views.opinions, name="opinions"),
    path("beteiligung/beitraege/<int:contribution_id>/", views.contribution, name="contribution"),
    path(
        "beteiligung/beitraege/<int:contribution_id>/melden/",
        views.contribution_report,
        name="contribution_report",
    ),
    path("beteiligung/meine-beitraege/", views.mine, name="mine"),
    path("beteiligung/moderation/", views.moderation, name="moderation"),
    path("beteiligung/moderation/frist/", views.ideas_deadline, name="ideas_deadline"),
    path(
        "beteiligung/moderation/<int:contribution_id>/",
        views.moderate,
        name="moderate",
    ),
    # questionnaires: building, answering, evaluating
    path("beteiligung/fragebogen/", views.questionnaires, name="questionnaires"),
    path(Q, views.builder, name="builder"),
    path(Q + "fragen/neu/", views.question_new, name="question_new"),
    path(Q + "fragen/<int:question_id>/", views.question_edit, name="question_edit"),
    path(Q + "fragen/<int:question_id>/aendern/", views.question_change, name="question_change"),
    path(Q + "status/", views.questionnaire_status, name="questionnaire_status"),
    path(Q + "einladungen/", views.invitations, name="invitations"),
    path(Q + "einladungen.csv", views.invitations_csv, name="invitations_csv"),
    path(Q + "auswertung/", views.results, name="results"),
    path(Q + "antworten.csv", views.responses_csv, name="responses_csv"),
    path(Q + "antworten/<int:answer_id>/ziel/", views.answer_goal, name="answer_goal"),
    path(
        Q + "uebersetzung/<str:language>/",
        views.questionnaire_translation,
        name="questionnaire_translation",
    ),
    path(Q + "teilnehmen/", views.respond, name="respond"),
    path(Q + "quittung/", views.receipt, name="receipt"),
    path("beteiligung/einladung/<str:token>/", views.invited, name="invited"),
    path(
        "beteiligung/einladung/<str:token>/quittung/", views.invited_receipt, name="invited_receipt"
    ),
    # the public's feedback in a room's evaluation
    path(
        "beteiligung/raeume/<slug:slug>/rueckmeldungen/",
        views.circle_feedback,
        name="circle_feedback",
    ),
]
