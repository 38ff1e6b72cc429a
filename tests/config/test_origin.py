"""The WebSocket Origin check compares scheme, host and port (issue 12: it compared the host
only, and ``ALLOWED_HOSTS=*`` turned it off while ``check --deploy`` stayed clean)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.config.test_settings import PRODUCTION, refusal, run

pytestmark = [pytest.mark.django_db(transaction=True)]

ALLOWED = ["https://konsens.example.org"]


async def _opens(origin: str | None) -> bool:
    headers = [(b"origin", origin.encode())] if origin is not None else []
    communicator = WebsocketCommunicator(application, "/ws/nowhere/", headers=headers)
    connected, _code = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return bool(connected)


async def test_the_configured_origin_may_open_a_socket(settings: Any) -> None:
    settings.WEBSOCKET_ALLOWED_ORIGINS = ALLOWED
    assert await _opens("https://konsens.example.org")
    assert await _opens("https://konsens.example.org:443")


@pytest.mark.parametrize(
    "origin",
    [
        "http://konsens.example.org",  # another scheme
        "https://konsens.example.org:8443",  # another port
        "https://evil.example.org",
        "https://konsens.example.org.evil.example",
        "null",
        None,
    ],
)
async def test_another_scheme_port_or_host_is_refused(settings: Any, origin: str | None) -> None:
    settings.WEBSOCKET_ALLOWED_ORIGINS = ALLOWED
    assert not await _opens(origin)


def test_origins_default_to_the_csrf_trusted_origins(tmp_path: Path) -> None:
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.WEBSOCKET_ALLOWED_ORIGINS)"
    result = run(tmp_path, "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['https://konsens.example.org']"


def test_a_wildcard_host_is_refused_at_start_when_debug_is_off(tmp_path: Path) -> None:
    result = run(tmp_path, **{**PRODUCTION, "ALLOWED_HOSTS": "*"})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS=* is refused when DEBUG is off" in refusal(result)
