"""What ``bench.commands`` adds to the server it measures, and nothing production loads:
the references (a bare Django view and a bare consumer, each doing one INSERT in a
transaction on the same PostgreSQL) and, with ``BENCH_PROFILE_DIR`` set, cProfile around the
room commands.

* ``POST /bench/insert/``: one ``INSERT`` into ``bench_insert`` in a transaction.
* ``/ws/bench/insert/``: a consumer that does the same for every frame and answers ``ok``
  (through the same middleware as the rooms, and like ``RoomConsumer`` without Channels'
  per-message ``aclose_old_connections`` hop).
* ``POST /bench/profile/start/`` / ``POST /bench/profile/stop/?name=…``: profile the event
  loop's thread (consumer, hub, frames) and every ``rooms.commands.execute`` call (the
  database thread: services, rules, queries) in between; ``stop`` writes
  ``<name>.loop.pstats`` and ``<name>.db.pstats`` to ``BENCH_PROFILE_DIR``.
"""

from __future__ import annotations

import cProfile
import functools
import os
import time
from pathlib import Path
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_insert"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL)"
)
INSERT = f"INSERT INTO {TABLE} (body, created_at) VALUES (%s, now())"  # noqa: S608


def insert_row(body: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT, [body[:200]])


@csrf_exempt
def insert_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    insert_row(request.body.decode(errors="replace"))
    return HttpResponse(b"ok", content_type="text/plain")


class InsertConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        # As RoomConsumer.dispatch: no thread hop before every handler.
        handler = getattr(self, message["type"].replace(".", "_"))
        await handler(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await database_sync_to_async(insert_row)(text_data or "")
        await self.send(text_data="ok")


# --- profiling -----------------------------------------------------------------------------


class _Profiles:
    loop: cProfile.Profile | None = None
    db: cProfile.Profile | None = None


def profile_dir() -> Path | None:
    value = os.environ.get("BENCH_PROFILE_DIR")
    return Path(value) if value else None


def profiled(execute: Any) -> Any:
    """``rooms.commands.execute`` under the database-thread profiler while one runs."""

    @functools.wraps(execute)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        profile = _Profiles.db
        if profile is None:
            return execute(*args, **kwargs)
        profile.enable()
        try:
            return execute(*args, **kwargs)
        finally:
            profile.disable()

    return wrapper


@csrf_exempt
async def profile_view(request: HttpRequest, action: str) -> HttpResponse:
    directory = profile_dir()
    if directory is None or request.method != "POST":
        return HttpResponse(status=404)
    if action == "start":
        _Profiles.db = cProfile.Profile(time.thread_time)
        _Profiles.loop = cProfile.Profile(time.thread_time)
        _Profiles.loop.enable()  # an async view runs in the event loop's thread
        return HttpResponse(b"started")
    if action == "stop" and _Profiles.loop is not None and _Profiles.db is not None:
        _Profiles.loop.disable()
        name = request.GET.get("name", "profile")
        directory.mkdir(parents=True, exist_ok=True)
        _Profiles.loop.dump_stats(directory / f"{name}.loop.pstats")
        _Profiles.db.dump_stats(directory / f"{name}.db.pstats")
        _Profiles.loop = _Profiles.db = None
        return HttpResponse(b"stopped")
    return HttpResponse(status=404)
