"""``bench.commands``' ASGI application: Konsens' (``config.asgi``) with the bare INSERT
consumer on ``/ws/bench/insert/`` (a Channels consumer behind the Origin and session stack); with
``BENCH_PROFILE_DIR`` set, room commands run under the profiler (``bench.commands_app``)."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.commands_settings")

# isort: off
# Django is set up there, before anything below imports models.
from config.asgi import application as konsens_application
# isort: on

from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from bench.commands_app import InsertConsumer, profile_dir, profiled
from rooms import commands
from rooms.routing import websocket_application, websocket_urlpatterns

if profile_dir() is not None:
    commands.execute = profiled(commands.execute)  # the consumer calls commands.execute

application = ProtocolTypeRouter(
    {
        "http": konsens_application.application_mapping["http"],  # exactly production's
        "websocket": websocket_application(
            URLRouter([path("ws/bench/insert/", InsertConsumer.as_asgi()), *websocket_urlpatterns])
        ),
    }
)
