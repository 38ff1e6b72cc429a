"""Plain-data shapes of the vote, shared by room events, snapshots, pages and the API.

One function per shape, so an event and a fresh snapshot describe a motion the same way. No
shape here carries a voter's choice: before close there is only the turnout (a count), after
close the result (counts per choice) and, for an open ballot, the published record.
"""

from __future__ import annotations

from typing import Any

from deliberation.payloads import person
from kernel.times import utc_iso, utc_iso_or_none
from voting.models import Ballot, Motion, Result


def _iso(value: Any) -> str | None:
    return utc_iso_or_none(value)


def result_data(result: Result) -> dict[str, Any]:
    counted = result.record["result"]
    return {
        "outcome": result.outcome,
        "quorum_met": result.quorum_met,
        "eligible": result.eligible_count,
        "participants": result.participant_count,
        "counts": result.counts,
        "share": counted.get("share"),
        "threshold_met": counted.get("threshold_met"),
        "vetoed": counted.get("vetoed"),
        "ranking": counted.get("ranking"),
        "winner": result.winner.label if result.winner_id and result.winner else None,
        "goal_status": result.goal_status,
        "closed_at": utc_iso(result.closed_at),
        "digest": result.digest,
    }


def motion_data(motion: Motion, *, turnout: int, eligible: int) -> dict[str, Any]:
    """A motion as everyone may see it: rule, subject, turnout and, once closed, the result.

    Precondition: alternatives are prefetched or cheap to fetch; ``result`` too when closed."""
    result = getattr(motion, "result", None) if motion.status == Motion.Status.CLOSED else None
    return {
        "id": motion.pk,
        "circle": motion.circle_id,
        "goal": {"id": motion.goal_id, "title": motion.goal.title},
        "version": {
            "id": motion.version_id,
            "number": motion.version.number,
            "text": motion.version.text,
        },
        "alternatives": [
            {"label": alt.label, "text": alt.text} for alt in motion.alternatives.all()
        ],
        "method": motion.method,
        "rule": motion.rule,
        "fingerprint": motion.fingerprint or None,
        "secret": motion.secret,
        "changeable": motion.changeable,
        "deadline": _iso(motion.deadline),
        "rejected_goal_status": motion.rejected_goal_status,
        "status": motion.status,
        "eligible": eligible,
        "turnout": turnout,
        "opened_by": person(motion.opened_by),
        "opened_at": utc_iso(motion.opened_at),
        "closed_at": _iso(motion.closed_at),
        "result": result_data(result) if result is not None else None,
    }


def electorate_data(motion: Motion) -> list[dict[str, Any]]:
    """After close: every eligible member and whether they took part (never what they chose),
    by name. Precondition: the motion is closed (``took_part`` is set at close)."""
    rows = motion.eligible.select_related("user").order_by("user_id")
    members = [{**(person(row.user) or {}), "took_part": row.took_part} for row in rows]
    return sorted(members, key=lambda m: str(m["name"]).casefold())


def turnout_data(motion: Motion, *, turnout: int, eligible: int) -> dict[str, Any]:
    """The live turnout: a count, never who."""
    return {"motion": motion.pk, "turnout": turnout, "eligible": eligible}


def ballot_data(ballot: Ballot) -> dict[str, Any]:
    """A voter's own ballot, for that voter only."""
    return {
        "motion": ballot.motion_id,
        "choice": ballot.choice or None,
        "resistances": ballot.resistances,
        "reason": ballot.reason,
    }
