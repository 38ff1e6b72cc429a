"""Real server processes for tests: Daphne (the development server) or uvicorn with the
image's own command (``Dockerfile`` CMD, what compose runs), started on a free port over the
test session's database (pytest-django's, already migrated), polled until they answer,
stopped afterwards; clients with the ``websockets`` library and tickets from the API."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from websockets.sync.client import ClientConnection, connect

from api.tokens import token_create
from deploy.image import daphne_ping_options, image_command

ROOT = Path(__file__).resolve().parents[2]
STARTUP_DEADLINE = 60.0  # seconds for a server process to answer /healthz
FRAME_TIMEOUT = 15.0  # seconds for a frame that must come


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_command(kind: str, port: int) -> list[str]:
    """``daphne`` or ``uvicorn`` (the image's command) on ``127.0.0.1:port``."""
    if kind == "daphne":
        arguments = [
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            *daphne_ping_options(),
            "config.asgi:application",
        ]
    else:
        assert kind == "uvicorn", kind
        replace = {"--host=0.0.0.0": "--host=127.0.0.1", "--port=8000": f"--port={port}"}
        arguments = [replace.get(a, a) for a in image_command()]
        assert arguments[0] == "uvicorn", arguments
    return [sys.executable, "-m", *arguments]


def _test_database_url() -> str:
    """The database this test session uses (pytest-django's test database, migrated)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def start(name: str, tmp_path: Path, kind: str = "daphne") -> Server:
    port = free_port()
    log = tmp_path / f"{kind}-{name}.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "KONSENS_VAR_DIR": str(tmp_path / f"var-{name}"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # every client of a test comes from loopback; the per-address cap is tested on its own
        "ROOM_MAX_CONNECTIONS_PER_ADDRESS": "10000",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            server_command(kind, port),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(port=port, process=process, log=log)
    deadline = time.monotonic() + STARTUP_DEADLINE
    while True:
        if process.poll() is not None:
            pytest.fail(f"{kind} {name} exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.http}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop(server)
            pytest.fail(f"{kind} {name} did not answer in {STARTUP_DEADLINE} s:\n{log.read_text()}")
        time.sleep(0.2)  # polling an external process for readiness, with a deadline


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def ticket(server: Server, user: Any, slug: str) -> str:
    key = token_create(user).key
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{server.http}/api/v1/rooms/{slug}/ticket",
        method="POST",
        headers={"Authorization": f"Token {key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 201
        return str(json.load(response)["ticket"])


def open_room(server: Server, user: Any, slug: str) -> ClientConnection:
    """A socket in the room as ``user``, authenticated by a fresh ticket from the API."""
    return open_path(server, f"/ws/rooms/{slug}/?ticket={ticket(server, user, slug)}")


def open_path(server: Server, path: str) -> ClientConnection:
    return connect(
        f"{server.ws}{path}",
        origin=f"http://127.0.0.1:{server.port}",  # type: ignore[arg-type]
        open_timeout=FRAME_TIMEOUT,
    )


def recv(client: ClientConnection) -> dict[str, Any]:
    return json.loads(client.recv(timeout=FRAME_TIMEOUT))  # type: ignore[no-any-return]
