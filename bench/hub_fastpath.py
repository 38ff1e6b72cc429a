"""A measured proposal for ``rooms/`` (not used in production): the Konsens ASGI application
with two changes to the delivery path applied at import, so ``bench.fanout`` can measure them
against the unchanged code in the same run::

    python -m bench.fanout --konsens-app bench.hub_fastpath:application

1. **Write to an idle socket without waking its writer task.** ``Connection._enqueue``
   appends the frame and resolves the writer's future; the writer task then runs one step
   per frame and socket. py-spy puts about a fifth of the busy time of a fan-out there (the
   future's ``set_result`` → ``call_soon`` → task step). When the socket's queue is empty and
   its writer is idle, the frame can be handed to the server at once: the ASGI ``send``
   coroutine is stepped once by hand; Daphne's and uvicorn's ``send`` complete in that step
   unless the socket is back-pressured. If it does suspend, the suspended coroutine goes to
   the head of the queue and the writer task finishes it (``_finish`` drives it exactly as a
   task would), so order and the bound on slow sockets are unchanged. This is what Python
   3.12's eager tasks do natively; the image runs 3.11.
2. **Let ``websocket.send`` frames past Channels' session wrapper.** ``AuthMiddlewareStack``
   wraps ``send`` in ``InstanceSessionWrapper.send``, which reads ``session.modified`` and
   ``session.is_empty()`` through a ``LazyObject`` for every frame, to save the session on
   ``http.response.start`` only. The proposal is for the consumer to keep the server's own
   ``send`` (e.g. an outermost middleware that puts it in the scope) for the hub's event
   frames; here the wrapper is patched instead, with the same effect on the benchmark.

``FAST_VARIANT=fastpath`` or ``=session`` applies one change only (default: both).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any

from channels.sessions import InstanceSessionWrapper

from config.asgi import application
from rooms import hub

__all__ = ["application"]

VARIANT = os.environ.get("FAST_VARIANT", "both")


class _Suspended:
    """A ``send`` that did not complete in its first step: the writer finishes it."""

    def __init__(self, coroutine: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self.coroutine = coroutine
        self.yielded = yielded


async def _finish(coroutine: Coroutine[Any, Any, Any], yielded: Any) -> None:
    """Drive a coroutine that has already yielded ``yielded`` to its end, as a task would."""
    while True:
        try:
            if yielded is None:
                await asyncio.sleep(0)  # a bare yield: give the loop one turn
            else:
                await yielded  # the future it waits for
        except BaseException as exc:  # includes cancellation: the coroutine must see it
            try:
                yielded = coroutine.throw(exc)
            except StopIteration:
                return
            continue
        try:
            yielded = coroutine.send(None)
        except StopIteration:
            return


def _enqueue(self: hub.Connection, message: Any) -> None:
    if self.closed:
        return
    if len(self._outbox) >= self._backlog:
        self.close(hub.Close.TOO_SLOW)
        return
    idle = not self._outbox and self._wakeup is not None and not self._wakeup.done()
    if idle:
        coroutine = self._send(message)
        try:
            yielded = coroutine.send(None)
        except StopIteration:
            return  # the server took the frame
        except Exception:
            self.closed = True  # the socket is gone, as in the writer
            return
        message = _Suspended(coroutine, yielded)
    self._outbox.append(message)
    self._wake()


async def _write_loop(self: hub.Connection) -> None:
    loop = asyncio.get_running_loop()
    try:
        while True:
            while self._outbox:
                message = self._outbox.popleft()
                if isinstance(message, _Suspended):
                    await _finish(message.coroutine, message.yielded)
                    continue
                await self._send(message)
                if message["type"] == "websocket.close":
                    return
            if self._drained is not None and not self._drained.done():
                self._drained.set_result(None)
            self._wakeup = loop.create_future()
            await self._wakeup
            self._wakeup = None
    except asyncio.CancelledError:
        raise
    except Exception:
        self.closed = True
    finally:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)


_session_send = InstanceSessionWrapper.send


async def _send_frames_directly(self: InstanceSessionWrapper, message: dict[str, Any]) -> None:
    if message["type"] == "websocket.send":
        return await self.real_send(message)  # type: ignore[no-any-return]
    return await _session_send(self, message)  # type: ignore[no-any-return]


if VARIANT in ("both", "fastpath"):
    hub.Connection._enqueue = _enqueue  # type: ignore[method-assign]
    hub.Connection._write_loop = _write_loop  # type: ignore[method-assign]
if VARIANT in ("both", "session"):
    InstanceSessionWrapper.send = _send_frames_directly  # type: ignore[method-assign]
