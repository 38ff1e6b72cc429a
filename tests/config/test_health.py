"""/healthz answers for load balancers and for us: database and channel layer, as JSON."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings
from django.db import connections
from django.test import AsyncClient, override_settings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _close_view_connections() -> Any:
    """The view reaches the database from asgiref's worker thread; the test client keeps that
    connection open (it skips close_old_connections), and PostgreSQL would then refuse to drop
    the test database. A server closes it at the end of each request."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound on 127.0.0.1 that nobody listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


async def _get_healthz() -> tuple[int, dict[str, Any]]:
    response = await AsyncClient().get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


async def test_healthz_reports_database_and_channel_layer_ok() -> None:
    status, body = await _get_healthz()
    assert status == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == ("postgresql" if "postgres" in _engine() else "sqlite")
    assert body["channel_layer"]["ok"] is True
    assert body["channel_layer"]["backend"].endswith(_layer_backend_class())


async def test_healthz_leaves_no_channel_behind() -> None:
    layer = get_channel_layer()
    before = _open_channels(layer)
    for _ in range(3):
        status, body = await _get_healthz()
        assert status == 200, body
    assert _open_channels(layer) == before


async def test_healthz_is_503_when_redis_is_unreachable(closed_port: int) -> None:
    unreachable = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{closed_port}/0"]},
        }
    }
    # override_settings makes channels drop its cached layers, on entry and on exit.
    with override_settings(CHANNEL_LAYERS=unreachable):
        status, body = await _get_healthz()
    assert status == 503
    assert body["status"] == "error"
    assert body["channel_layer"]["ok"] is False
    assert body["channel_layer"]["error"] == "ConnectionError"
    assert body["database"]["ok"] is True
    # The public answer names the failure, not our hosts.
    assert str(closed_port) not in str(body)
    assert channel_layers.backends == {}


def _engine() -> str:
    return str(settings.DATABASES["default"]["ENGINE"])


def _layer_backend_class() -> str:
    return str(settings.CHANNEL_LAYERS["default"]["BACKEND"]).rsplit(".", 1)[-1]


def _open_channels(layer: Any) -> int:
    """How many channels the layer holds in this process (both layers keep a dict of them)."""
    if hasattr(layer, "_get_layer"):  # channels-redis pub/sub: one inner layer per event loop
        inner = layer._get_layer()
        return len(inner.channels) + sum(len(s._subscribed_to) for s in inner._shards)
    return len(layer.channels)
