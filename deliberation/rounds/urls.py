"""Pages of the rounds, included from ``config.urls`` before the other public pages."""

from __future__ import annotations

from django.urls import path

from deliberation.rounds import views as round_views

app_name = "rounds"

REPORT = "raeume/<slug:slug>/runden/<int:number>/auswertung"

urlpatterns = [
    path(REPORT + "/", round_views.round_report, name="report"),
    path(REPORT + ".md", round_views.round_report_markdown, name="report_markdown"),
    path(REPORT + ".csv", round_views.round_report_csv, name="report_csv"),
    path("ziele/<int:goal_id>/vergleich/", round_views.goal_compare, name="compare"),
]
