"""A room's snapshot as ``welcome`` frames carry it, encoded once for many sockets."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction

from deliberation.eventlog import lock_room
from deliberation.selectors import room_snapshot
from rooms.presence import presence_state
from voting.selectors import room_motions


@dataclass(frozen=True)
class EncodedSnapshot:
    """The room as of event ``seq`` as JSON text: ``public`` (redacted) and ``moderator``."""

    seq: int
    public: str
    moderator: str

    def for_role(self, role: str) -> str:
        return self.moderator if role == "moderator" else self.public


def read_snapshot(circle_id: int) -> EncodedSnapshot:
    """Read the room's state and its event number consistently, on SQLite and PostgreSQL.

    Every writer takes the room's row lock before it records its event, and holds it to its
    commit; reading under the same lock therefore sees every event up to ``seq`` and none
    after it. (SQLite's IMMEDIATE transactions serialise writers anyway.)"""
    with transaction.atomic():
        circle = lock_room(circle_id)
        snapshot = room_snapshot(circle)
        # Motions carry turnout and, once closed, the result: never who chose what, for any
        # role (``docs/voting.md``), so both views share them.
        motions = room_motions(circle)
        presence = presence_state(circle_id)
    return EncodedSnapshot(
        seq=snapshot.seq,
        public=_dumps({**snapshot.public, "motions": motions, "presence": presence}),
        moderator=_dumps({**snapshot.moderator, "motions": motions, "presence": presence}),
    )


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
