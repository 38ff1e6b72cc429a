"""The reference: what plain Python does on one core. A minimal ``websockets`` broadcast
server (asyncio, ``websockets.broadcast``): each posted frame is encoded once and written to
every connected socket. No framework, no channel layer, no database.

    python -m bench.ws_reference --port 8102

Frames as in ``bench.stock_channels``. ``GET /stats`` answers the number of open sockets, so
the mass-disconnect scenario can check that none is left behind.
"""

from __future__ import annotations

import argparse
import asyncio
import http
import json
import signal
from typing import Any

import websockets
from websockets.asyncio.server import Request, Response, ServerConnection, broadcast, serve

CONNECTIONS: set[ServerConnection] = set()


class Room:
    seq = 0


def stats(connection: ServerConnection, request: Request) -> Response | None:
    if request.path == "/stats":
        return connection.respond(http.HTTPStatus.OK, json.dumps({"open": len(CONNECTIONS)}))
    return None


async def handler(websocket: ServerConnection) -> None:
    CONNECTIONS.add(websocket)
    try:
        await websocket.send('{"type":"welcome","seq":0}')
        async for text in websocket:
            try:
                frame: Any = json.loads(text)
            except ValueError:
                continue
            if isinstance(frame, dict) and frame.get("type") == "post":
                Room.seq += 1
                event = {
                    "type": "event",
                    "seq": Room.seq,
                    "kind": "comment.created",
                    "data": frame.get("data"),
                }
                broadcast(CONNECTIONS, json.dumps(event, ensure_ascii=False))
    except websockets.ConnectionClosed:
        pass
    finally:
        CONNECTIONS.discard(websocket)


async def main(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(
        handler,
        host,
        port,
        process_request=stats,
        compression=None,
        max_queue=None,
        ping_interval=20,
        ping_timeout=30,
        backlog=8192,
    ):
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8102)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port))
