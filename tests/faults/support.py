"""A room client for the fault tests that follows ``docs/protocol.md``'s client algorithm
(reconnect with ``?after=<last seq>``, re-send unacknowledged commands with their
``client_key``, ``resync`` → fresh welcome) and records everything it saw, so a test can
check afterwards that nothing was lost and nothing arrived twice.

Sockets are ``websockets``' synchronous clients against real server processes
(``tests.rooms.daphne``); a client that must reconnect tries the servers in its list in
order, as a load balancer would send it to whichever process is alive.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import ClientConnection, connect

from deliberation import payloads
from deliberation.eventlog import lock_room, publish_event
from deliberation.models import Circle, Comment, RoomEvent
from kernel.rendering import render_markdown
from tests.factories import Room
from tests.rooms.daphne import FRAME_TIMEOUT, Server, free_port, ticket

# How long a test waits for every client to have everything (the hubs' poll runs every
# ROOM_POLL_INTERVAL seconds; replays of thousands of events take a few seconds).
CONVERGE_DEADLINE = 60.0


@dataclass
class Follower:
    """One socket's view of a room across reconnects."""

    name: str
    slug: str
    servers: list[Server]
    user: Any = None  # None: an anonymous viewer
    ws: ClientConnection | None = None
    server: Server | None = None
    seq: int = 0  # the last event applied
    first_seq: int = 0  # the seq of the first welcome
    events: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    gaps: list[tuple[int, int]] = field(default_factory=list)
    welcomes: list[dict[str, Any]] = field(default_factory=list)
    resyncs: int = 0
    reconnects: int = 0
    close_codes: list[int | None] = field(default_factory=list)
    acks: dict[Any, dict[str, Any]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[Any, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)  # the reduced state

    # --- connecting -------------------------------------------------------------------------

    def connect(self, after: int | None = None) -> None:
        """Open a socket on the first server that answers (with ``?after=`` to resume)."""
        failures = []
        for server in self.servers:
            try:
                self.ws = self._open(server, after)
            except (OSError, InvalidHandshake, urllib.error.URLError) as exc:
                failures.append(f"{server.port}: {exc!r}")
                continue
            self.server = server
            self._read_welcome()
            return
        raise AssertionError(f"{self.name} could not reconnect: {failures}")

    def _open(self, server: Server, after: int | None) -> ClientConnection:
        query = []
        if self.user is not None:
            query.append(f"ticket={ticket(server, self.user, self.slug)}")
        if after is not None:
            query.append(f"after={after}")
        suffix = "?" + "&".join(query) if query else ""
        return connect(
            f"{server.ws}/ws/rooms/{self.slug}/{suffix}",
            origin=f"http://127.0.0.1:{server.port}",  # type: ignore[arg-type]
            open_timeout=FRAME_TIMEOUT,
            max_size=None,  # a browser takes a welcome of any size
            # No client keepalive: a sleeping client answers nothing (the server's own
            # keepalive decides when it is gone).
            ping_interval=None,
        )

    def _read_welcome(self) -> None:
        while True:
            frame = self._recv_raw()
            if frame["type"] == "resync":
                self.resyncs += 1
                continue
            assert frame["type"] == "welcome", frame
            for number in range(1, frame["parts"] + 1):  # a long-lived room's comments
                part = self._recv_raw()
                assert (part["type"], part["index"]) == ("snapshot.part", number), part
                frame["snapshot"]["comments"].extend(part["comments"])
            self._welcome(frame)
            return

    def _welcome(self, frame: dict[str, Any]) -> None:
        self.welcomes.append(frame)
        if not self.events and len(self.welcomes) == 1:
            self.first_seq = frame["seq"]
        if frame["snapshot"] is None:
            # ?after=: our state stands; the replay follows.
            assert frame["seq"] == self.seq, (self.name, frame["seq"], self.seq)
        else:
            self.comments = {c["id"]: c for c in frame["snapshot"]["comments"]}
        self.seq = frame["seq"]

    def reconnect(self) -> None:
        """The socket is gone: resume on whichever server answers, and send again what was
        not acknowledged (commands are idempotent by ``client_key``)."""
        self.reconnects += 1
        self.connect(after=self.seq)
        for frame in list(self.pending.values()):
            self._send_raw(frame)

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()

    # --- frames ------------------------------------------------------------------------------

    def command(self, frame: dict[str, Any]) -> None:
        """Send a command; it stays pending (and is re-sent after a reconnect) until answered."""
        self.pending[frame["id"]] = frame
        try:
            self._send_raw(frame)
        except ConnectionClosed:
            self._closed()

    def _send_raw(self, frame: dict[str, Any]) -> None:
        assert self.ws is not None
        self.ws.send(json.dumps(frame))

    def _recv_raw(self, timeout: float = FRAME_TIMEOUT) -> dict[str, Any]:
        assert self.ws is not None
        return json.loads(self.ws.recv(timeout=timeout))  # type: ignore[no-any-return]

    def _closed(self) -> None:
        assert self.ws is not None
        self.close_codes.append(self.ws.close_code)
        self.reconnect()

    def pump(self, timeout: float) -> bool:
        """Handle the next frame (reconnecting if the socket dropped); False on timeout."""
        try:
            frame = self._recv_raw(timeout)
        except TimeoutError:
            return False
        except ConnectionClosed:
            self._closed()
            return True
        self.handle(frame)
        return True

    def handle(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "event":
            seq = frame["seq"]
            if seq <= self.seq:
                self.duplicates.append(seq)
                return
            if seq > self.seq + 1:
                # The server promises this never happens on one connection; record it and
                # resume as the protocol says, so the test reports it instead of hanging.
                self.gaps.append((self.seq, seq))
                self._send_raw({"type": "resume", "after": self.seq})
                return
            self.seq = seq
            self.events.append(frame)
            if frame["kind"].startswith("comment."):
                comment = frame["data"]["comment"]
                self.comments[comment["id"]] = comment
        elif kind == "ack":
            self.acks[frame["id"]] = frame
            self.pending.pop(frame["id"], None)
        elif kind == "error":
            self.errors.append(frame)
            self.pending.pop(frame.get("id"), None)
        elif kind == "resync":
            self.resyncs += 1
        elif kind == "welcome":
            self._welcome(frame)
        elif kind == "snapshot.part":  # after a mid-connection welcome (resync)
            self.comments.update((c["id"], c) for c in frame["comments"])
        else:
            assert kind in ("resumed", "pong"), frame

    def until(self, done: Callable[[Follower], bool], deadline: float = CONVERGE_DEADLINE) -> None:
        """Read until ``done(self)``, or fail at the deadline."""
        end = time.monotonic() + deadline
        while not done(self):
            remaining = end - time.monotonic()
            assert remaining > 0, f"{self.name}: not done after {deadline} s; at seq {self.seq}"
            self.pump(min(remaining, 1.0))

    # --- what it saw -------------------------------------------------------------------------

    def comment_bodies(self) -> list[str]:
        return [e["data"]["comment"]["body"] for e in self.events if e["kind"] == "comment.created"]

    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]

    def assert_gapless(self) -> None:
        """Every event since the first welcome exactly once, in order: nothing lost, nothing
        twice (the protocol's promise across reconnects)."""
        assert self.gaps == [], (self.name, self.gaps)
        assert self.duplicates == [], (self.name, self.duplicates)
        assert self.seqs() == list(range(self.first_seq + 1, self.seq + 1)), self.name


def has_bodies(bodies: list[str]) -> Callable[[Follower], bool]:
    wanted = set(bodies)
    return lambda follower: wanted <= set(follower.comment_bodies())


def post_frame(n: int, goal: int, prefix: str) -> dict[str, Any]:
    """``comment.post`` with body ``"<prefix> <n>"`` and a client_key of its own."""
    return {
        "type": "comment.post",
        "id": f"{prefix}-{n}",
        "goal": goal,
        "body": f"{prefix} {n}",
        "client_key": f"{prefix}-{n}",
    }


# --- many events at once -------------------------------------------------------------------------


def record_comments(room: Room, count: int, *, edits: int = 0) -> int:
    """``count`` comments by ``room.expert2``, each edited ``edits`` times, as
    ``comment_post`` and ``comment_edit`` record them (their payloads, the counter moved under
    the room lock, each event published after commit), written in bulk in one transaction:
    thousands one by one would take minutes. Returns the number of events."""
    author, goal = room.expert2, room.goal

    def write(comment: Comment, body: str) -> None:
        comment.body, comment.body_html = body, render_markdown(body)

    with transaction.atomic():
        circle = lock_room(room.circle.pk)
        comments = []
        for n in range(count):
            comment = Comment(
                circle=circle,
                goal=goal,
                version=goal.current_version,
                author=author,
                client_key=f"nacht-{n}",
            )
            write(comment, f"Nachtbeitrag {n}")
            comments.append(comment)
        Comment.objects.bulk_create(comments)
        log: list[tuple[str, dict[str, Any]]] = [
            ("comment.created", payloads.comment_data(c, moderator=False)) for c in comments
        ]
        for edit in range(1, edits + 1):
            for n, comment in enumerate(comments):
                write(comment, f"Nachtbeitrag {n}, Fassung {edit}")
                comment.edited_at = timezone.now()
                log.append(("comment.edited", payloads.comment_data(comment, moderator=False)))
        Comment.objects.bulk_update(comments, ["body", "body_html", "edited_at"])
        Circle.objects.filter(pk=circle.pk).update(event_seq=F("event_seq") + len(log))
        events = RoomEvent.objects.bulk_create(
            RoomEvent(
                circle=circle,
                seq=circle.event_seq + 1 + n,
                kind=kind,
                payload={"comment": data},
                actor=author,
            )
            for n, (kind, data) in enumerate(log)
        )
        for event in events:
            transaction.on_commit(partial(publish_event, event))
    return len(log)


# --- a Redis of the test's own -------------------------------------------------------------------


@dataclass
class RedisServer:
    """``redis-server`` on a free port, without persistence: the test may stop and restart it
    (the machine's shared Redis is never touched)."""

    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:  # an external process getting ready: poll with a deadline
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                pass
            assert self.process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not answer"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    @classmethod
    def on_free_port(cls, workdir: Path) -> RedisServer:
        return cls(port=free_port(), workdir=workdir)
