"""Room commands → services: one service call per command frame, nothing else.

``execute`` runs in the database thread (the consumer wraps it in ``database_sync_to_async``).
It wraps the service in an outer transaction only to read the room's event number before
commit: the service holds the room lock by then, so that number is the event the command
recorded (or, for a command that changed nothing, the state that already contains it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import translation

from deliberation import services
from deliberation.models import Circle
from rooms.replay import room_seq


@dataclass(frozen=True)
class Outcome:
    seq: int
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Any, Circle, dict[str, Any]], dict[str, Any]]


def _comment_post(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    anchor = f.get("anchor") or {}
    comment, created = services.comment_post(
        actor=actor,
        circle=circle,
        goal_id=f["goal"],
        body=f["body"],
        client_key=f["client_key"],
        reply_to=f.get("reply_to"),
        anchor_paragraph=anchor.get("paragraph"),
        anchor_quote=anchor.get("quote") or "",
    )
    return {"comment": comment.pk, "created": created}


def _comment_edit(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    services.comment_edit(actor=actor, circle=circle, comment_id=f["comment"], body=f["body"])
    return {}


def _comment_visibility(hidden: bool) -> Handler:
    def handler(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
        services.comment_set_visibility(
            actor=actor, circle=circle, comment_id=f["comment"], hidden=hidden, reason=f["reason"]
        )
        return {}

    return handler


def _hand_raise(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    services.hand_raise(actor=actor, circle=circle)
    return {}


def _hand_lower(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    services.hand_lower(actor=actor, circle=circle, user_id=f.get("user"))
    return {}


def _hand_next(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    services.hand_next(actor=actor, circle=circle)
    return {}


def _focus_set(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    services.focus_set(actor=actor, circle=circle, goal_id=f["goal"])
    return {}


HANDLERS: dict[str, Handler] = {
    "comment.post": _comment_post,
    "comment.edit": _comment_edit,
    "comment.hide": _comment_visibility(hidden=True),
    "comment.unhide": _comment_visibility(hidden=False),
    "hand.raise": _hand_raise,
    "hand.lower": _hand_lower,
    "hand.next": _hand_next,
    "focus.set": _focus_set,
}


def execute(
    *, actor: Any, circle: Circle, command: str, fields: dict[str, Any], language: str
) -> Outcome:
    """Run one command as ``actor``; domain errors propagate (and roll everything back)."""
    handler = HANDLERS[command]
    with translation.override(language), transaction.atomic():
        extra = handler(actor, circle, fields)
        seq = room_seq(circle.pk)
    return Outcome(seq=seq, extra=extra)
