"""Plain-data shapes of domain objects, shared by room events, snapshots and the API.

One function per shape so an event and a fresh snapshot always describe a thing the same way
(a stale snapshot plus the events equals a fresh snapshot).
"""

from __future__ import annotations

from typing import Any

from deliberation.models import Comment, Goal, GoalVersion


def person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def version_data(version: GoalVersion) -> dict[str, Any]:
    from deliberation.rendering import render_markdown, split_paragraphs

    return {
        "id": version.pk,
        "number": version.number,
        "text": version.text,
        "paragraphs": [render_markdown(p) for p in split_paragraphs(version.text)],
        "rationale": version.rationale,
        "change_note": version.change_note,
        "author": person(version.author) if version.author_id else None,
        "created_at": version.created_at.isoformat(),
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
        "anchor": (
            {"paragraph": comment.anchor_paragraph, "quote": comment.anchor_quote or None}
            if comment.anchor_paragraph
            else None
        ),
        "state": comment.state,
        "body": comment.body if show_body else None,
        "body_html": comment.body_html if show_body else None,
        "moderation_reason": comment.moderation_reason or None,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
    }
