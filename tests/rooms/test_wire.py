"""``rooms.wire``: a room's frames built once as bytes and written straight to uvicorn's sockets
are exactly the frames ``websockets`` would have sent, arrive whole and in order, and are not
written where uvicorn must do it itself (compression negotiated, a closing socket, Daphne).

The server is a real uvicorn with the image's WebSocket protocol, in this test's event loop,
on a loopback port; the clients are ``websockets``' own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.frames import OP_TEXT, Frame

from rooms.hub import Connection
from rooms.wire import DirectWriter, text_frame

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


@pytest.mark.parametrize("size", [0, 1, 125, 126, 1023, 1024, 65535, 65536, 300_000])
def test_a_frame_is_the_bytes_websockets_would_send(size: int) -> None:
    text = ("ä€😀x" * size)[:size]  # multi-byte characters: the length is of the UTF-8 bytes
    expected = Frame(OP_TEXT, text.encode()).serialize(mask=False, extensions=[])
    assert text_frame(text) == expected
    assert text_frame(text) == expected  # the cached one too


@contextlib.asynccontextmanager
async def _serve(app: App, *, deflate: bool) -> AsyncIterator[str]:
    """uvicorn on a socket bound and listening before it starts: a client's handshake waits
    in the backlog until the server takes it, nothing has to poll for the start."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        ws="websockets-sansio",
        ws_per_message_deflate=deflate,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    try:
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await task
        sock.close()


def _room_app(frames: list[str], seen: dict[str, Any]) -> App:
    """Accepts, then sends ``frames`` through a hub ``Connection`` on the server's own send
    (as the room consumer does), and closes."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        connection = Connection(send, role="anonymous", user_id=None, name=None, clock=lambda: 0)
        connection.release()
        seen["direct"] = connection._direct is not None
        for frame in frames:
            connection.send_text(frame)
        await connection.drain()
        await receive()  # the client's close

    return app


@pytest.fixture
def room_frames() -> list[str]:
    big = json.dumps({"type": "welcome", "state": {"comments": ["Beitrag " * 50] * 400}})
    return [
        json.dumps({"type": "event", "seq": n, "data": {"text": "Grüße 😀" * n}}) for n in range(50)
    ] + [big, big]


async def test_frames_written_directly_arrive_whole_and_in_order(room_frames: list[str]) -> None:
    seen: dict[str, Any] = {}
    async with (
        _serve(_room_app(room_frames, seen), deflate=False) as url,
        connect(url, compression="deflate", max_size=None) as ws,
    ):
        received = [await asyncio.wait_for(ws.recv(), 10) for _ in room_frames]
    assert received == room_frames
    assert seen["direct"] is True


async def test_a_socket_with_compression_is_written_by_uvicorn_itself(
    room_frames: list[str],
) -> None:
    """An operator who turns permessage-deflate back on gets compressed frames, not raw ones."""
    seen: dict[str, Any] = {}
    async with (
        _serve(_room_app(room_frames, seen), deflate=True) as url,
        connect(url, compression="deflate", max_size=None) as ws,
    ):
        assert ws.protocol.extensions, "the client and uvicorn negotiated deflate"
        received = [await asyncio.wait_for(ws.recv(), 10) for _ in room_frames]
    assert received == room_frames  # a raw frame on a deflate socket would be refused


async def test_nothing_is_written_directly_once_the_socket_is_closing() -> None:
    results: dict[str, bool] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        writer = DirectWriter.for_send(send)
        assert writer is not None
        results["open"] = writer.write('{"type": "pong"}')
        await send({"type": "websocket.close", "code": 4000})
        results["closing"] = writer.write('{"type": "pong"}')

    async with _serve(app, deflate=False) as url, connect(url) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong"}
        with pytest.raises(Exception, match="4000"):
            await asyncio.wait_for(ws.recv(), 10)
    assert results == {"open": True, "closing": False}


def test_other_servers_get_no_direct_writer() -> None:
    async def send(message: dict[str, Any]) -> None:  # Daphne's, or a middleware's wrapper
        return None

    assert DirectWriter.for_send(send) is None
    assert (
        Connection(send, role="anonymous", user_id=None, name=None, clock=lambda: 0)._direct is None
    )


@pytest.mark.parametrize(("deflate", "direct"), [(False, True), (True, False)])
async def test_a_compressed_socket_is_left_to_uvicorn(deflate: bool, direct: bool) -> None:
    frame = json.dumps({"type": "event", "seq": 1, "data": {"text": "Grüße"}})
    results: dict[str, bool] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        writer = DirectWriter.for_send(send)
        assert writer is not None
        results["direct"] = writer.write(frame)
        if not results["direct"]:
            await send({"type": "websocket.send", "text": frame})
        await receive()

    async with (
        _serve(app, deflate=deflate) as url,
        connect(url, compression="deflate") as ws,
    ):
        assert bool(ws.protocol.extensions) is deflate
        assert await asyncio.wait_for(ws.recv(), 10) == frame
    assert results == {"direct": direct}
