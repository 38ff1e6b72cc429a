from __future__ import annotations

from django.urls import path

from frontend import room_views, views

app_name = "frontend"

urlpatterns = [
    path("", views.concept, name="concept"),
    path("handlungsfelder/<slug:slug>/", views.action_field, name="action_field"),
    path("ziele/<int:goal_id>/", views.goal, name="goal"),
    path("raeume/", views.rooms, name="rooms"),
    path("raeume/<slug:slug>/", room_views.room, name="room"),
    path("raeume/<slug:slug>/projektion/", room_views.projector, name="projector"),
    path("raeume/<slug:slug>/video/", room_views.video, name="room_video"),
]
