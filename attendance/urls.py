"""Attendance's pages, included by ``config.urls`` before the frontend's catch-all."""

from __future__ import annotations

from django.urls import path

from attendance import views

app_name = "attendance"

urlpatterns = [
    path("raeume/<slug:slug>/anwesenheit/", views.attendance, name="attendance"),
    path("raeume/<slug:slug>/anwesenheit/eroeffnen/", views.roll_call_open, name="roll_call_open"),
    path("raeume/<slug:slug>/anwesenheit/speichern/", views.roll_call_save, name="roll_call_save"),
    path(
        "raeume/<slug:slug>/anwesenheit/vertretung/",
        views.deputy_register,
        name="deputy_register",
    ),
    path(
        "raeume/<slug:slug>/anwesenheit/vertretung/<int:member_id>/austragen/",
        views.deputy_remove,
        name="deputy_remove",
    ),
]
