from __future__ import annotations

from django.urls import path

from frontend import drafting_views, room_views, views

app_name = "frontend"

urlpatterns = [
    path("", views.concept, name="concept"),
    path("handlungsfelder/<slug:slug>/", views.action_field, name="action_field"),
    path("ziele/<int:goal_id>/", views.goal, name="goal"),
    path("konzept.md", drafting_views.concept_markdown, name="concept_markdown"),
    path("ziele/<int:goal_id>/fassungen/<int:number>/", drafting_views.version, name="version"),
    path(
        "ziele/<int:goal_id>/fassungen/<int:number>.md",
        drafting_views.version_markdown,
        name="version_markdown",
    ),
    path("ziele/<int:goal_id>/leichte-sprache/", drafting_views.plain_text, name="plain_text"),
    path("raeume/", views.rooms, name="rooms"),
    path("raeume/<slug:slug>/", room_views.room, name="room"),
    path("raeume/<slug:slug>/projektion/", room_views.projector, name="projector"),
    path("raeume/<slug:slug>/video/", room_views.video, name="room_video"),
]
