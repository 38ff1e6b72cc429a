"""The room's WebSocket door: it translates frames into service calls and nothing more.

Frames are checked in ``rooms.protocol``, commands run through ``rooms.commands`` (one
service call each, in the database thread), events reach the socket through the process's
``RoomHub``. No ORM code here.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext as _

from deliberation.rules import room_capabilities
from kernel import metrics, requestid
from kernel.errors import DomainError, Forbidden, NotFound
from rooms import commands, conf, protocol, replay
from rooms.access import AccessChanged, RoomAccess, enter_room
from rooms.hub import Connection, RoomHub, get_registry
from rooms.protocol import Close, FrameError
from rooms.tickets import TicketRefused

logger = logging.getLogger(__name__)


def query_value(scope: dict[str, Any], name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name)
    return values[-1] if values else None


def client_address(scope: dict[str, Any]) -> str:
    """The client's address as the API's throttling sees it: the direct peer, or with
    ``NUM_PROXIES`` proxies in front the matching X-Forwarded-For entry."""
    peer = scope.get("client") or ("", 0)
    address = str(peer[0])
    proxies = conf.num_proxies()
    if proxies:
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                hops = [hop.strip() for hop in value.decode("latin-1").split(",") if hop.strip()]
                if hops:
                    address = hops[-min(proxies, len(hops))]
                break
    return address[:100]


def _after(raw: str | None) -> int | None:
    """``?after=N`` if it is a usable number; anything else means a fresh welcome."""
    if raw is None or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


def _entered(
    user: Any, slug: str, ticket: str | None
) -> tuple[RoomAccess, dict[str, bool]] | Close:
    """Who enters, as whom, and what they may beyond the role: one trip to the database
    thread; a refusal is the close code."""
    try:
        access = enter_room(user=user, slug=slug, ticket=ticket)
    except TicketRefused:
        return Close.TICKET_REFUSED
    except NotFound:
        return Close.NOT_FOUND
    except Forbidden:
        return Close.FORBIDDEN
    return access, room_capabilities(access.user, access.circle)


class RoomConsumer:
    """``/ws/rooms/<slug>/``: one live room. See ``docs/protocol.md``.

    A plain object driven by ``rooms.routing.RoomSockets`` (the room's ASGI application),
    not a Channels consumer: the hub holds this process's one subscription to the room, so a
    socket needs no channel, no dispatch task and no middleware's copy of the scope; it
    writes through the server's own ``send`` (issue 17: CPU and memory per connection)."""

    access: RoomAccess | None = None
    limiter: protocol.SlidingWindow
    hub: RoomHub | None = None
    connection: Connection | None = None
    language: str = "de"
    address: str | None = None
    resumes: protocol.SlidingWindow
    # What the user may do beyond the role (the welcome's ``may``) and the commands that
    # opens for a viewer's socket: read at connect, asked again by the service on each use.
    may: dict[str, bool] | None = None
    viewer_commands: frozenset[str] = frozenset()

    def __init__(
        self, scope: dict[str, Any], send: Any, *, slug: str, user: Any, language: str
    ) -> None:
        self.scope = scope  # the server's, not copied
        self.send = send
        self.slug = slug
        self.user = user
        self.language = language

    async def accept(self) -> None:
        await self.send({"type": "websocket.accept"})

    async def close(self, code: int) -> None:
        await self.send({"type": "websocket.close", "code": int(code)})

    # --- connect ------------------------------------------------------------------------

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        requestid.bind_socket(self.scope)  # this connection's id in every record of its task
        # The socket's language for everything its task says, once: the task runs this
        # socket's frames to its end (``rooms.routing.RoomSockets``) in a context of its own,
        # so it holds until the socket closes (an override around every frame was a third of
        # a ping's cost).
        translation.activate(self.language)
        # Accept before checking anything: a refused socket must see its close code (4403,
        # 4404, 4401), which a rejected handshake cannot carry.
        await self.accept()
        registry = get_registry()
        address = client_address(self.scope)
        if registry.addresses[address] >= conf.max_connections_per_address():
            await self.close(code=int(Close.TOO_MANY_CONNECTIONS))
            return
        registry.addresses[address] += 1
        self.address = address
        try:
            await self._enter()
        except Exception:
            logger.exception("opening a room socket failed")
            if self.connection is not None:
                self.connection.close(Close.SERVER_ERROR)
            else:
                await self.close(code=int(Close.SERVER_ERROR))

    async def _enter(self) -> None:
        slug, user, ticket = self.slug, self.user, query_value(self.scope, "ticket")
        registry = get_registry()
        enter = database_sync_to_async(_entered)
        if ticket is None and not getattr(user, "is_authenticated", False):
            # Anonymous viewers of a room who arrive together share one read (a storm of
            # thousands would otherwise queue as many on the one database thread).
            entered = await registry.shared(("anonymous", slug), lambda: enter(None, slug, None))
        else:
            entered = await enter(user, slug, ticket)
        if isinstance(entered, Close):
            await self.close(code=int(entered))
            return
        self.access, self.may = entered
        access = self.access
        self.viewer_commands = commands.capability_commands(self.may)
        self.limiter = protocol.SlidingWindow(conf.rate_burst(), conf.rate_window())
        self.resumes = protocol.SlidingWindow(conf.resume_burst(), conf.resume_window())
        self.connection = Connection(
            self.send,
            role=access.role,
            user_id=access.user_id,
            name=access.me["name"] if access.me else None,
            clock=registry.clock,
        )
        self.hub, min_seq = await registry.join(access.circle.pk, self.connection)
        after = _after(query_value(self.scope, "after"))
        if after is not None:
            self.resumes.allow(registry.clock())  # ?after= counts toward the resume budget
        if after is None:
            await self._welcome(min_seq)
        else:
            await self._resume(after, on_connect=True)

    async def _welcome(self, min_seq: int) -> None:
        """Precondition: the connection is holding its events (``hub.add`` / ``hub.hold``)."""
        assert self.access is not None and self.hub is not None and self.connection is not None
        connection, role = self.connection, self.access.role
        snapshot = await self.hub.snapshot(min_seq)
        parts = snapshot.parts_for_role(role)

        def encode() -> str:
            return self._welcome_frame(snapshot.seq, snapshot.for_role(role), parts=len(parts))

        if self.access.me is None:
            # Nothing personal in it: one frame per room state for every such socket.
            may = tuple(sorted((self.may or {}).items()))
            text = self.hub.shared_welcome(snapshot.seq, (role, may, len(parts)), encode)
        else:
            text = encode()
        connection.send_text(text)
        # A long-lived room's comments follow in parts; the socket drains between them, and
        # the events held meanwhile go out after the last one.
        for part in parts:
            await connection.drain()
            connection.send_text(part)
        connection.sent_seq = snapshot.seq
        connection.release()

    def _welcome_frame(self, seq: int, snapshot: str | None, *, parts: int = 0) -> str:
        assert self.access is not None
        return protocol.welcome(
            room=self.access.circle.slug,
            role=self.access.role,
            seq=seq,
            me=self.access.me,
            snapshot=snapshot,
            parts=parts,
            may=self.may,
        )

    # --- resume ---------------------------------------------------------------------------

    async def _resume(self, after: int, *, on_connect: bool = False) -> None:
        """Replay the log after ``after``, then ``resumed``; or ``resync`` and a fresh welcome
        when the log no longer reaches back that far."""
        assert self.access is not None and self.hub is not None and self.connection is not None
        connection, circle_id = self.connection, self.access.circle.pk
        min_seq = self.hub.hold(connection)
        registry = get_registry()
        # Reads shared by the sockets that resume from the same point together (a killed
        # process's viewers all reconnect at once, most of them from the same seq).
        resumable = await registry.shared(
            ("can_resume", circle_id, after),
            lambda: database_sync_to_async(replay.can_resume)(
                circle_id, after, max_events=conf.resume_max_events()
            ),
        )
        if not resumable:
            await self._resync(min_seq)
            return
        if on_connect:
            connection.send_text(self._welcome_frame(after, None))
        connection.sent_seq = after
        cursor = after
        # Chunks fit in the send queue with room to spare; the socket drains between chunks.
        chunk = max(1, min(conf.REPLAY_CHUNK, conf.send_backlog() // 2))
        read_after = database_sync_to_async(replay.events_after)
        while True:
            events = await registry.shared(
                ("events_after", circle_id, cursor, chunk),
                partial(read_after, circle_id, cursor, limit=chunk),
            )
            if events and events[0].seq != cursor + 1:
                # Pruned while we were reading: the client cannot have it in order any more.
                await self._resync(self.hub.hold(connection))
                return
            for event in events:
                text = event.moderator if connection.moderator else event.public
                connection.replayed(event.seq, {"type": "websocket.send", "text": text})
            if len(events) < chunk:
                break
            cursor = events[-1].seq
            await connection.drain()
        connection.send_text(protocol.resumed(connection.sent_seq))
        connection.release()

    async def _resync(self, min_seq: int) -> None:
        assert self.connection is not None
        self.connection.send_text(protocol.RESYNC)
        await self._welcome(min_seq)

    # --- frames ---------------------------------------------------------------------------

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        connection = self.connection
        if connection is None or connection.closed:
            return
        now = get_registry().clock()
        connection.touch(now)
        try:
            await self._on_frame(message.get("text"), message.get("bytes"), now)
        except FrameError as exc:
            connection.send_text(protocol.error(exc.frame_id, exc.code, exc.message, exc.field))
        except Exception:
            logger.exception("a room frame failed")
            connection.send_text(
                protocol.error(None, "unavailable", _("Der Server konnte das nicht ausführen."))
            )

    async def _on_frame(self, text: str | None, binary: bytes | None, now: float) -> None:
        assert self.access is not None and self.connection is not None
        allowed = self.limiter.allow(now)
        try:
            frame = protocol.parse(text, binary)
        except FrameError as exc:
            if not allowed:
                raise self._rate_limited(exc.frame_id) from None
            raise
        if not allowed:
            raise self._rate_limited(frame.id)
        if (
            self.access.role == "viewer"
            and frame.type not in protocol.VIEWER_TYPES
            and frame.type not in self.viewer_commands
        ):
            raise FrameError(
                "forbidden",
                _("Zuschauende können im Raum lesen, aber nichts senden."),
                frame_id=frame.id,
            )
        fields = protocol.check_fields(frame)
        if frame.type == "ping":
            self.connection.send_text(protocol.pong(frame.id, self.connection.sent_seq))
        elif frame.type == "resume":
            if not self.resumes.allow(now):
                raise FrameError(
                    "rate_limited",
                    _("Zu viele Wiederaufnahmen: höchstens %(n)s in %(s)s Sekunden.")
                    % {"n": conf.resume_burst(), "s": int(conf.resume_window())},
                )
            await self._resume(fields["after"])
        else:
            await self._command(frame, fields)

    def _rate_limited(self, frame_id: Any) -> FrameError:
        return FrameError(
            "rate_limited",
            _("Zu viele Nachrichten: höchstens %(n)s in %(s)s Sekunden.")
            % {"n": conf.rate_burst(), "s": int(conf.rate_window())},
            frame_id=frame_id,
        )

    async def _command(self, frame: protocol.Frame, fields: dict[str, Any]) -> None:
        assert self.access is not None and self.hub is not None and self.connection is not None
        try:
            outcome = await database_sync_to_async(commands.execute)(
                actor=self.access.user,
                circle=self.access.circle,
                command=frame.type,
                fields=fields,
                language=self.language,
                role=self.access.role,
            )
        except AccessChanged:
            metrics.command_done(frame.type, metrics.ACCESS_CHANGED)
            # Whatever the hub has heard yet: this socket may not act as it did any more.
            self.connection.close(Close.ACCESS_CHANGED)
            return
        except DomainError as exc:
            metrics.command_done(frame.type, metrics.REFUSED)
            raise FrameError(exc.code, exc.message, frame_id=frame.id, field=exc.field) from None
        except Exception:
            metrics.command_done(frame.type, metrics.FAILED)
            logger.exception("room command %s failed", frame.type)
            raise FrameError(
                "unavailable",
                _("Der Server konnte das gerade nicht ausführen; bitte erneut versuchen."),
                frame_id=frame.id,
            ) from None
        metrics.command_done(frame.type, metrics.OK)
        # The event goes out before its ack, so the sender sees its change when it is acked.
        await self.hub.wait_delivered(outcome.seq)
        self.connection.send_text(protocol.ack(frame.id, outcome.seq, outcome.extra))

    # --- disconnect -----------------------------------------------------------------------

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        if self.address is not None:
            registry = get_registry()
            registry.addresses[self.address] -= 1
            if registry.addresses[self.address] <= 0:
                del registry.addresses[self.address]
            self.address = None
        if self.connection is not None:
            await self.connection.stop()
            if self.hub is not None:
                await get_registry().leave(self.hub, self.connection)
            self.connection = None


class UnknownSocketConsumer(AsyncJsonWebsocketConsumer):
    """Any other WebSocket path (``/ws/rooms/%00/``, a non-slug, a typo): accepted and closed
    with 4404 at once, so the client sees a code and the server logs no traceback."""

    channel_layer_alias = None

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        await self.accept()
        await self.close(code=int(Close.NOT_FOUND))

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        """Nothing to say to a socket that is being closed."""
