"""The process-local room hub: one channel-layer subscription per room per process.

The stock Channels pattern makes every viewer's consumer a member of the room's group, so a
broadcast costs one channel-layer message, one ``dispatch()`` (with a thread-pool hop for
``aclose_old_connections()``) and one JSON encoding *per viewer*. Here each process holds one
``RoomHub`` per active room instead: it receives each event once from the channel layer and
writes the frame, encoded once by the writer, to every local socket. See
``docs/architecture.md`` for the figures and the reasoning.

What a hub guarantees to each of its connections:

* **order, no gaps, no duplicates**: events are delivered strictly by ``seq``. A duplicate
  (``seq`` already delivered) is dropped; a gap is filled from the event log before the event
  that revealed it. A poll of the rooms' last ``seq`` (one query for all rooms every few
  seconds) delivers events whose broadcast was lost, e.g. while Redis restarted.
* **consistent welcome**: a new connection is registered (buffering) before its snapshot is
  read, and the snapshot is read with its ``seq`` under the room lock, so events before it are
  in the snapshot and events after it are in the buffer. Snapshots are cached per room and
  reused while no newer event was delivered, so a thousand viewers arriving at once cost a
  handful of queries.
* **a slow socket cannot hold up the others**: each connection has a bounded queue and its own
  writer task; delivering is appending to the queue. A connection whose queue overflows is
  closed (4409) and resumes from its last ``seq`` when it reconnects.
* **presence from heartbeats**: connections silent for the timeout are closed; the hub
  reports its local presence (debounced, and refreshed while it lives) through
  ``rooms.presence``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import time
import weakref
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from datetime import datetime
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from deliberation.eventlog import room_group
from kernel import metrics
from rooms import conf, presence, replay
from rooms.protocol import Close
from rooms.snapshots import EncodedSnapshot, read_snapshot
from rooms.wire import DirectWriter, SuspendedSend

logger = logging.getLogger(__name__)

Message = dict[str, Any]
Send = Callable[[Message], Coroutine[Any, Any, None]]
Clock = Callable[[], float]

# Event kinds that change who may see or do what in the room (deliberation.services).
ACCESS_KINDS = ("member.",)

# Rows per query when the hub fills a gap from the log.
_FILL_CHUNK = 500

# Seconds a shared welcome frame is reused for (it carries the server's clock, from which
# clients count agenda deadlines down; the snapshot in it is reused until the next event).
WELCOME_MAX_AGE = 1.0

T = TypeVar("T")


async def _let_writers_run() -> None:
    """Yield once to the event loop after delivering an event.

    A burst of events can be ready at once (Redis hands over a batch; a gap fill reads many
    rows), and taking a message from a non-empty queue does not yield. Without this the hub
    would queue the whole burst before any socket's writer ran, and a burst longer than the
    send backlog would close even fast sockets. The writers woken by ``_deliver`` were
    scheduled first, so each event is handed to the server before the next one is queued."""
    await asyncio.sleep(0)


class Connection:
    """One socket of a room as the hub sees it: its role, its heartbeat, its send queue.

    A frame for an idle socket is handed to the server at once; while the server is still
    taking an earlier one (the socket is back-pressured) frames wait in ``_outbox`` and a
    writer task, started only then and gone once the queue is empty, hands them over in
    order. So frames keep their order (an ``ack`` never overtakes the event it acknowledges),
    a socket that does not drain cannot block anybody else, and an idle connection holds no
    task of its own (memory per connection, issue 17). ``sent_seq`` is the last event queued
    for it; events at or below it are dropped, which makes replays and live delivery safe to
    overlap.
    """

    __slots__ = (
        "_backlog",
        "_direct",
        "_drained",
        "_held",
        "_outbox",
        "_send",
        "_writer",
        "close_code",
        "closed",
        "last_seen",
        "moderator",
        "name",
        "on_closed",
        "role",
        "sent_seq",
        "user_id",
    )

    def __init__(
        self,
        send: Send,
        *,
        role: str,
        user_id: int | None,
        name: str | None,
        clock: Clock,
    ) -> None:
        self.role = role
        self.moderator = role == "moderator"
        self.user_id = user_id
        self.name = name
        self.last_seen = clock()
        self.sent_seq = 0
        self.closed = False
        self.close_code: int | None = None
        # Set by the hub: called once when the server closes the socket.
        self.on_closed: Callable[[Connection], None] | None = None
        self._send = send
        # uvicorn's socket, written to directly while it keeps up (rooms.wire); else None
        self._direct = DirectWriter.for_send(send) if conf.direct_writes() else None
        self._backlog = conf.send_backlog()
        # Made when a frame must wait, dropped when the writer has emptied it (an idle
        # socket holds no deque: 760 bytes a connection).
        self._outbox: deque[Message | SuspendedSend] | None = None
        # Events held back while a welcome or a replay is being prepared; None when live.
        self._held: list[tuple[int, Message]] | None = []
        self._drained: asyncio.Future[None] | None = None
        # Runs only while frames wait in ``_outbox``.
        self._writer: asyncio.Task[None] | None = None

    # --- what the hub and the consumer call -------------------------------------------------

    def touch(self, now: float) -> None:
        self.last_seen = now

    def event(self, seq: int, message: Message) -> None:
        """A live event from the hub (called for every event, in order; the hub counts the
        frames in ``metrics.FRAMES_SENT``, once per event)."""
        if self.closed or seq <= self.sent_seq:
            return
        if self._held is not None:
            if len(self._held) >= self._backlog:
                self.close(Close.TOO_SLOW)
                return
            self._held.append((seq, message))
            return
        self.sent_seq = seq
        self._enqueue(message)

    def replayed(self, seq: int, message: Message) -> None:
        """An event read back from the log (resume); bypasses the hold."""
        if self.closed or seq <= self.sent_seq:
            return
        self.sent_seq = seq
        metrics.FRAMES_SENT.inc()
        self._enqueue(message)

    def send_text(self, text: str) -> None:
        """A frame that is not an event (welcome, ack, error, pong, …)."""
        metrics.FRAMES_SENT.inc()
        self._enqueue({"type": "websocket.send", "text": text})

    def hold(self) -> None:
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Send what arrived during the hold (beyond ``sent_seq``) and go live."""
        held, self._held = self._held or [], None
        for seq, message in held:
            if seq > self.sent_seq:
                self.sent_seq = seq
                metrics.FRAMES_SENT.inc()
                self._enqueue(message)

    def close(self, code: int) -> None:
        """Close from the server's side: drop what is queued, send the close frame."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._held = None
        for pending in self._outbox or ():
            if isinstance(pending, SuspendedSend):
                pending.coroutine.close()
        self._outbox = deque([{"type": "websocket.close", "code": int(code)}])
        self._start_writer()
        if self.on_closed is not None:
            self.on_closed(self)

    async def drain(self) -> None:
        """Wait until everything queued so far has been handed to the server."""
        while self._outbox and self._writer is not None:
            if self._drained is None or self._drained.done():
                self._drained = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._drained)

    async def stop(self) -> None:
        """The socket is gone: stop writing."""
        self.closed = True
        writer = self._writer
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        for pending in self._outbox or ():
            if isinstance(pending, SuspendedSend):
                pending.coroutine.close()
        self._outbox = None

    # --- internals ------------------------------------------------------------------------

    def _enqueue(self, message: Message) -> None:
        if self.closed:
            return
        outbox = self._outbox
        if outbox is not None and len(outbox) >= self._backlog:
            self.close(Close.TOO_SLOW)
            return
        if not outbox and self._writer is None:
            direct = self._direct
            if direct is not None and (text := message.get("text")) is not None:
                try:
                    if direct.write(text):  # the frame's bytes, built once for all sockets
                        return
                except Exception:
                    logger.debug("writing to a room socket directly failed", exc_info=True)
                    self._direct = None  # from now on through the server's send
            # Idle: hand the frame to the server now. Daphne's and uvicorn's ``send`` finish
            # in their first step unless the socket is back-pressured (no task, no wake-up:
            # that was a fifth of a fan-out's CPU time; Python 3.12's eager tasks do the same
            # natively). One that suspends is queued and a writer task finishes it, so order
            # and the bound on slow sockets are unchanged.
            coroutine = self._send(message)
            try:
                yielded = coroutine.send(None)
            except StopIteration:
                return  # the server took the frame
            except Exception:
                logger.debug("writing to a room socket failed", exc_info=True)
                self.closed = True  # the socket is gone, as in the writer
                return
            self._outbox = outbox = deque([SuspendedSend(coroutine, yielded)])
        else:
            if outbox is None:
                self._outbox = outbox = deque()
            outbox.append(message)
        self._start_writer()

    def _start_writer(self) -> None:
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_loop())

    async def _write_loop(self) -> None:
        """Hand the queued frames to the server, in order, until the queue is empty."""
        try:
            while outbox := self._outbox:
                message = outbox.popleft()
                if isinstance(message, SuspendedSend):
                    await message.finish()
                    continue
                await self._send(message)
                if message["type"] == "websocket.close":
                    return
        except asyncio.CancelledError:
            raise
        except Exception:
            # The server refused the write (socket already gone): nothing more to send.
            logger.debug("writing to a room socket failed", exc_info=True)
            self.closed = True
        finally:
            self._writer = None
            if not self._outbox:
                self._outbox = None
            if self._drained is not None and not self._drained.done():
                self._drained.set_result(None)


class RoomHub:
    """All connections of one room in this process, and the room's one subscription."""

    def __init__(self, registry: HubRegistry, circle_id: int) -> None:
        self.registry = registry
        self.circle_id = circle_id
        self.group = room_group(circle_id)
        self.connections: set[Connection] = set()
        self.last_seq = 0
        self.ready = False
        self.closing = False
        self.stopped = asyncio.Event()
        self.started: asyncio.Task[None] | None = None
        self.channel: str | None = None
        self._layer: Any = None
        self._receiver: asyncio.Task[None] | None = None
        self._deliver_lock = asyncio.Lock()
        self._snapshot: EncodedSnapshot | None = None
        self._snapshot_task: asyncio.Task[EncodedSnapshot] | None = None
        # Welcome frames of the cached snapshot's seq, by the consumer's key: (encoded at, text).
        self._welcomes: dict[Hashable, tuple[float, str]] = {}
        self._welcomes_seq = -1
        self._seq_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._presence_lock = asyncio.Lock()
        self._presence_timer: asyncio.TimerHandle | None = None
        self._reported: presence.LocalPresence | None = None
        self._reported_at = float("-inf")
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe first, then read where the room stands, then start receiving.

        Every event committed after that read is published after the subscription exists, so
        it waits in the channel until the receiver takes it (and the poll catches the rest).
        The receiver starts only once ``last_seq`` is known: an event that arrived meanwhile
        is simply newer than the starting point, never a reason to read the log from 0 (that
        race once closed every new socket of a cold hub with 4409)."""
        self._layer = get_channel_layer()
        try:
            if self._layer is not None:
                self.channel = await self._layer.new_channel()
                await self._layer.group_add(self.group, self.channel)
            async with self._deliver_lock:
                self.last_seq = await database_sync_to_async(replay.room_seq)(self.circle_id)
            if self._layer is not None:
                self._receiver = asyncio.get_running_loop().create_task(self._receive_loop())
        except BaseException:
            await self._unsubscribe()
            raise
        self.ready = True

    async def stop(self) -> None:
        """Unsubscribe and withdraw this process's presence report (last connection gone)."""
        self.closing = True
        if self._presence_timer is not None:
            self._presence_timer.cancel()
            self._presence_timer = None
        await self._unsubscribe()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        try:
            async with self._presence_lock:
                await database_sync_to_async(presence.presence_report)(
                    circle_id=self.circle_id, process=self.registry.process, local=None
                )
        except Exception:
            logger.exception("withdrawing the presence report of room %s failed", self.circle_id)
        for _seq, waiter in self._seq_waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _unsubscribe(self) -> None:
        if self._receiver is not None:
            self._receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._receiver
            self._receiver = None
        if self._layer is not None and self.channel is not None:
            try:
                await self._layer.group_discard(self.group, self.channel)
            except Exception:
                logger.exception("leaving the channel-layer group %s failed", self.group)

    # --- connections ------------------------------------------------------------------------

    def add(self, connection: Connection) -> int:
        """Register a connection (holding its events) and return the last ``seq`` delivered
        before it joined: its snapshot must be at least that new."""
        connection.hold()
        connection.on_closed = self._connection_closed
        self.connections.add(connection)
        metrics.ROOM_SOCKETS.inc()
        self._presence_changed()
        return self.last_seq

    def hold(self, connection: Connection) -> int:
        """Hold a connection's events for a fresh welcome; returns the minimum snapshot seq."""
        connection.hold()
        return self.last_seq

    def discard(self, connection: Connection) -> None:
        if connection in self.connections:
            self.connections.discard(connection)
            metrics.ROOM_SOCKETS.dec()
            self._presence_changed()

    def _connection_closed(self, connection: Connection) -> None:
        self.discard(connection)

    def sweep(self, now: float) -> list[Connection]:
        """Close the connections silent for longer than the presence timeout."""
        timeout = conf.presence_timeout()
        silent = [c for c in self.connections if now - c.last_seen > timeout]
        for connection in silent:
            connection.close(Close.HEARTBEAT_TIMEOUT)
        return silent

    # --- snapshots --------------------------------------------------------------------------

    async def snapshot(self, min_seq: int) -> EncodedSnapshot:
        """A snapshot at least as new as ``min_seq``: the cached one if it is, else one read
        by a single query batch shared by everybody who asks meanwhile."""
        while True:
            cached = self._snapshot
            if cached is not None and cached.seq >= min_seq:
                return cached
            if self._snapshot_task is None:
                self._snapshot_task = asyncio.get_running_loop().create_task(self._read_snapshot())
            fresh = await asyncio.shield(self._snapshot_task)
            if fresh.seq >= min_seq:
                return fresh

    def shared_welcome(self, seq: int, key: Hashable, encode: Callable[[], str]) -> str:
        """The welcome frame at ``seq`` for everybody with the same ``key`` (role, what they
        may, no personal part), encoded once and the same ``str`` for every socket: a storm
        of viewers costs one encoding per room state and second, and one copy in memory.
        The next event's snapshot has a higher ``seq``, which drops the old frames."""
        if seq != self._welcomes_seq:
            self._welcomes.clear()
            self._welcomes_seq = seq
        now = self.registry.clock()
        cached = self._welcomes.get(key)
        if cached is not None and now - cached[0] < WELCOME_MAX_AGE:
            return cached[1]
        text = encode()
        self._welcomes[key] = (now, text)
        return text

    async def _read_snapshot(self) -> EncodedSnapshot:
        try:
            snapshot = await database_sync_to_async(read_snapshot)(self.circle_id)
            if self._snapshot is None or snapshot.seq >= self._snapshot.seq:
                self._snapshot = snapshot
            return snapshot
        finally:
            self._snapshot_task = None

    # --- delivery ---------------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        assert self._layer is not None and self.channel is not None
        while True:
            try:
                message = await self._layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("receiving for room %s failed; retrying", self.circle_id)
                await asyncio.sleep(1)
                continue
            if message.get("type") != "room.event" or message.get("circle") != self.circle_id:
                continue
            try:
                await self.published(
                    message["seq"], message["public"], message["moderator"], message.get("kind")
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception(
                    "delivering event %s#%s failed; the poll will catch up",
                    self.circle_id,
                    message.get("seq"),
                )
            await _let_writers_run()

    async def published(
        self, seq: int, public: str, moderator: str, kind: str | None = None
    ) -> None:
        """An event arrived over the channel layer: drop it if known, fill the gap before it
        if there is one, deliver it."""
        if seq <= self.last_seq:
            return
        async with self._deliver_lock:
            if seq <= self.last_seq:
                return
            if seq > self.last_seq + 1:
                await self._fill(seq - 1)
            if seq == self.last_seq + 1:
                self._deliver(seq, public, moderator, kind)

    async def catch_up(self, upto: int | None = None) -> None:
        """Deliver everything in the log up to ``upto`` (default: the room's last event)."""
        async with self._deliver_lock:
            if upto is None:
                upto = await database_sync_to_async(replay.room_seq)(self.circle_id)
            if upto > self.last_seq:
                await self._fill(upto)

    async def wait_delivered(self, seq: int, patience: float = conf.ACK_EVENT_WAIT) -> None:
        """Return once event ``seq`` has been delivered to this hub's connections; if the
        channel layer is slower than ``patience`` seconds, fetch it from the log."""
        if seq <= self.last_seq:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (seq, waiter)
        self._seq_waiters.append(entry)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), patience)
        except TimeoutError:
            await self.catch_up(seq)
        finally:
            with contextlib.suppress(ValueError):
                self._seq_waiters.remove(entry)

    async def _fill(self, upto: int) -> None:
        """Precondition: the caller holds ``_deliver_lock``."""
        while self.last_seq < upto:
            after = self.last_seq
            events = await database_sync_to_async(replay.events_after)(
                self.circle_id, after, limit=_FILL_CHUNK, upto=upto
            )
            if self.last_seq != after:
                continue  # delivered meanwhile: read again from where the hub stands
            if not events or events[0].seq != after + 1:
                self._lost(events[0].seq - 1 if events else upto)
                if not events:
                    return
            for event in events:
                if event.seq > self.last_seq:
                    self._deliver(event.seq, event.public, event.moderator, event.kind)
                    await _let_writers_run()

    def _lost(self, seq: int) -> None:
        """Events up to ``seq`` are not in the log any more (pruned under a hub that lagged far
        behind): no connection can have them in order, so all of them reconnect and resync."""
        logger.warning("room %s: events up to %s are gone from the log", self.circle_id, seq)
        self.last_seq = seq
        for connection in list(self.connections):
            connection.close(Close.TOO_SLOW)

    def _deliver(self, seq: int, public: str, moderator: str, kind: str | None = None) -> None:
        self.last_seq = seq
        # One message object per variant, shared by every socket: nothing is encoded twice.
        public_message: Message = {"type": "websocket.send", "text": public}
        moderator_message = (
            public_message if moderator == public else {"type": "websocket.send", "text": moderator}
        )
        connections = tuple(self.connections)
        metrics.FRAMES_SENT.inc(len(connections))  # once per event, not per socket
        for connection in connections:
            connection.event(seq, moderator_message if connection.moderator else public_message)
        if kind is None and '"member.' in public:
            kind = str(json.loads(public).get("kind", ""))  # from a process that sent no kind
        if kind and kind.startswith(ACCESS_KINDS):
            self._access_changed(public)
        if self._seq_waiters:
            for wanted, waiter in self._seq_waiters:
                if wanted <= seq and not waiter.done():
                    waiter.set_result(None)

    def _access_changed(self, public: str) -> None:
        """A ``member.*`` event: the person's sockets in this room are closed (4410) and
        reconnect as whoever they are now (a removed member of a private room gets 4403, a
        deactivated account is anonymous). Their queued frames are dropped with the close, so
        a removed member hears nothing more of the room, not even this event."""
        person = (json.loads(public).get("data") or {}).get("person") or {}
        user_id = person.get("id")
        if user_id is None:
            return
        for connection in tuple(self.connections):
            if connection.user_id == user_id:
                connection.close(Close.ACCESS_CHANGED)

    # --- presence ---------------------------------------------------------------------------

    def local_presence(self) -> presence.LocalPresence:
        members: list[dict[str, Any]] = []
        viewer_ids: set[int] = set()
        anonymous = 0
        for connection in self.connections:
            if connection.closed:
                continue
            if connection.role in presence.MEMBER_ROLES and connection.user_id is not None:
                members.append(
                    {"id": connection.user_id, "name": connection.name, "role": connection.role}
                )
            elif connection.user_id is not None:
                viewer_ids.add(connection.user_id)
            else:
                anonymous += 1
        return presence.LocalPresence(
            members=tuple(presence.Member(**m) for m in presence.merge_members(members)),
            viewer_ids=frozenset(viewer_ids),
            anonymous=anonymous,
        )

    def _presence_changed(self) -> None:
        if self.closing or self._presence_timer is not None:
            return
        self._presence_timer = asyncio.get_running_loop().call_later(
            conf.presence_debounce(), self._presence_due
        )

    def _presence_due(self) -> None:
        self._presence_timer = None
        if not self.closing:
            self._spawn(self.report_presence())

    async def report_presence(self, *, force: bool = False, now: datetime | None = None) -> None:
        """Write this process's view of the room if it changed (or ``force``: the refresh that
        keeps the report from ageing out). ``now`` is for tests of the timeout."""
        async with self._presence_lock:
            local = self.local_presence()
            if not force and local == self._reported:
                return
            await database_sync_to_async(presence.presence_report)(
                circle_id=self.circle_id, process=self.registry.process, local=local, now=now
            )
            self._reported = local
            self._reported_at = self.registry.clock()

    async def refresh_presence(self, now: float) -> None:
        if now - self._reported_at >= conf.presence_refresh():
            await self.report_presence(force=True)

    async def resubscribe(self) -> None:
        """Renew the group membership. The in-memory layer forgets members after a day; for
        Redis this is a no-op while subscribed."""
        if self._layer is not None and self.channel is not None and not self.closing:
            await self._layer.group_add(self.group, self.channel)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(self._guarded(coroutine))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, coroutine: Coroutine[Any, Any, None]) -> None:
        try:
            await coroutine
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("room %s: background work failed", self.circle_id)


class HubRegistry:
    """The hubs of one process (one event loop), and their shared maintenance task: the poll
    for lost broadcasts, the heartbeat sweep and the presence refresh."""

    def __init__(self) -> None:
        self.process = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]
        # Monotonic seconds; tests replace it to move time without sleeping.
        self.clock: Clock = time.monotonic
        self.hubs: dict[int, RoomHub] = {}
        # Open room sockets per client address in this process (the per-address limit).
        self.addresses: Counter[str] = Counter()
        self._maintenance: asyncio.Task[None] | None = None
        self._inflight: dict[Hashable, asyncio.Task[Any]] = {}

    async def shared(self, key: Hashable, work: Callable[[], Awaitable[T]]) -> T:
        """``work()``, or the result of the same work already under way for ``key``: one
        database round trip for the many anonymous viewers of a room who arrive at once.
        A caller may get the result of a read that began shortly before it arrived (the one
        then in flight), never an older one: nothing is kept once the read is done."""
        task = self._inflight.get(key)
        if task is None:

            async def run() -> T:
                try:
                    return await work()
                finally:
                    self._inflight.pop(key, None)

            task = self._inflight[key] = asyncio.get_running_loop().create_task(run())
        return await asyncio.shield(task)

    async def join(self, circle_id: int, connection: Connection) -> tuple[RoomHub, int]:
        """Register ``connection`` with its room's hub (starting it if needed); returns the hub
        and the minimum ``seq`` of the connection's snapshot."""
        while True:
            hub = self.hubs.get(circle_id)
            if hub is None:
                hub = RoomHub(self, circle_id)
                self.hubs[circle_id] = hub
                hub.started = asyncio.get_running_loop().create_task(hub.start())
                self._ensure_maintenance()
            if hub.closing:
                await hub.stopped.wait()
                continue
            assert hub.started is not None
            try:
                await asyncio.shield(hub.started)
            except Exception:
                if self.hubs.get(circle_id) is hub:
                    del self.hubs[circle_id]
                    hub.closing = True
                    hub.stopped.set()
                raise
            if hub.closing:
                continue
            return hub, hub.add(connection)

    async def leave(self, hub: RoomHub, connection: Connection) -> None:
        """A socket closed; the last one out stops the hub."""
        hub.discard(connection)
        if hub.connections or hub.closing:
            return
        hub.closing = True
        try:
            await hub.stop()
        finally:
            if self.hubs.get(hub.circle_id) is hub:
                del self.hubs[hub.circle_id]
            hub.stopped.set()
            if not self.hubs and self._maintenance is not None:
                self._maintenance.cancel()
                self._maintenance = None

    def hub(self, circle_id: int) -> RoomHub | None:
        return self.hubs.get(circle_id)

    def _ensure_maintenance(self) -> None:
        if self._maintenance is None or self._maintenance.done():
            self._maintenance = asyncio.get_running_loop().create_task(self._maintain())

    async def _maintain(self) -> None:
        while self.hubs:
            await asyncio.sleep(conf.poll_interval())
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room maintenance failed; retrying")

    async def tick(self, now: float | None = None) -> None:
        """One round of maintenance (tests call it directly with a ``now``)."""
        now = self.clock() if now is None else now
        hubs = [hub for hub in self.hubs.values() if hub.ready and not hub.closing]
        if not hubs:
            return
        seqs = await database_sync_to_async(replay.room_seqs)([hub.circle_id for hub in hubs])
        for hub in hubs:
            try:
                if seqs.get(hub.circle_id, 0) > hub.last_seq:
                    await hub.catch_up(seqs[hub.circle_id])
                hub.sweep(now)
                await hub.refresh_presence(now)
                await hub.resubscribe()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("maintenance of room %s failed", hub.circle_id)


_registries: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HubRegistry] = (
    weakref.WeakKeyDictionary()
)


def get_registry() -> HubRegistry:
    """This process's hubs. One registry per event loop: a server runs one loop; tests get a
    fresh registry with each test's loop."""
    loop = asyncio.get_running_loop()
    registry = _registries.get(loop)
    if registry is None:
        registry = _registries[loop] = HubRegistry()
    return registry
