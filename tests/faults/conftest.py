"""Fault tests: real server processes on loopback (Daphne or uvicorn, PostgreSQL, Redis),
broken on purpose while clients are in a session. They need the real services, so every
test module here is marked ``services`` (CI's second pass runs them; elsewhere they skip
with the reason)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import Room
from tests.rooms.daphne import Server, start, stop

StartServers = Callable[..., list[Server]]


@pytest.fixture(autouse=True)
def _fault_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def start_servers(
    room: Room, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StartServers]:
    """``start_servers(2, ROOM_POLL_INTERVAL="1")``: Daphne processes (``kind="uvicorn"``:
    the image's uvicorn) over the test database with these settings in their environment.
    All are stopped before the test database is flushed (this fixture depends on ``room``)."""
    started: list[Server] = []

    def start_(count: int, *, kind: str = "daphne", **env: str) -> list[Server]:
        # The room's per-socket command burst guards against abuse, not what is tested here.
        env.setdefault("ROOM_RATE_BURST", "10000")
        env.setdefault("ROOM_POLL_INTERVAL", "1")
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        servers = []
        for _ in range(count):
            server = start(f"{len(started)}", tmp_path, kind)
            started.append(server)
            servers.append(server)
        return servers

    yield start_
    for server in started:
        stop(server)
