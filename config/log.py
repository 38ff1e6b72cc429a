"""One log format for the app and the server: ``LOG_FORMAT=text`` (development) or ``json``
(the image), each record carrying the id of the request or socket it belongs to.

Standard library only: the formatter is a few lines, and python-json-logger would still need
the request-id filter and the uvicorn access-log fields below. This module imports nothing of
Django, because uvicorn loads it (``deploy/uvicorn-logging.json``) before the app exists.

* ``RequestIdMiddleware`` takes ``X-Request-ID`` from the proxy (nginx sets ``$request_id``)
  or makes one, answers with it in the response header and keeps it in a context variable
  for the rest of the request, so every record logged meanwhile carries it; uvicorn's access
  line for the request too (it is written in the same task).
* A room socket gets an id the same way (``kernel.requestid.bind_socket``, called by the
  consumer on connect): every record of that connection's task carries it.
"""

from __future__ import annotations

import json
import logging
import os
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from kernel import requestid

HEADER = requestid.HEADER
accepted_id = requestid.accepted_id
request_id = requestid.current

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
# ``request`` is Django's request object (django.request, django.security): not for the log.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "request",
}
# uvicorn.access: (client address, method, path with query, HTTP version, status)
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class RequestIdFilter(logging.Filter):
    """Puts the current request's (or socket's) id on every record as ``request_id``
    (``-`` outside a request); on a handler, so records of every logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a request's 4xx/5xx line after the middleware returned, with the request
        # in ``extra``: its id is on the request.
        by_request = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id.get() or by_request or "-"
        return True


class TextFormatter(logging.Formatter):
    """A readable line with the request id (``-`` when there is none)."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, the fields
    given with ``extra=``, the exception's traceback as text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid and rid != "-":
            entry["request_id"] = rid
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            entry.update(zip(_ACCESS_FIELDS, args, strict=True))
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(log_format: str | None = None) -> logging.Formatter:
    """The formatter for ``log_format`` (default: the ``LOG_FORMAT`` environment variable,
    else text). ``logging.config`` calls it with no argument (``"()": "config.log.formatter"``)."""
    chosen = (log_format or os.environ.get("LOG_FORMAT") or "text").strip().lower()
    if chosen not in FORMATS:
        raise ValueError(f"LOG_FORMAT={chosen!r}: use one of {', '.join(FORMATS)}")
    if chosen == "json":
        return JsonFormatter()
    return TextFormatter(TEXT_FORMAT)


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """Django's ``LOGGING``: everything to stderr in one format, with request ids."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"konsens": {"()": formatter, "log_format": log_format}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "konsens",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.channels.server": {"level": "WARNING"},
            # uvicorn's loggers keep their own handler (deploy/uvicorn-logging.json, same
            # format); under Django's own servers they propagate to ours.
        },
    }


# --- HTTP: the middleware -------------------------------------------------------------------

Handler = Callable[[Any], Any]


class RequestIdMiddleware:
    """Sets the request id (from ``X-Request-ID`` or new) for the request and its response.

    Under ASGI it runs in the request's own task and leaves the id set when it returns, so
    the server's access line (written after the middleware, in the same task) carries it;
    the task ends with the request. Under WSGI (a thread serves many requests) it resets."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: Any) -> Any:
        if self.is_async:
            return self._acall(request)
        token = request_id.set(self._id_of(request))
        try:
            return self._tag(self.get_response(request))
        finally:
            request_id.reset(token)

    async def _acall(self, request: Any) -> Any:
        request_id.set(self._id_of(request))
        get_response: Callable[[Any], Awaitable[Any]] = self.get_response
        return self._tag(await get_response(request))

    @staticmethod
    def _id_of(request: Any) -> str:
        rid = accepted_id(request.headers.get(HEADER))
        request.request_id = rid
        return rid

    @staticmethod
    def _tag(response: Any) -> Any:
        response[HEADER] = request_id.get() or ""
        return response
