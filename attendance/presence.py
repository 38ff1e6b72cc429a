"""Who the room shows right now, by registration: what pre-fills a roll call.

The room's presence belongs to the transport (``rooms.presence``), which sits above
attendance and imports it; attendance must not import it back. So the rooms register a
reader when they start (``RoomsConfig.ready``), and every door that opens a roll call (the
room command, the API, the page) gets the same pre-fill through ``roll_call_open``, which
asks this module. Without a registered reader nobody is pre-filled: the moderator marks
everybody by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Reader = Callable[[int], Iterable[int]]  # circle id → the user ids the room shows

_reader: Reader | None = None


def register_presence_reader(reader: Reader) -> None:
    """Register (or replace) the reader: idempotent, so a second ``ready()`` is harmless."""
    global _reader
    _reader = reader


def members_in_room(circle_id: int) -> set[int]:
    """The user ids the room's presence shows now (members and others alike; the caller
    keeps the circle's members)."""
    return {int(user_id) for user_id in _reader(circle_id)} if _reader is not None else set()
