"""The id of the request (or room socket) being served, for the log: set by
``config.log.RequestIdMiddleware`` for HTTP and by ``bind_socket`` for a room's WebSocket, read
by ``config.log.RequestIdFilter`` for every record. Standard library only."""

from __future__ import annotations

import contextvars
import re
import secrets
from collections.abc import Mapping
from typing import Any

current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "konsens_request_id", default=None
)

HEADER = "X-Request-ID"
# What we accept from the proxy (or a client without one): nginx's $request_id is 32 hex
# digits; a UUID or a trace id fits too. Anything else is replaced by an id of our own.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def new_id() -> str:
    return secrets.token_hex(16)


def accepted_id(value: str | None) -> str:
    """``value`` if it is a usable request id, else a new one."""
    return value if value and _ACCEPTED.match(value) else new_id()


def bind_socket(scope: Mapping[str, Any]) -> str:
    """Give a socket's task an id for its log records: the handshake's ``X-Request-ID`` (the
    proxy sets one for the upgrade request too) or a new one. Returns it.

    The consumer calls it first thing on connect; its task lives as long as the socket, so
    every record of the connection carries the id (tasks it starts inherit it)."""
    header = next(
        (value for name, value in scope.get("headers", []) if name == b"x-request-id"), b""
    )
    rid = accepted_id(header.decode("latin-1"))
    current.set(rid)
    return rid
