"""The room event log: the lowest layer. Services call ``record_event`` inside their
transaction; the broadcast is handed to ``transaction.on_commit`` so no client ever sees a
change that rolled back. The row is the truth; the channel layer only carries it.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from deliberation.models import Circle, RoomEvent
from kernel import metrics
from kernel.prepared import Prepared
from kernel.times import UtcJSONEncoder, utc_iso

logger = logging.getLogger(__name__)

PROTOCOL_VERSION = 1


def room_group(circle_id: int) -> str:
    """The channel-layer group a room's events travel on (one subscriber per process)."""
    return f"room.{circle_id}"


def lock_room(circle_id: int) -> Circle:
    """Take the room's row lock (SQLite: the IMMEDIATE transaction already serialises writers).

    Precondition: inside ``transaction.atomic()``. Every write of a room asks this: compiled
    once (``kernel.prepared``).
    """
    circle = _locked_circle.first(circle_id)
    if circle is None:
        raise Circle.DoesNotExist(f"no circle {circle_id}")
    return circle


_locked_circle: Prepared[Circle] = Prepared(
    lambda circle: Circle.objects.select_for_update().filter(pk=circle).order_by()[:1]
)


def _jsonable(value: Any) -> Any:
    # Round-trip so an unserialisable payload fails here, in the writer, not in a consumer.
    return json.loads(json.dumps(value, cls=UtcJSONEncoder))


def record_event(
    *,
    circle: Circle | int,
    kind: str,
    payload: dict[str, Any],
    actor: AbstractBaseUser | AnonymousUser | None = None,
    moderator_payload: dict[str, Any] | None = None,
) -> RoomEvent:
    """Append an event to the room's log and publish it after commit.

    Precondition: inside ``transaction.atomic()``. The counter increment takes the row lock,
    so concurrent writers get consecutive, gapless numbers in commit order.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must run inside transaction.atomic()")
    circle_id = circle if isinstance(circle, int) else circle.pk
    public = _jsonable(payload)
    private = _jsonable(moderator_payload) if moderator_payload is not None else None
    author = actor if actor is not None and actor.is_authenticated else None
    if connection.vendor == "postgresql":
        event = _append(connection, circle_id, kind, public, private, author)
    else:
        event = RoomEvent.objects.create(
            circle_id=circle_id,
            seq=_next_seq(circle_id),
            kind=kind,
            payload=public,
            moderator_payload=private,
            actor=author,  # type: ignore[misc]
        )
    if isinstance(circle, Circle):
        circle.event_seq = event.seq
    transaction.on_commit(functools.partial(_committed, event))
    if _listeners:
        transaction.on_commit(lambda: _tell_listeners(event))
    return event


def _append(
    connection: Any,
    circle_id: int,
    kind: str,
    payload: Any,
    moderator_payload: Any,
    actor: Any,
) -> RoomEvent:
    """PostgreSQL: move the room's counter on and append the row in one statement (every
    write of a room pays this; docs/performance.md, "Round 2"). The counter's ``UPDATE`` takes
    the row lock, so concurrent writers get consecutive, gapless numbers in commit order."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _APPEND_SQL,
            [
                circle_id,
                kind,
                json.dumps(payload, ensure_ascii=False),
                None
                if moderator_payload is None
                else json.dumps(moderator_payload, ensure_ascii=False),
                actor.pk if actor is not None else None,
                now,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise Circle.DoesNotExist(f"no circle {circle_id}")
    event = RoomEvent(
        id=row[0],
        circle_id=circle_id,
        seq=int(row[1]),
        kind=kind,
        payload=payload,
        moderator_payload=moderator_payload,
        actor_id=actor.pk if actor is not None else None,
        created_at=now,
    )
    event._state.adding = False
    event._state.db = connection.alias
    return event


_APPEND_SQL = (
    'WITH counter AS (UPDATE "deliberation_circle" SET "event_seq" = "event_seq" + 1 '
    'WHERE "id" = %s RETURNING "id", "event_seq") '
    'INSERT INTO "deliberation_roomevent" '
    '("circle_id", "seq", "kind", "payload", "moderator_payload", "actor_id", "created_at") '
    'SELECT counter."id", counter."event_seq", %s, %s::jsonb, %s::jsonb, %s, %s FROM counter '
    'RETURNING "id", "seq"'
)


# --- what a command committed ----------------------------------------------------------------
# A room command (``rooms.commands.execute``) acknowledges with the number of the event it
# recorded; the commit hooks note it here, per thread, so that the answer costs no query.

_committed_seqs = threading.local()


def _committed(event: RoomEvent) -> None:
    seqs: dict[int, int] | None = getattr(_committed_seqs, "seqs", None)
    if seqs is not None:
        seqs[event.circle_id] = max(seqs.get(event.circle_id, 0), event.seq)
    publish_event(event)


def watch_commits() -> None:
    """From now on, note the events this thread commits (``committed_seq``)."""
    _committed_seqs.seqs = {}


def committed_seq(circle_id: int) -> int | None:
    """The number of the last event this thread committed in the room since
    ``watch_commits()`` (None: none); stops watching."""
    seqs: dict[int, int] | None = getattr(_committed_seqs, "seqs", None)
    _committed_seqs.seqs = None
    return None if seqs is None else seqs.get(circle_id)


# --- after-commit listeners ------------------------------------------------------------------
# Packages above the domain that want to hear of committed events (notifications) register a
# listener when they start (their AppConfig.ready), as participation registers its feedback
# with deliberation/rounds/feedback_sources.py: the domain never imports them.

Listener = Callable[[RoomEvent], None]
_listeners: dict[str, Listener] = {}


def register_listener(name: str, listener: Listener) -> None:
    """Register (or replace) the listener ``name``; it is called with each committed event.
    Idempotent, so a second ``ready()`` (tests, autoreload) does not call it twice."""
    _listeners[name] = listener


def _tell_listeners(event: RoomEvent) -> None:
    # After the commit: a failing listener is logged and must not fail the user's request.
    for name, listener in list(_listeners.items()):
        try:
            listener(event)
        except Exception:
            logger.exception("event listener %s failed on %s#%s", name, event.circle_id, event.seq)


def _next_seq(circle_id: int) -> int:
    """Move the room's counter on by one and return it, under the row lock the update takes:
    one ``UPDATE … RETURNING`` on PostgreSQL and SQLite >= 3.35 (every write of a room pays
    this), an update and a read elsewhere."""
    connection = transaction.get_connection()
    if connection.features.can_return_columns_from_insert:  # the same versions return from UPDATE
        table = connection.ops.quote_name(Circle._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET event_seq = event_seq + 1 WHERE id = %s "  # noqa: S608
                "RETURNING event_seq",
                [circle_id],
            )
            row = cursor.fetchone()
        if row is None:
            raise Circle.DoesNotExist(f"no circle {circle_id}")
        return int(row[0])
    Circle.objects.filter(pk=circle_id).update(event_seq=F("event_seq") + 1)
    return Circle.objects.filter(pk=circle_id).values_list("event_seq", flat=True).get()


def current_seq(circle_id: int) -> int:
    """The number of the room's last committed event (as this transaction sees it)."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(_seq_sql(connection.vendor), [circle_id])
        row = cursor.fetchone()
    if row is None:
        raise Circle.DoesNotExist(f"no circle {circle_id}")
    return int(row[0])


@functools.lru_cache(maxsize=4)
def _seq_sql(vendor: str) -> str:
    table = transaction.get_connection().ops.quote_name(Circle._meta.db_table)
    return f"SELECT event_seq FROM {table} WHERE id = %s"  # noqa: S608


def event_frame(event: RoomEvent, *, moderator: bool) -> dict[str, Any]:
    """The protocol frame for one event as a role sees it (redacted unless moderator)."""
    data = event.moderator_payload if moderator and event.moderator_payload else event.payload
    return {
        "type": "event",
        "seq": event.seq,
        "kind": event.kind,
        "at": utc_iso(event.created_at),
        "data": data,
    }


def encode_frames(event: RoomEvent) -> tuple[str, str]:
    """(public frame, moderator frame) as JSON text; encoded once, sent to many sockets."""
    public = json.dumps(event_frame(event, moderator=False), ensure_ascii=False)
    if event.moderator_payload is None:
        return public, public
    return public, json.dumps(event_frame(event, moderator=True), ensure_ascii=False)


def publish_event(event: RoomEvent) -> None:
    """Hand a committed event to the channel layer. A failure is logged, not raised: the
    log row is committed, and room hubs fill any gap from the database."""
    metrics.event_committed(event.kind)
    layer = get_channel_layer()
    if layer is None:
        return
    public, moderator = encode_frames(event)
    message = {
        "type": "room.event",
        "circle": event.circle_id,
        "seq": event.seq,
        "kind": event.kind,
        "public": public,
        "moderator": moderator,
    }
    try:
        async_to_sync(layer.group_send)(room_group(event.circle_id), message)
    except Exception:
        logger.exception(
            "publishing event %s#%s failed; hubs will catch up from the log",
            event.circle_id,
            event.seq,
        )
