"""Reading the event log back: gap filling, resume, the poll for lost broadcasts, pruning.

The log (``deliberation.models.RoomEvent``) is the truth; the channel layer only carries it.
Whatever a socket missed is read from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Min

from deliberation.eventlog import current_seq, encode_frames
from deliberation.models import Circle, RoomEvent


@dataclass(frozen=True)
class LoggedEvent:
    """One event as frames: ``public`` for everybody, ``moderator`` for moderators (the
    same string when nothing is redacted)."""

    seq: int
    public: str
    moderator: str
    kind: str = ""


def _encoded(events: Iterable[RoomEvent]) -> list[LoggedEvent]:
    result = []
    for event in events:
        public, moderator = encode_frames(event)
        result.append(
            LoggedEvent(seq=event.seq, public=public, moderator=moderator, kind=event.kind)
        )
    return result


def room_seq(circle_id: int) -> int:
    """The number of the room's last committed event (after every room command: one plain
    query, without the query compiler)."""
    return current_seq(circle_id)


def room_seqs(circle_ids: Iterable[int]) -> dict[int, int]:
    """The last event number of several rooms in one query (the hubs' poll)."""
    return dict(Circle.objects.filter(pk__in=list(circle_ids)).values_list("pk", "event_seq"))


def events_after(
    circle_id: int, after: int, *, limit: int, upto: int | None = None
) -> list[LoggedEvent]:
    """At most ``limit`` events with ``after < seq [<= upto]``, in order."""
    events = RoomEvent.objects.filter(circle_id=circle_id, seq__gt=after).order_by("seq")
    if upto is not None:
        events = events.filter(seq__lte=upto)
    return _encoded(events[:limit])


def can_resume(circle_id: int, after: int, *, max_events: int | None = None) -> bool:
    """Whether every event after ``after`` is still in the log (else the client resyncs).

    ``after`` beyond the room's last event means the client's state is not from this
    database (it was reset): that is a resync too. So is a replay of more than
    ``max_events`` events: a fresh snapshot is cheaper for everybody than the log."""
    current = room_seq(circle_id)
    if after > current:
        return False
    if after == current:
        return True
    if max_events is not None and current - after > max_events:
        return False
    oldest = RoomEvent.objects.filter(circle_id=circle_id).aggregate(oldest=Min("seq"))["oldest"]
    return oldest is not None and oldest <= after + 1


def room_events_prune(*, keep: int, circle: Circle | None = None, dry_run: bool = False) -> int:
    """Delete all but the last ``keep`` events of each room (or of ``circle``); returns how
    many rows were (or, with ``dry_run``, would be) deleted.

    Safe while rooms are live: a client whose resume point was pruned gets a ``resync``."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    rooms = Circle.objects.order_by("pk")
    if circle is not None:
        rooms = rooms.filter(pk=circle.pk)
    deleted = 0
    for circle_id, last in rooms.values_list("pk", "event_seq"):
        old = RoomEvent.objects.filter(circle_id=circle_id, seq__lte=last - keep)
        if dry_run:
            deleted += old.count()
            continue
        with transaction.atomic():
            count, _by_model = old.delete()
        deleted += count
    return deleted
