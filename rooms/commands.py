"""Room commands → services: one service call per command frame, nothing else.

``execute`` runs in the database thread (the consumer wraps it in ``database_sync_to_async``).
Each service is its own transaction (no outer one, so no savepoints); the acknowledgement's
event number is the last event the command committed, as the commit hook noted it
(``eventlog.committed_seq``), or, for a command that changed nothing, the room's number read
after it (a state that already contains what the command would have done).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from attendance import services as attendance_services
from deliberation import circles, eventlog, proposals, pulse, services
from deliberation.models import Circle
from deliberation.rounds import services as round_services
from kernel.errors import Invalid, NotFound
from rooms.access import access_current
from rooms.replay import room_seq
from voting import selectors as voting_selectors
from voting import services as voting_services


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
        anchor_prefix=anchor.get("prefix") or "",
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
    services.hand_raise(actor=actor, circle=circle, point_of_order=f.get("point_of_order") or False)
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


# --- the temperature check and the session's settings (docs/protocol.md) ------------------


def _pulse_ask(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    pulse_ = pulse.pulse_ask(
        actor=actor, circle=circle, question=f["question"], duration=f.get("duration")
    )
    return {"pulse": pulse_.pk}


def _pulse_answer(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    pulse.pulse_answer(actor=actor, circle=circle, pulse_id=f["pulse"], answer=f["answer"])
    return {"answer": f["answer"]}


def _pulse_close(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    return {"pulse": pulse.pulse_close(actor=actor, circle=circle).pk}


def _room_configure(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    """Only the fields sent change; the others keep their value."""
    circles.circle_update(
        actor=actor,
        circle=circle,
        **{name: f[name] for name in circles.SESSION_FIELDS if name in f},
    )
    return {}


# --- rounds (docs/rounds.md) -------------------------------------------------------------


def _round_open(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    round_ = round_services.round_open(
        actor=actor,
        circle=circle,
        agenda=f["agenda"],
        ratings_public=f.get("ratings_public", False),
    )
    return {"round": round_.number}


def _round_phase(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    round_services.round_set_phase(
        actor=actor, circle=circle, phase=f["phase"], expected_phase=f.get("expected_phase")
    )
    return {}


def _agenda_start(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    round_services.agenda_item_start(actor=actor, circle=circle, item_id=f["item"])
    return {}


def _rating_set(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    round_services.rating_set(
        actor=actor,
        circle=circle,
        goal_id=f["goal"],
        support=f["support"],
        needs_rework=f.get("needs_rework", False),
    )
    return {}


def _idea_propose(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    idea, created = round_services.idea_propose(
        actor=actor,
        circle=circle,
        title=f["title"],
        text=f["text"],
        rationale=f.get("rationale", ""),
        client_key=f.get("client_key", ""),
    )
    return {"idea": idea.pk, "created": created}


def _idea_accept(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    idea = round_services.idea_accept(
        actor=actor,
        circle=circle,
        idea_id=f["idea"],
        title=f.get("title"),
        text=f.get("text"),
        rationale=f.get("rationale"),
        response=f.get("response", ""),
    )
    return {"goal": idea.resulting_goal_id}


def _idea_decline(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    round_services.idea_decline(actor=actor, circle=circle, idea_id=f["idea"], reason=f["reason"])
    return {}


def _disposition_set(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    disposition = round_services.disposition_set(
        actor=actor,
        circle=circle,
        value=f["value"],
        response=f["response"],
        comment_id=f.get("comment"),
        idea_id=f.get("idea"),
        vote_reason_id=f.get("vote_reason"),
    )
    return {"disposition": disposition.pk}


def _version_publish(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    version = round_services.goal_version_publish(
        actor=actor,
        circle=circle,
        goal_id=f["goal"],
        text=f["text"],
        rationale=f.get("rationale"),
        change_note=f.get("change_note") or "",
        comment_ids=f.get("comment_ids") or (),
        idea_ids=f.get("idea_ids") or (),
        vote_reason_ids=f.get("vote_reason_ids") or (),
        proposal_ids=f.get("proposal_ids") or (),
    )
    return {"version": version.number}


# --- change proposals (docs/protocol.md, "Change proposals") ------------------------------


def _proposal_create(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    proposal, created = proposals.proposal_create(
        actor=actor,
        circle=circle,
        goal_id=f["goal"],
        paragraph=f["paragraph"],
        start=f["start"],
        end=f["end"],
        quote=f["quote"],
        replacement=f["replacement"],
        reason=f["reason"],
        client_key=f.get("client_key") or "",
    )
    return {"proposal": proposal.pk, "created": created}


def _proposal_withdraw(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    proposals.proposal_withdraw(actor=actor, circle=circle, proposal_id=f["proposal"])
    return {}


def _proposal_dispose(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    disposition = proposals.proposal_dispose(
        actor=actor,
        circle=circle,
        proposal_id=f["proposal"],
        value=f["value"],
        response=f["response"],
        modified_text=f.get("modified_text"),
    )
    return {"disposition": disposition.pk}


def _proposal_vote_open(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    vote = proposals.proposal_vote_open(actor=actor, circle=circle, proposal_id=f["proposal"])
    return {"vote": vote.pk}


def _proposal_vote_cast(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    proposals.proposal_vote_cast(
        actor=actor, circle=circle, proposal_id=f["proposal"], choice=f["choice"]
    )
    return {"choice": f["choice"]}


def _proposal_vote_close(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    return {"vote": proposals.proposal_vote_close(actor=actor, circle=circle).pk}


# --- the vote (docs/voting.md) -----------------------------------------------------------


def _deadline(value: str | None) -> Any:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise Invalid(_("Die Frist muss eine Zeit im ISO-8601-Format sein."), field="deadline")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _motion_open(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    options = {
        name: f[name]
        for name in (
            "quorum",
            "threshold",
            "threshold_mode",
            "veto_blocks",
            "secret",
            "changeable",
            "alternatives",
            "rejected_goal_status",
            "roll_call",
            "quorum_basis",
        )
        if f.get(name) is not None
    }
    motions = voting_services.motions_open(
        actor=actor,
        circle=circle,
        goal_ids=f["goals"],
        method=f["method"],
        deadline=_deadline(f.get("deadline")),
        **options,
    )
    return {"motions": [motion.pk for motion in motions]}


def _room_motion(circle: Circle, motion_id: int) -> int:
    """The motion if it is this room's: a socket acts on its own room only."""
    if not isinstance(motion_id, int) or isinstance(motion_id, bool):
        circle_id = None
    else:
        circle_id = voting_selectors.motion_circle_id(motion_id)
    if circle_id is None or circle_id != circle.pk:
        raise NotFound(_("Diese Abstimmung gibt es in diesem Raum nicht."), field="motion")
    return motion_id


def _ballot_cast(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    _ballot, created = voting_services.ballot_cast(
        actor=actor,
        motion_id=_room_motion(circle, f["motion"]),
        choice=f.get("choice", ""),
        reason=f.get("reason", ""),
        resistances=f.get("resistances"),
        on_behalf_of=f.get("for"),
    )
    return {"created": created}


def _motion_close(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    result = voting_services.motion_close(
        actor=actor,
        motion_id=_room_motion(circle, f["motion"]),
        rejected_goal_status=f.get("rejected_goal_status"),
    )
    return {"outcome": result.outcome}


# --- attendance and deputies (docs/voting.md) ---------------------------------------------


def _rollcall_open(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    return {"roll_call": attendance_services.roll_call_open(actor=actor, circle=circle).pk}


def _rollcall_mark(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    attendance_services.roll_call_mark(
        actor=actor, circle=circle, user_id=f["user"], present=f["present"]
    )
    return {}


def _rollcall_close(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    return {"roll_call": attendance_services.roll_call_close(actor=actor, circle=circle).pk}


def _deputy_register(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    attendance_services.deputy_register(
        actor=actor, circle=circle, member_id=f["member"], deputy_id=f["deputy"]
    )
    return {}


def _deputy_remove(actor: Any, circle: Circle, f: dict[str, Any]) -> dict[str, Any]:
    attendance_services.deputy_remove(actor=actor, circle=circle, member_id=f["member"])
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
    "pulse.ask": _pulse_ask,
    "pulse.answer": _pulse_answer,
    "pulse.close": _pulse_close,
    "room.configure": _room_configure,
    "round.open": _round_open,
    "round.phase": _round_phase,
    "agenda.start": _agenda_start,
    "rating.set": _rating_set,
    "idea.propose": _idea_propose,
    "idea.accept": _idea_accept,
    "idea.decline": _idea_decline,
    "disposition.set": _disposition_set,
    "version.publish": _version_publish,
    "proposal.create": _proposal_create,
    "proposal.withdraw": _proposal_withdraw,
    "proposal.dispose": _proposal_dispose,
    "proposal.vote_open": _proposal_vote_open,
    "proposal.vote_cast": _proposal_vote_cast,
    "proposal.vote_close": _proposal_vote_close,
    "motion.open": _motion_open,
    "ballot.cast": _ballot_cast,
    "motion.close": _motion_close,
    "rollcall.open": _rollcall_open,
    "rollcall.mark": _rollcall_mark,
    "rollcall.close": _rollcall_close,
    "deputy.register": _deputy_register,
    "deputy.remove": _deputy_remove,
}


# Commands a socket may send beyond what its room role allows, by the welcome's ``may``
# (``deliberation.rules.room_capabilities``): the working group's drafter is a viewer in the
# expert circle's room, yet evaluates and revises there, as in the API. The service asks the
# same rule again (and the phase); this only opens the socket's door for these frames.
CAPABILITY_COMMANDS: dict[str, frozenset[str]] = {
    "evaluate": frozenset({"disposition.set", "proposal.dispose"}),
    "revise": frozenset({"version.publish"}),
}


def capability_commands(may: dict[str, bool]) -> frozenset[str]:
    """The commands ``may`` opens (for a viewer's socket)."""
    allowed: set[str] = set()
    for name, types in CAPABILITY_COMMANDS.items():
        if may.get(name):
            allowed |= types
    return frozenset(allowed)


def execute(
    *,
    actor: Any,
    circle: Circle,
    command: str,
    fields: dict[str, Any],
    language: str,
    role: str | None = None,
) -> Outcome:
    """Run one command as ``actor``; domain errors propagate (and roll everything back).

    With ``role`` (the socket's role at connect), the actor is first re-read: a deactivated
    account or a changed role raises ``rooms.access.AccessChanged`` and nothing runs."""
    handler = HANDLERS[command]
    if role is not None:
        actor = access_current(user=actor, circle=circle, role=role)
    eventlog.watch_commits()
    try:
        with translation.override(language):
            extra = handler(actor, circle, fields)
    finally:
        seq = eventlog.committed_seq(circle.pk)
    return Outcome(seq=room_seq(circle.pk) if seq is None else seq, extra=extra)
