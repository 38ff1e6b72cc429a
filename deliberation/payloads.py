"""Plain-data shapes of domain objects, shared by room events, snapshots and the API.

One function per shape so an event and a fresh snapshot always describe a thing the same way
(a stale snapshot plus the events equals a fresh snapshot).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext

from deliberation.models import (
    AgendaItem,
    Circle,
    Comment,
    Disposition,
    Goal,
    GoalVersion,
    HandRaise,
    Idea,
    Pulse,
    Rating,
    Round,
    VoteReason,
)
from kernel.times import utc_iso, utc_iso_or_none

# The user name of an account its owner deleted (``accounts.services.account_delete``): no
# sign-up or admin form can produce it (":" is neither in an e-mail address's unquoted local
# part nor allowed by Django's user-name validator).
FORMER_MEMBER_PREFIX = "deleted:"


def person(user: Any) -> dict[str, Any] | None:
    """Who, as everyone may see it: the name, or "ehemaliges Mitglied" for a deleted account
    (the row stays so that the public record keeps its comments; the id only lets the rooms
    close the person's sockets)."""
    if user is None:
        return None
    if str(user.get_username()).startswith(FORMER_MEMBER_PREFIX):
        return {"id": user.pk, "name": gettext("ehemaliges Mitglied")}
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def membership_data(membership: Any, **extra: Any) -> dict[str, Any]:
    """The ``member.*`` events' data: who, in which role (``extra``: e.g. ``previous_role``)."""
    return {"person": person(membership.user), "role": membership.role, **extra}


def version_data(version: GoalVersion) -> dict[str, Any]:
    from deliberation import lines
    from deliberation.plain import plain_data
    from kernel.rendering import render_markdown, split_paragraphs

    return {
        "id": version.pk,
        "number": version.number,
        "text": version.text,
        "paragraphs": [render_markdown(p) for p in split_paragraphs(version.text)],
        # Per paragraph [[line number, text], ...] (``deliberation.lines``): "Zeile 12".
        "lines": lines.as_payload(version.text),
        # The plain-language twin, or null (``deliberation.plain``); never the binding text.
        "plain": plain_data(version),
        "rationale": version.rationale,
        "change_note": version.change_note,
        "author": person(version.author) if version.author_id else None,
        "created_at": utc_iso(version.created_at),
    }


def goal_data(goal: Goal, *, with_version: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": goal.pk,
        "title": goal.title,
        "order": goal.order,
        "status": goal.status,
        "action_field": goal.action_field_id,
    }
    if with_version:
        data["version"] = version_data(goal.current_version) if goal.current_version else None
    return data


def latest_placement(item: Any) -> dict[str, Any] | None:
    """The newest ``AnchorPlacement`` of a comment or proposal (prefetch ``placements__version``
    for lists), as the ``placement`` of its payload."""
    if not getattr(item, "anchor_paragraph", True):
        return None
    placed = max(item.placements.all(), key=lambda p: p.version.number, default=None)
    if placed is None:
        return None
    return {
        "version": {"id": placed.version_id, "number": placed.version.number},
        "state": placed.state,
        "paragraph": placed.paragraph,
        "start": placed.start,
        "end": placed.end,
    }


def comment_data(comment: Comment, *, moderator: bool) -> dict[str, Any]:
    """A comment as a role sees it: a hidden comment's body reaches moderators only."""
    hidden = comment.state == Comment.State.HIDDEN
    show_body = moderator or not hidden
    return {
        "id": comment.pk,
        "goal": comment.goal_id,
        "version": comment.version_id,
        "author": person(comment.author),
        "reply_to": comment.parent_id,
        "version_number": comment.version.number,
        "anchor": (
            {
                "paragraph": comment.anchor_paragraph,
                "quote": comment.anchor_quote or None,
                "prefix": comment.anchor_prefix,
                "suffix": comment.anchor_suffix,
            }
            if comment.anchor_paragraph
            else None
        ),
        # Where the anchor stands in the latest later version (``deliberation.anchors``).
        "placement": latest_placement(comment),
        "state": comment.state,
        "body": comment.body if show_body else None,
        "body_html": comment.body_html if show_body else None,
        "moderation_reason": comment.moderation_reason or None,
        "created_at": utc_iso(comment.created_at),
        "edited_at": utc_iso_or_none(comment.edited_at),
    }


# --- rounds --------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return utc_iso_or_none(value)


def agenda_item_data(item: AgendaItem, *, now: datetime) -> dict[str, Any]:
    """An agenda item with its server-kept countdown: ``deadline`` is the truth, ``remaining``
    the seconds left at ``now`` (clients count down from it against their own clock)."""
    remaining = None
    if item.deadline is not None:
        remaining = max(0, math.ceil((item.deadline - now).total_seconds()))
    return {
        "id": item.pk,
        "order": item.order,
        "goal": item.goal_id,
        "goal_title": item.goal.title,
        "version": {"id": item.version_id, "number": item.version.number},
        "time_box": item.time_box,
        "started_at": _iso(item.started_at),
        "deadline": _iso(item.deadline),
        "remaining": remaining,
    }


def round_data(round_: Round, *, agenda: list[AgendaItem], now: datetime) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "number": round_.number,
        "circle": round_.circle_id,
        "phase": round_.phase,
        "ratings_public": round_.ratings_public,
        "current_item": round_.current_item_id,
        "opened_by": person(round_.opened_by) if round_.opened_by_id else None,
        "opened_at": _iso(round_.opened_at),
        "phase_changed_at": _iso(round_.phase_changed_at),
        "agenda": [agenda_item_data(item, now=now) for item in agenda],
    }


def rating_data(rating: Rating) -> dict[str, Any]:
    return {
        "goal": rating.goal_id,
        "person": person(rating.expert),
        "support": rating.support,
        "needs_rework": rating.needs_rework,
        "updated_at": _iso(rating.updated_at),
    }


def rating_aggregate_data(round_: Round, goal_id: int, ratings: list[Rating]) -> dict[str, Any]:
    """The "Stimmungsbild" of one goal: what everybody sees. Individual ratings only when
    the round makes them public."""
    distribution = {str(n): 0 for n in range(1, 6)}
    for rating in ratings:
        distribution[str(rating.support)] += 1
    count = len(ratings)
    return {
        "round": round_.pk,
        "goal": goal_id,
        "count": count,
        "mean": round(sum(r.support for r in ratings) / count, 2) if count else None,
        "distribution": distribution,
        "needs_rework": sum(1 for r in ratings if r.needs_rework),
        "ratings": [rating_data(r) for r in ratings] if round_.ratings_public else None,
    }


def idea_data(idea: Idea) -> dict[str, Any]:
    from kernel.rendering import render_markdown

    return {
        "id": idea.pk,
        "round": idea.round_id,
        "author": person(idea.author),
        "title": idea.title,
        "text": idea.text,
        "text_html": render_markdown(idea.text),
        "rationale": idea.rationale,
        "state": idea.state,
        "decline_reason": idea.decline_reason or None,
        "resulting_goal": idea.resulting_goal_id,
        "decided_by": person(idea.decided_by) if idea.decided_by_id else None,
        "decided_at": _iso(idea.decided_at),
        "created_at": _iso(idea.created_at),
    }


def vote_reason_data(reason: VoteReason) -> dict[str, Any]:
    """A concern or veto from a vote, as a round's feedback: ``author`` is null for a
    secret vote; ``created_at`` is the close of the vote."""
    return {
        "id": reason.pk,
        "goal": reason.goal_id,
        "motion": reason.motion_id,
        "kind": reason.kind,
        "label": reason.label,
        "text": reason.text,
        "author": person(reason.author) if reason.author_id else None,
        "created_at": _iso(reason.created_at),
    }


def feedback_ref(
    *,
    comment: Comment | None = None,
    idea: Idea | None = None,
    contribution: Any = None,
    answer: Any = None,
    vote_reason: VoteReason | None = None,
    proposal: Any = None,
) -> dict[str, Any]:
    """Which piece of feedback: ``{"type": "comment"|"idea"|"contribution"|"answer"|
    "vote_reason", "id": …, "goal": …}``. Contributions and answers are the public's
    (``participation``); their goal is the one they were linked to, if any. A vote reason
    is a concern or veto given in a goal's vote."""
    if comment is not None:
        return {"type": "comment", "id": comment.pk, "goal": comment.goal_id}
    if proposal is not None:  # a change proposal (deliberation.proposals)
        return {"type": "proposal", "id": proposal.pk, "goal": proposal.goal_id}
    if vote_reason is not None:
        return {"type": "vote_reason", "id": vote_reason.pk, "goal": vote_reason.goal_id}
    if contribution is not None:
        return {"type": "contribution", "id": contribution.pk, "goal": contribution.goal_id}
    if answer is not None:
        return {"type": "answer", "id": answer.pk, "goal": answer.goal_id}
    assert idea is not None
    return {"type": "idea", "id": idea.pk, "goal": None}


def disposition_data(disposition: Disposition) -> dict[str, Any]:
    version = disposition.addressed_in
    return {
        "id": disposition.pk,
        "feedback": feedback_ref(
            comment=disposition.comment,
            idea=disposition.idea,
            contribution=disposition.contribution,
            answer=disposition.answer,
            vote_reason=disposition.vote_reason,
            proposal=disposition.proposal,
        ),
        "round": disposition.round_id,
        "value": disposition.value,
        "response": disposition.response,
        "decided_by": person(disposition.decided_by),
        "decided_at": _iso(disposition.decided_at),
        "addressed_in": (
            {"id": version.pk, "goal": version.goal_id, "number": version.number}
            if version is not None
            else None
        ),
    }


# --- live rooms: the speakers' queue ---------------------------------------------------------


def hand_data(hand: HandRaise) -> dict[str, Any]:
    """A raised hand; a turn (speaking, or ended after speaking) has ``started_at`` and its
    ``limit`` (seconds, ``None`` unlimited) and ``deadline``: clients count down to it."""
    deadline = None
    if hand.started_at is not None and hand.time_limit is not None:
        deadline = hand.started_at + timedelta(seconds=hand.time_limit)
    return {
        "id": hand.pk,
        "user": person(hand.user),
        "state": hand.state,
        "raised_at": utc_iso(hand.raised_at),
        "point_of_order": hand.point_of_order,
        "first_time": hand.first_time,
        "started_at": _iso(hand.started_at),
        "ended_at": _iso(hand.ended_at),
        "limit": hand.time_limit,
        "deadline": _iso(deadline),
    }


def hand_queue(hands: Iterable[HandRaise]) -> list[dict[str, Any]]:
    """The open hands in queue order: whoever has the floor first, then the waiting ones in
    the order they were raised. Closed hands (lowered, done) are left out."""
    speaking, waiting = HandRaise.State.SPEAKING, HandRaise.State.WAITING
    queue = sorted(
        (hand for hand in hands if hand.state in (speaking, waiting)),
        key=lambda hand: (hand.state != speaking, hand.raised_at, hand.pk),
    )
    return [hand_data(hand) for hand in queue]


def room_settings(circle: Circle) -> dict[str, Any]:
    """A room's settings as the snapshot's ``room`` and ``room.updated`` carry them."""
    field = circle.action_field
    return {
        "slug": circle.slug,
        "title": circle.title,
        "kind": circle.kind,
        "is_public": circle.is_public,
        "action_field": {"id": field.pk, "slug": field.slug, "title": field.title},
        # The speakers' list's rules.
        "speaking_time": circle.speaking_time,
        "speakers_order": circle.speakers_order,
        # The members' video conference itself is never in here (every role, viewers too,
        # gets this): only whether there is one. Members fetch the link from the room's
        # ``video/`` page. The livestream is for the public.
        "has_video": bool(circle.video_url),
        "livestream_url": circle.livestream_url or None,
    }


def pulse_data(
    pulse: Pulse | None, *, counts: dict[str, int] | None = None
) -> dict[str, Any] | None:
    """A temperature check with its counts (never who answered what). ``counts`` while it
    runs (counted from the answers); a closed one has its final counts stored."""
    if pulse is None:
        return None
    if counts is None:
        counts = {"agree": pulse.agree, "unsure": pulse.unsure, "disagree": pulse.disagree}
    return {
        "id": pulse.pk,
        "question": pulse.question,
        "asked_by": person(pulse.asked_by) if pulse.asked_by_id else None,
        "asked_at": utc_iso(pulse.asked_at),
        "ends_at": utc_iso(pulse.ends_at),
        "closed_at": _iso(pulse.closed_at),
        "counts": counts,
        "total": sum(counts.values()),
    }
