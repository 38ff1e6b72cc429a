from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("konto/", views.account, name="account"),
    path("konto/meine-daten/", views.data_export, name="data_export"),
    path("konto/passwort-vergessen/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "konto/passwort-vergessen/gesendet/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "konto/passwort-neu/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/passwort-neu/fertig/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("konto/api-tokens/", views.api_tokens, name="api_tokens"),
    path(
        "konto/api-tokens/<int:token_id>/widerrufen/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("konto/e-mail/", views.email_change, name="email_change"),
    path("konto/e-mail/bestaetigen/<str:token>/", views.email_confirm, name="email_confirm"),
    path("konto/loeschen/", views.account_delete, name="delete"),
    path("konto/geloescht/", views.deleted, name="deleted"),
    path("einladung/<str:token>/", views.invitation, name="invitation"),
    path("raeume/<slug:slug>/mitglieder/", views.members, name="members"),
    path("raeume/<slug:slug>/mitglieder/einladen/", views.member_invite, name="invite"),
    path(
        "raeume/<slug:slug>/mitglieder/<int:membership_id>/rolle/",
        views.member_role,
        name="member_role",
    ),
    path(
        "raeume/<slug:slug>/mitglieder/<int:membership_id>/entfernen/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "raeume/<slug:slug>/einladungen/<int:invitation_id>/zurueckziehen/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
