"""A room's frames written once as bytes, straight to the image's server (issue 17).

A room sends the same frame to many sockets: an event to every viewer, the shared welcome to
every viewer who arrives with a storm. Through the ASGI ``send`` uvicorn's WebSocket protocol
encodes the ``str`` to UTF-8, builds the frame and writes it, once per socket: that was 41 %
of a fan-out's CPU at 2,000 viewers (docs/performance.md, "Why the fan-out still misses").
A server-to-client frame is the same bytes for every socket (it is not masked; with no
extension negotiated nothing else changes it), so ``text_frame`` builds it once, and
``DirectWriter`` writes it to the socket's transport when the socket is in the state in which
uvicorn's own ``send`` would write at once.

Only for uvicorn's sans-I/O protocol (``--ws=websockets-sansio``, the image's), recognised
by its class, and only while: the handshake is done, nothing is closing, the transport is
not paused (back-pressure), and no extension (permessage-deflate) was negotiated. Anything
else — Daphne, another uvicorn protocol, a paused or closing socket — returns ``False`` and
the caller goes through the ASGI ``send`` as before, so order and back-pressure are the
server's own (a ``send`` that suspends is finished by ``SuspendedSend``). What the protocol
object holds is read, never changed; the bytes are exactly what ``websockets`` would have
produced (``tests/rooms/test_wire.py``).
"""

from __future__ import annotations

import asyncio
import functools
import struct
from collections.abc import Coroutine
from typing import Any

# uvicorn's sans-I/O WebSocket protocol, by module and class name (no import: the tests and
# ``make demo`` run Daphne, and uvicorn's other protocols are left alone).
_UVICORN_SANSIO = (
    "uvicorn.protocols.websockets.websockets_sansio_impl",
    "WebSocketsSansIOProtocol",
)
_OPEN = 1  # websockets.protocol.State.OPEN
_SHARED = 1024  # frames this long are cached by their text (shared welcomes, events)


def _frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented text frame (RFC 6455, 5.2) around ``payload``."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x81, 126, n) + payload
    return struct.pack("!BBQ", 0x81, 127, n) + payload


@functools.lru_cache(maxsize=64)
def _shared_frame(text: str) -> bytes:
    # A str caches its own hash, and the same object is looked up for every socket: one
    # encoding per frame and process.
    return _frame(text.encode())


def text_frame(text: str) -> bytes:
    """The WebSocket frame of ``text`` as a server sends it."""
    if len(text) >= _SHARED:
        return _shared_frame(text)
    return _frame(text.encode())


class DirectWriter:
    """Writes prebuilt frames to one uvicorn socket while uvicorn's ``send`` would write them
    at once; ``None`` from ``for_send`` where the server is another."""

    __slots__ = ("_conn", "_protocol")

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self._conn = protocol.conn  # the protocol's websockets state machine, made in __init__

    @classmethod
    def for_send(cls, send: Any) -> DirectWriter | None:
        protocol = getattr(send, "__self__", None)
        kind = type(protocol)
        if (kind.__module__, kind.__name__) != _UVICORN_SANSIO:
            return None
        if getattr(send, "__name__", None) != "send":
            return None
        return cls(protocol)

    def write(self, text: str) -> bool:
        """Write ``text``'s frame now; ``False`` (nothing written) where the ASGI ``send``
        must do it: a paused, closing or compressed socket."""
        protocol = self._protocol
        conn = self._conn
        transport = protocol.transport
        if (
            not protocol.handshake_complete
            or protocol.close_sent
            or protocol.disconnected
            or protocol.initial_response is not None
            or not protocol.writable.is_set()
            or conn.state != _OPEN
            or conn.extensions
            or transport is None
            or transport.is_closing()
        ):
            return False
        if conn.writes:  # what the protocol queued itself (a pong) goes first
            transport.write(b"".join(conn.data_to_send()))
        transport.write(text_frame(text))
        return True


class SuspendedSend:
    """A ``send`` that did not finish in the step ``rooms.hub.Connection._enqueue`` gave it
    (the socket is back-pressured): the writer task drives it to its end, as a task would."""

    __slots__ = ("coroutine", "yielded")

    def __init__(self, coroutine: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self.coroutine = coroutine
        self.yielded = yielded

    async def finish(self) -> None:
        coroutine, yielded = self.coroutine, self.yielded
        while True:
            try:
                if yielded is None:
                    await asyncio.sleep(0)  # a bare yield: give the loop one turn
                else:
                    # The future the send waits for. Its first ``await`` marked it as
                    # handed to a task; the task that takes it over clears the mark first.
                    yielded._asyncio_future_blocking = False
                    await yielded
            except BaseException as exc:  # cancellation too: the send must see it
                try:
                    yielded = coroutine.throw(exc)
                except StopIteration:
                    return
                continue
            try:
                yielded = coroutine.send(None)
            except StopIteration:
                return
