"""``bench.commands``' URLs: production's, plus the bare INSERT view and the profiler switch
(``bench.commands_app``). Only ``bench.commands_settings`` points here."""

from django.urls import path

from bench.commands_app import insert_view, profile_view
from config.urls import urlpatterns as konsens_urlpatterns

urlpatterns = [
    path("bench/insert/", insert_view),
    path("bench/profile/<str:action>/", profile_view),
    *konsens_urlpatterns,
]
