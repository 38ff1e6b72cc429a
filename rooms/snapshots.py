"""A room's snapshot as ``welcome`` frames carry it, encoded once for many sockets.

A circle's comments stay in its room for the life of the circle, so a snapshot can outgrow
what one WebSocket message should carry (Daphne refuses to send more than 1 MiB; a phone on
a slow network should not wait for one huge frame either). The comments are therefore cut
into parts of at most ``PART_BYTES``: the ``welcome`` carries the first part and says how
many ``snapshot.part`` frames follow (``docs/protocol.md``)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from attendance.selectors import room_roll_call
from deliberation.eventlog import lock_room
from deliberation.proposals import room_proposals
from deliberation.rounds.selectors import room_round_snapshot
from deliberation.selectors import room_snapshot
from rooms.presence import presence_state
from voting.selectors import room_motions

# The most comment JSON one frame carries (the welcome's other parts come on top).
PART_BYTES = 256 * 1024


@dataclass(frozen=True)
class EncodedSnapshot:
    """The room as of event ``seq`` as JSON text: ``public`` (redacted) and ``moderator``,
    each with the first part of the comments, and the ``snapshot.part`` frames that carry the
    rest (empty for all but long-lived rooms)."""

    seq: int
    public: str
    moderator: str
    public_parts: tuple[str, ...] = ()
    moderator_parts: tuple[str, ...] = ()

    def for_role(self, role: str) -> str:
        return self.moderator if role == "moderator" else self.public

    def parts_for_role(self, role: str) -> tuple[str, ...]:
        return self.moderator_parts if role == "moderator" else self.public_parts


def read_snapshot(circle_id: int) -> EncodedSnapshot:
    """Read the room's state and its event number consistently, on SQLite and PostgreSQL.

    Every writer takes the room's row lock before it records its event, and holds it to its
    commit; reading under the same lock therefore sees every event up to ``seq`` and none
    after it. (SQLite's IMMEDIATE transactions serialise writers anyway.)"""
    with transaction.atomic():
        circle = lock_room(circle_id)
        snapshot = room_snapshot(circle)
        # The active round (``docs/rounds.md``); the same for every role: a round's ratings
        # are individual only when the round says so, for everybody.
        round_state = room_round_snapshot(circle)
        # Motions carry turnout and, once closed, the result: never who chose what, for any
        # role (``docs/voting.md``), so both views share them.
        motions = room_motions(circle)
        # The current roll call (open, else the last closed one), as everybody hears its
        # ``rollcall.*`` events (``docs/voting.md``, "Attendance and deputies").
        roll_call = room_roll_call(circle)
        # Change proposals with their diffs, conflicts and quick votes (docs/protocol.md).
        proposals = room_proposals(circle)
        presence = presence_state(circle_id)
    shared = {
        "round": round_state,
        "motions": motions,
        "roll_call": roll_call,
        "presence": presence,
        "proposals": proposals,
    }
    public, public_parts = _encode({**snapshot.public, **shared})
    moderator, moderator_parts = _encode({**snapshot.moderator, **shared})
    return EncodedSnapshot(
        seq=snapshot.seq,
        public=public,
        moderator=moderator,
        public_parts=public_parts,
        moderator_parts=moderator_parts,
    )


def _encode(state: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The snapshot with its first comments, and the ``snapshot.part`` frames for the rest."""
    comments = state["comments"]
    encoded = [_dumps(comment) for comment in comments]
    bounds: list[int] = []  # where each part starts
    size = PART_BYTES  # start a part at the first comment
    for index, text in enumerate(encoded):
        if size + len(text) > PART_BYTES and (not bounds or index > bounds[-1]):
            bounds.append(index)
            size = 0
        size += len(text) + 1
    bounds.append(len(encoded))
    if len(bounds) <= 2:
        return _dumps(state), ()
    head = _dumps({**state, "comments": comments[: bounds[1]]})
    parts = tuple(
        '{"type":"snapshot.part","index":%d,"comments":[%s]}'  # noqa: UP031
        % (number, ",".join(encoded[start:end]))
        for number, (start, end) in enumerate(itertools.pairwise(bounds[1:]), 1)
    )
    return head, parts


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
