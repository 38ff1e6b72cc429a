"""A frozen client (a sleeping laptop, a dead network) is closed by the room's heartbeat
with 4408 after ``ROOM_PRESENCE_TIMEOUT`` (60 s), as docs/protocol.md says — not first by the
server software's own WebSocket pings, which close with 1011 (Daphne's defaults: after
20 + 30 s; uvicorn's: 20 + 20 s). So every server command we ship gives up later than that."""

from __future__ import annotations

import pytest
from django.conf import settings

from deploy.image import daphne_ping_options, image_command, server_ping_seconds


def test_the_images_uvicorn_outlasts_the_rooms_heartbeat() -> None:
    assert server_ping_seconds(image_command()) > settings.ROOM_PRESENCE_TIMEOUT


def test_the_demos_daphne_outlasts_the_rooms_heartbeat() -> None:
    command = ["daphne", *daphne_ping_options(), "config.asgi:application"]
    assert server_ping_seconds(command) > settings.ROOM_PRESENCE_TIMEOUT


@pytest.mark.parametrize(
    ("command", "seconds"),
    [
        (["uvicorn", "config.asgi:application"], 40),
        (["daphne", "config.asgi:application"], 50),
        (["uvicorn", "--ws-ping-interval=5", "--ws-ping-timeout=10"], 15),
        (["daphne", "--ping-interval", "20", "--ping-timeout", "70"], 90),
    ],
)
def test_the_servers_defaults_would_close_a_frozen_client_first(
    command: list[str], seconds: float
) -> None:
    assert server_ping_seconds(command) == seconds
