"""Pages of the assistance, included from ``config.urls``."""

from __future__ import annotations

from django.urls import path

from assist import views

app_name = "assist"

ROUND = "raeume/<slug:slug>/runden/<int:number>/"

urlpatterns = [
    path(ROUND + "zusammenfassung/", views.summary_page, name="summaries"),
    path(ROUND + "aehnliche-rueckmeldungen/", views.clusters_page, name="clusters"),
    path(
        "konzept/<slug:slug>/ueberschneidungen/",
        views.goal_overlaps_page,
        name="goal_overlaps",
    ),
]
