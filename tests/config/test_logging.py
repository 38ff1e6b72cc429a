"""Logs: one JSON object per line (or readable text), each record of a request or room socket
with its id; the id comes from the proxy's X-Request-ID or is made, and is answered in the
response; uvicorn's own lines, configured by the image's log config, have the same format."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from config import log
from deploy.image import image_command
from kernel import requestid

ROOT = Path(__file__).resolve().parents[2]


def record(name: str = "konsens.test", msg: str = "hallo %s", *args: Any, **extra: Any) -> Any:
    made = logging.makeLogRecord(
        {"name": name, "msg": msg, "args": args or ("Welt",), "levelname": "WARNING", **extra}
    )
    made.levelno = logging.WARNING
    return made


def test_json_lines_carry_time_level_logger_message_and_request_id() -> None:
    token = requestid.current.set("abc123def456")
    try:
        line = log.JsonFormatter().format(record(ballot_motion=7))
    finally:
        requestid.current.reset(token)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "konsens.test"
    assert entry["message"] == "hallo Welt"
    assert entry["request_id"] == "abc123def456"
    assert entry["ballot_motion"] == 7  # extra= fields are kept
    assert entry["time"].endswith("+00:00")


def test_json_lines_keep_the_traceback_in_one_line() -> None:
    try:
        raise ValueError("kaputt")
    except ValueError:
        exc_info = sys.exc_info()
    entry = json.loads(log.JsonFormatter().format(record(exc_info=exc_info)))
    assert "ValueError: kaputt" in entry["exception"]
    assert "request_id" not in entry  # outside a request


def test_uvicorn_access_lines_have_their_fields() -> None:
    access = record(
        "uvicorn.access", '%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET", "/healthz", "1.1", 200
    )
    entry = json.loads(log.JsonFormatter().format(access))
    assert entry["message"] == '10.0.0.1:5000 - "GET /healthz HTTP/1.1" 200'
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/healthz", 200)


def test_text_lines_show_the_request_id() -> None:
    token = requestid.current.set("rid-in-text-0001")
    try:
        line = log.formatter("text").format(record())
    finally:
        requestid.current.reset(token)
    assert "[rid-in-text-0001] hallo Welt" in line
    assert "[-] hallo Welt" in log.formatter("text").format(record())


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        log.formatter("xml")


# --- the request id ---------------------------------------------------------------------------


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(log.RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler = Captured()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_without_an_id_gets_one_in_its_response_and_its_log_records(
    client: Client, captured: Captured
) -> None:
    response = client.get("/gibt-es-nicht/")  # django.request logs "Not Found"
    assert response.status_code == 404
    rid = response["X-Request-ID"]
    assert len(rid) == 32 and int(rid, 16) >= 0
    assert [r.request_id for r in captured.records] == [rid]  # type: ignore[attr-defined]
    assert client.get("/healthz")["X-Request-ID"] != rid  # one per request
    assert requestid.current.get() is None  # nothing left behind


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept(client: Client, captured: Captured) -> None:
    nginx_id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    response = client.get("/gibt-es-nicht/", HTTP_X_REQUEST_ID=nginx_id)
    assert response["X-Request-ID"] == nginx_id
    assert [r.request_id for r in captured.records] == [nginx_id]  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forged", ["kurz", "x" * 200, "a b c d e f g h", "id\u00e4\u00f6\u00fc12345"]
)
def test_an_unusable_request_id_is_replaced(client: Client, forged: str) -> None:
    rid = client.get("/healthz", HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
    assert rid != forged and len(rid) == 32


@pytest.mark.django_db
async def test_an_async_request_keeps_its_id_for_the_servers_access_line(async_client: Any) -> None:
    response = await async_client.get("/healthz", headers={"X-Request-ID": "async-request-0001"})
    assert response["X-Request-ID"] == "async-request-0001"


def test_a_socket_takes_the_handshakes_id_or_gets_one() -> None:
    def in_fresh_context(scope: dict[str, Any]) -> tuple[str, str | None]:
        import contextvars

        return contextvars.copy_context().run(
            lambda: (requestid.bind_socket(scope), requestid.current.get())
        )

    rid, current = in_fresh_context({"headers": [(b"x-request-id", b"handshake-id-0001")]})
    assert rid == current == "handshake-id-0001"
    rid, current = in_fresh_context({"headers": []})
    assert rid == current and len(rid) == 32


# --- uvicorn, as the image starts it -----------------------------------------------------------


def test_the_image_starts_uvicorn_with_the_log_config() -> None:
    command = image_command()
    assert "--log-config=deploy/uvicorn-logging.json" in command
    assert "LOG_FORMAT=json" in (ROOT / "Dockerfile").read_text(encoding="utf-8")


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_uvicorns_lines_follow_log_format(log_format: str) -> None:
    script = (
        "import json, logging, logging.config;"
        "logging.config.dictConfig(json.load(open('deploy/uvicorn-logging.json')));"
        "from kernel import requestid; requestid.current.set('uvicorn-rid-0001');"
        "logging.getLogger('uvicorn.error').info('Started server process [%d]', 42);"
        "logging.getLogger('uvicorn.access').info("
        "'%s - \"%s %s HTTP/%s\" %d', '10.0.0.1:1', 'GET', '/healthz', '1.1', 200)"
    )
    env = {**os.environ, "LOG_FORMAT": log_format, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    if log_format == "json":
        started, access = (json.loads(line) for line in lines)
        assert started["logger"] == "uvicorn.error"
        assert started["message"] == "Started server process [42]"
        assert access["status"] == 200 and access["request_id"] == "uvicorn-rid-0001"
    else:
        assert lines[0].endswith("uvicorn.error [uvicorn-rid-0001] Started server process [42]")
