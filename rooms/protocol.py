"""The wire format of a room (``docs/protocol.md``): reading client frames and writing
server frames. Pure Python, no database: the consumer validates here before anything runs.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from deliberation.eventlog import PROTOCOL_VERSION
from kernel.checks import unusable_character
from kernel.times import utc_iso
from rooms import conf


class Close(IntEnum):
    """WebSocket close codes of the room, all in the application's range 4000–4999 (a server
    may send only 1000 and 3000–4999; autobahn, under Daphne, refuses anything else)."""

    TICKET_REFUSED = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404
    HEARTBEAT_TIMEOUT = 4408
    TOO_SLOW = 4409
    # The user's rights in the room changed (membership added, changed or removed, account
    # deactivated): reconnect without ``after`` for a fresh welcome as whoever you are now.
    ACCESS_CHANGED = 4410
    # More open room sockets from this client address than ROOM_MAX_CONNECTIONS_PER_ADDRESS.
    TOO_MANY_CONNECTIONS = 4429
    SERVER_ERROR = 4500


# What a viewer may send; everything else is refused with ``forbidden``.
VIEWER_TYPES = frozenset({"ping", "resume"})
# Frames without ``id``: the answer is not an ack.
UNACKED_TYPES = frozenset({"ping", "resume"})
ID_MAX_LENGTH = 64
# Objects and lists inside a frame nest at most this deep (the deepest field, a ballot's
# resistances, needs two levels).
MAX_DEPTH = 8


class FrameError(Exception):
    """A frame is refused; the client gets an ``error`` frame, nothing changes."""

    def __init__(
        self, code: str, message: str, *, frame_id: Any = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.frame_id = frame_id
        self.field = field


@dataclass(frozen=True)
class Frame:
    type: str
    id: str | int | None
    data: dict[str, Any] = field(repr=False)


# --- field checks ------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(value: Any) -> bool:
    return _is_int(value)


def _non_negative_int(value: Any) -> bool:
    return _is_int(value) and value >= 0


def _int_or_null(value: Any) -> bool:
    return value is None or _is_int(value)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _text_or_null(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _bool(value: Any) -> bool:
    return isinstance(value, bool)


def _list(value: Any) -> bool:
    return isinstance(value, list)


def _object_or_null(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def _anchor(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict) or not _is_int(value.get("paragraph")):
        return False
    return all(value.get(k) is None or isinstance(value[k], str) for k in ("quote", "prefix"))


Check = Callable[[Any], bool]


def _describe(check: Check) -> str:
    descriptions: dict[Check, str] = {
        _int: _("eine ganze Zahl"),
        _non_negative_int: _("eine ganze Zahl ≥ 0"),
        _int_or_null: _("eine ganze Zahl oder null"),
        _text: _("Text"),
        _text_or_null: _("Text oder null"),
        _bool: _("wahr oder falsch"),
        _list: _("eine Liste"),
        _object_or_null: _("ein Objekt oder null"),
        _anchor: _('ein Objekt {"paragraph": Zahl, "quote": Text}'),
    }
    return descriptions[check]


# type → {field: (check, required)}
SPECS: dict[str, dict[str, tuple[Check, bool]]] = {
    "ping": {},
    "resume": {"after": (_non_negative_int, True)},
    "comment.post": {
        "goal": (_int, True),
        "body": (_text, True),
        "client_key": (_text, True),
        "anchor": (_anchor, False),
        "reply_to": (_int_or_null, False),
    },
    "comment.edit": {"comment": (_int, True), "body": (_text, True)},
    "comment.hide": {"comment": (_int, True), "reason": (_text, True)},
    "comment.unhide": {"comment": (_int, True), "reason": (_text, True)},
    "hand.raise": {"point_of_order": (_bool, False)},
    "hand.lower": {"user": (_int_or_null, False)},
    "hand.next": {},
    "focus.set": {"goal": (_int_or_null, True)},
    # The temperature check and the session's settings (docs/protocol.md).
    "pulse.ask": {"question": (_text, True), "duration": (_int_or_null, False)},
    "pulse.answer": {"pulse": (_int, True), "answer": (_text, True)},
    "pulse.close": {},
    "room.configure": {
        "speaking_time": (_int_or_null, False),
        "speakers_order": (_text, False),
        "video_url": (_text, False),
        "livestream_url": (_text, False),
    },
    # Rounds (docs/rounds.md): the services check values and ranges themselves.
    "round.open": {"agenda": (_list, True), "ratings_public": (_bool, False)},
    "round.phase": {"phase": (_text, True), "expected_phase": (_text_or_null, False)},
    "agenda.start": {"item": (_int, True)},
    "rating.set": {
        "goal": (_int, True),
        "support": (_int, True),
        "needs_rework": (_bool, False),
    },
    "idea.propose": {
        "title": (_text, True),
        "text": (_text, True),
        "rationale": (_text, False),
        "client_key": (_text, False),
    },
    "idea.accept": {
        "idea": (_int, True),
        "title": (_text_or_null, False),
        "text": (_text_or_null, False),
        "rationale": (_text_or_null, False),
        "response": (_text, False),
    },
    "idea.decline": {"idea": (_int, True), "reason": (_text, True)},
    "disposition.set": {
        "comment": (_int_or_null, False),
        "idea": (_int_or_null, False),
        "vote_reason": (_int_or_null, False),
        "value": (_text, True),
        "response": (_text, True),
    },
    "version.publish": {
        "goal": (_int, True),
        "text": (_text, True),
        "rationale": (_text_or_null, False),
        "change_note": (_text_or_null, False),
        "comment_ids": (_list, False),
        "idea_ids": (_list, False),
        "vote_reason_ids": (_list, False),
        "proposal_ids": (_list, False),
    },
    # Change proposals and their quick vote (docs/protocol.md, "Change proposals").
    "proposal.create": {
        "goal": (_int, True),
        "paragraph": (_int, True),
        "start": (_int, True),
        "end": (_int, True),
        "quote": (_text, True),
        "replacement": (_text, True),
        "reason": (_text, True),
        "client_key": (_text, False),
    },
    "proposal.withdraw": {"proposal": (_int, True)},
    "proposal.dispose": {
        "proposal": (_int, True),
        "value": (_text, True),
        "response": (_text, True),
        "modified_text": (_text_or_null, False),
    },
    "proposal.vote_open": {"proposal": (_int, True)},
    "proposal.vote_cast": {"proposal": (_int, True), "choice": (_text, True)},
    "proposal.vote_close": {},
    # The consensus vote (docs/voting.md).
    "motion.open": {
        "goals": (_list, True),
        "method": (_text, True),
        "quorum": (_text_or_null, False),
        "threshold": (_text_or_null, False),
        "threshold_mode": (_text_or_null, False),
        "veto_blocks": (_bool, False),
        "secret": (_bool, False),
        "changeable": (_bool, False),
        "deadline": (_text_or_null, False),
        "alternatives": (_list, False),
        "rejected_goal_status": (_text_or_null, False),
        "roll_call": (_bool, False),
        "quorum_basis": (_text_or_null, False),
    },
    "ballot.cast": {
        "motion": (_int, True),
        "choice": (_text, False),
        "reason": (_text, False),
        "resistances": (_object_or_null, False),
        "for": (_int_or_null, False),
    },
    "motion.close": {"motion": (_int, True), "rejected_goal_status": (_text_or_null, False)},
    # Attendance and deputies (docs/voting.md, "Attendance and deputies").
    "rollcall.open": {},
    "rollcall.mark": {"user": (_int, True), "present": (_bool, True)},
    "rollcall.close": {},
    "deputy.register": {"member": (_int, True), "deputy": (_int, True)},
    "deputy.remove": {"member": (_int, True)},
}


def _frame_id(data: dict[str, Any]) -> str | int | None:
    value = data.get("id")
    if _is_int(value):
        return value
    if (
        isinstance(value, str)
        and 0 < len(value) <= ID_MAX_LENGTH
        and unusable_character(value) is None
    ):
        return value
    return None


def _printable(name: str) -> str:
    """A field name fit to quote in an error frame (it is sent back as UTF-8)."""
    return "".join("?" if unusable_character(ch) else ch for ch in name[:50])


def _unusable(value: Any) -> tuple[str, str | None] | None:
    """What makes a parsed JSON value unusable: ("depth", None) when it nests deeper than
    ``MAX_DEPTH``, ("character", c) for the first character that no database or person can
    use (NUL, other control characters, lone surrogates: ``kernel.checks``), else None.

    Iterative, so a deep value cannot exhaust the stack here."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            bad = unusable_character(item)
            if bad is not None:
                return ("character", bad)
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return ("depth", None)
            pairs = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in pairs:
                if key is not None:
                    stack.append((key, depth))
                stack.append((child, depth + 1))
    return None


def _check_values(data: dict[str, Any], frame_id: str | int | None) -> None:
    """Refuse a frame with unusable text or too deep nesting in any field, before any field
    reaches a service (PostgreSQL cannot store NUL; a lone surrogate cannot be encoded)."""
    for name, value in data.items():
        problem = _unusable(name) or _unusable(value)
        if problem is None:
            continue
        field_name = _printable(name)
        kind, bad = problem
        if kind == "depth":
            message = _("Das Feld „%(field)s“ ist zu tief verschachtelt.") % {"field": field_name}
        else:
            message = _(
                "Das Feld „%(field)s“ enthält ein Zeichen, das nicht gespeichert werden kann "
                "(U+%(code)04X)."
            ) % {"field": field_name, "code": ord(bad) if bad else 0}
        raise FrameError("invalid", message, frame_id=frame_id, field=field_name)


def parse(text: str | None, binary: bytes | None = None) -> Frame:
    """Read one client frame: size, JSON, an object, a known ``type``, a usable ``id``.

    Raises ``FrameError`` (code ``invalid``). Field checks follow in ``check_fields`` once
    the role may send the type at all."""
    if text is None:
        raise FrameError("invalid", _("Der Raum versteht nur Textnachrichten (JSON)."))
    # A character is at least one byte: only long frames need the exact count.
    too_long = len(text) > conf.MAX_FRAME_BYTES or (
        len(text) * 4 > conf.MAX_FRAME_BYTES and len(text.encode()) > conf.MAX_FRAME_BYTES
    )
    if too_long:
        raise FrameError(
            "invalid",
            _("Die Nachricht ist zu groß (höchstens %(n)s Bytes).") % {"n": conf.MAX_FRAME_BYTES},
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise FrameError("invalid", _("Die Nachricht ist kein gültiges JSON.")) from None
    if not isinstance(data, dict):
        raise FrameError("invalid", _("Die Nachricht muss ein JSON-Objekt sein."))
    frame_id = _frame_id(data)
    _check_values(data, frame_id)
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in SPECS:
        raise FrameError(
            "invalid",
            _("Unbekannter Nachrichtentyp: %(type)s") % {"type": _printable(str(kind))},
            frame_id=frame_id,
            field="type",
        )
    if kind not in UNACKED_TYPES and frame_id is None:
        raise FrameError(
            "invalid",
            _("Befehle brauchen eine id (Text mit 1–64 Zeichen oder eine Zahl)."),
            field="id",
        )
    return Frame(type=kind, id=frame_id, data=data)


def check_fields(frame: Frame) -> dict[str, Any]:
    """The frame's fields after checking each one's type; raises ``FrameError``."""
    fields: dict[str, Any] = {}
    for name, (check, required) in SPECS[frame.type].items():
        if name not in frame.data:
            if required:
                raise FrameError(
                    "invalid",
                    _("Das Feld „%(field)s“ fehlt.") % {"field": name},
                    frame_id=frame.id,
                    field=name,
                )
            continue
        value = frame.data[name]
        if not check(value):
            raise FrameError(
                "invalid",
                _("Das Feld „%(field)s“ muss %(what)s sein.")
                % {"field": name, "what": _describe(check)},
                frame_id=frame.id,
                field=name,
            )
        fields[name] = value
    return fields


# --- rate limit ----------------------------------------------------------------------------


class SlidingWindow:
    """At most ``burst`` accepted frames in any ``window`` seconds. Refused frames are not
    recorded, so the memory is bounded by ``burst``."""

    def __init__(self, burst: int, window: float) -> None:
        self.burst = burst
        self.window = window
        # Made on the first frame: a deque is 760 bytes, and most sockets' resume window is
        # never used (memory per connection, issue 17).
        self._times: deque[float] | None = None

    def allow(self, now: float) -> bool:
        times = self._times
        if times is None:
            times = self._times = deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.burst:
            return False
        times.append(now)
        return True


# --- server frames ------------------------------------------------------------------------


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def welcome(
    *,
    room: str,
    role: str,
    seq: int,
    me: dict[str, Any] | None,
    snapshot: str | None,
    parts: int = 0,
    may: dict[str, bool] | None = None,
) -> str:
    """The ``welcome`` frame; ``snapshot`` is already JSON text (encoded once per room) with
    the first of its comments, ``parts`` the number of ``snapshot.part`` frames that follow,
    ``may`` what the user may do beyond the role (``deliberation.rules.room_capabilities``)."""
    head = dumps(
        {
            "type": "welcome",
            "protocol": PROTOCOL_VERSION,
            "room": room,
            "role": role,
            "may": may or {},
            "seq": seq,
            "me": me,
            "parts": parts,
            # The server's clock when the frame left: clients count agenda deadlines down from
            # it (the snapshot itself may be cached, so its ``remaining`` can be older).
            "server_time": utc_iso(timezone.now()),
            "heartbeat": {
                "interval": conf.heartbeat_interval(),
                "timeout": int(conf.presence_timeout()),
            },
            "limits": {
                "burst": conf.rate_burst(),
                "window": int(conf.rate_window()),
                "frame_bytes": conf.MAX_FRAME_BYTES,
                "comment_chars": 5000,
            },
        }
    )
    return f'{head[:-1]},"snapshot":{snapshot if snapshot is not None else "null"}}}'


def error(frame_id: Any, code: str, message: str, field: str | None = None) -> str:
    return dumps(
        {"type": "error", "id": frame_id, "code": code, "message": message, "field": field}
    )


def ack(frame_id: Any, seq: int, extra: dict[str, Any]) -> str:
    return dumps({"type": "ack", "id": frame_id, "seq": seq, **extra})


def pong(frame_id: Any, seq: int) -> str:
    return dumps({"type": "pong", "id": frame_id, "seq": seq})


def resumed(seq: int) -> str:
    return dumps({"type": "resumed", "seq": seq})


RESYNC = dumps({"type": "resync"})


# --- language -------------------------------------------------------------------------------


def language_of(scope: dict[str, Any]) -> str:
    """The language for a socket's messages: the language cookie, else Accept-Language, else
    the site's default (as Django's LocaleMiddleware decides for pages)."""
    candidates: list[str] = []
    cookie = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    if cookie:
        candidates.append(cookie)
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            parsed = parse_accept_lang_header(value.decode("latin-1"))
            candidates.extend(lang for lang, _q in parsed if lang != "*")
    for candidate in candidates:
        try:
            return translation.get_supported_language_variant(candidate)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)
