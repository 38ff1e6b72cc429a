"""The vote's pages, included by ``config.urls`` before the frontend's catch-all."""

from __future__ import annotations

from django.urls import path

from voting import views

app_name = "voting"

urlpatterns = [
    path("abstimmungen/<int:motion_id>/", views.motion_detail, name="motion"),
    path("abstimmungen/<int:motion_id>/stimme/", views.ballot_cast, name="ballot_cast"),
    path(
        "abstimmungen/<int:motion_id>/vertretung/<int:member_id>/",
        views.deputy_ballot_cast,
        name="deputy_ballot_cast",
    ),
    path("abstimmungen/<int:motion_id>/schliessen/", views.motion_close, name="motion_close"),
    path("abstimmungen/<int:motion_id>/protokoll.json", views.motion_record, name="motion_record"),
    path("abstimmungen/pruefprogramm/tally.py", views.tally_source, name="tally_source"),
    path("raeume/<slug:slug>/abstimmungen/", views.circle_motions, name="circle_motions"),
    path("raeume/<slug:slug>/abstimmungen/neu/", views.motion_open, name="motion_open"),
    path("konzept/", views.concept_document, name="concept_document_current"),
    path("konzept/<slug:slug>/", views.concept_document, name="concept_document"),
    path("konzept/<slug:slug>/druck/", views.concept_print, name="concept_print"),
    path("konzept/<slug:slug>/konzept.md", views.concept_markdown, name="concept_markdown"),
]
