"""/metrics: off (404) without METRICS_TOKEN, 401 without the right bearer token, and with it
the counters a user's actions move: a posted comment counts as a comment command."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import Room
from tests.rooms.conftest import (  # noqa: F401 - fixtures for the socket test
    Join,
    _room_settings,
    cookies,
    join,
    open_socket,
    registry,
    sockets,
)

TOKEN = "metrics-token-for-the-tests-0123456789"


def scrape(client: Client, token: str | None = TOKEN) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return client.get("/metrics", **headers)


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus' text format (0 when it is not there yet)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match[1] != name:
            continue
        have = ",".join(sorted((match[2] or "").split(","))) if match[2] else ""
        if have == wanted:
            return float(match[3])
    return 0.0


@pytest.mark.django_db
def test_metrics_do_not_exist_without_a_token(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 404
    assert scrape(client, token=None).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("token", [None, "", "wrong-token-wrong-token-wrong", TOKEN + "x"])
def test_metrics_refuse_a_scraper_without_the_token(
    client: Client, settings: Any, token: str | None
) -> None:
    settings.METRICS_TOKEN = TOKEN
    response = scrape(client, token=token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"konsens_" not in response.content


@pytest.mark.django_db
def test_metrics_refuse_a_token_in_another_scheme(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 401


@pytest.mark.django_db
def test_metrics_show_http_and_room_metrics_with_the_token(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    client.get("/healthz")
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_total_by_view_transport_method_total" in text
    for name in ("konsens_room_sockets", "konsens_room_frames_sent_total"):
        assert name in text


@pytest.mark.django_db(transaction=True)
async def test_a_posted_comment_counts_as_a_comment_command(
    room: Room,
    join: Join,  # noqa: F811 - the fixture imported above
    settings: Any,
    async_client: Any,
) -> None:
    settings.METRICS_TOKEN = TOKEN
    headers = {"Authorization": f"Bearer {TOKEN}"}

    async def read() -> str:
        response = await async_client.get("/metrics", headers=headers)
        assert response.status_code == 200
        return str(response.content.decode())

    before = await read()
    expert = await join("expert")
    assert (
        sample(await read(), "konsens_room_sockets") == sample(before, "konsens_room_sockets") + 1
    )
    ack = await expert.request(
        {
            "type": "comment.post",
            "id": 1,
            "goal": room.goal.pk,
            "body": "Gezählt",
            "client_key": "m",
        }
    )
    assert ack["type"] == "ack", ack
    refused = await expert.request(
        {"type": "comment.post", "id": 2, "goal": 10**9, "body": "x", "client_key": "n"}
    )
    assert refused["type"] == "error", refused
    after = await read()

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("konsens_room_commands_total", command="comment.post", outcome="ok") == 1
    assert grew("konsens_room_commands_total", command="comment.post", outcome="refused") == 1
    assert grew("konsens_room_events_total", kind="comment.created") == 1
    # welcome, the event, the ack and the error at least
    assert grew("konsens_room_frames_sent_total") >= 4


def test_a_metrics_token_instruments_the_database(tmp_path: Any) -> None:
    from tests.config.test_settings import run

    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    assert run(tmp_path, "-c", script).stdout.split()[-1] == "django.db.backends.sqlite3"
    instrumented = run(tmp_path, "-c", script, METRICS_TOKEN=TOKEN)
    assert instrumented.stdout.split()[-1] == "django_prometheus.db.backends.sqlite3"
    short = run(tmp_path, "-c", script, METRICS_TOKEN="short")
    assert "METRICS_TOKEN must have at least 20 characters" in short.stderr
