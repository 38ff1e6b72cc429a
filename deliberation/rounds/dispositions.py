"""Dispositions: the one place a disposition is written (``_dispose``) and announced
(``_record_disposition``), shared by the round services and ``participation``; and the
concerns and vetoes a closing vote hands to the revision (``vote_reasons_record``).

The callers check access and hold the room lock; see ``deliberation.rounds.services``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from deliberation import payloads
from deliberation.eventlog import record_event
from deliberation.models import (
    Circle,
    Comment,
    Disposition,
    Goal,
    GoalVersion,
    Idea,
    Round,
    VoteReason,
)
from kernel.errors import Invalid
from kernel.types import Actor, user_of


def _record_disposition(disposition: Disposition, *, actor: Actor) -> None:
    feedback = (
        disposition.comment or disposition.idea or disposition.vote_reason or disposition.proposal
    )
    assert feedback is not None
    record_event(
        circle=feedback.circle_id,
        kind="disposition.set",
        payload={"disposition": payloads.disposition_data(disposition)},
        actor=actor,
    )


def _dispose(
    *,
    comment: Comment | None = None,
    idea: Idea | None = None,
    contribution: Any = None,
    answer: Any = None,
    vote_reason: VoteReason | None = None,
    proposal: Any = None,
    value: str,
    response: str,
    actor: Actor,
    round_: Round | None,
    now: datetime,
    addressed_in: GoalVersion | None = None,
) -> tuple[Disposition, bool]:
    """Create or change the disposition of one piece of feedback; ``(disposition, changed)``.
    ``contribution`` and ``answer`` are the public's (``participation``); ``vote_reason`` a
    concern or veto from a vote; ``proposal`` a change proposal (``deliberation.proposals``).

    Precondition: the caller holds the feedback's room lock and checked the permission."""
    target = {
        "comment": comment,
        "idea": idea,
        "contribution": contribution,
        "answer": answer,
        "vote_reason": vote_reason,
        "proposal": proposal,
    }
    disposition = Disposition.objects.filter(**target).first()
    if disposition is None:
        disposition = Disposition(**target)
    elif (disposition.value, disposition.response) == (value, response) and (
        addressed_in is None or disposition.addressed_in_id == addressed_in.pk
    ):
        return disposition, False
    disposition.value = value
    disposition.response = response
    disposition.decided_by = user_of(actor)
    disposition.decided_at = now
    disposition.round = round_
    if addressed_in is not None:
        disposition.addressed_in = addressed_in
    disposition.save()
    return disposition, True


# --- concerns and vetoes from a vote ---------------------------------------------------------

VOTE_REASON_KINDS = frozenset(VoteReason.Kind.values)


def vote_reasons_record(
    *,
    goal: Goal,
    circle: Circle,
    motion_id: int,
    reasons: Iterable[tuple[str, str, Any]],
    closed_at: datetime,
    secret: bool,
) -> list[VoteReason]:
    """Hand a closing vote's concerns and vetoes to the goal's revision: each becomes a
    piece of feedback of the goal in the room, taken over by the goal's next round there.

    ``reasons``: ``(kind, text, author)`` with kind ``concern`` or ``veto``; empty texts are
    left out. For a secret vote the author is dropped whatever is passed, and the rows are
    written in one statement in an order that depends on kind and text only, all with the
    close time: nothing stored ties a reason to its voter or to a cast time. No room event:
    the reasons reach a room's round only when its next round opens (``round.opened``).

    Precondition: the caller (``voting``) holds the motion's lock, in its closing
    transaction; the reasons were checked at cast time."""
    rows: list[tuple[str, str, Any]] = []
    for kind, text, author in reasons:
        if kind not in VOTE_REASON_KINDS:
            raise Invalid(_("Unbekannte Art der Begründung: %(k)s") % {"k": kind}, field="kind")
        text = str(text).strip()
        if text:
            rows.append((kind, text, None if secret else author))
    # By kind and text: for a secret vote the order must not follow the order of casting.
    rows.sort(key=lambda row: (row[0], row[1], row[2].pk if row[2] is not None else 0))
    return VoteReason.objects.bulk_create(
        VoteReason(
            goal=goal,
            circle=circle,
            motion_id=motion_id,
            kind=kind,
            text=text,
            author=author,
            created_at=closed_at,
        )
        for kind, text, author in rows
    )
