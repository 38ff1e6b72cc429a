"""The live room page: a server-rendered shell that the room's ES modules bring to life.

The page shows the room as it is when loaded (goals in discussion paragraph by paragraph and
their comments), so it reads without JavaScript; the WebSocket (``docs/protocol.md``) then
replaces that view with the live one. The role is decided here and again by the consumer
with the same rule (``deliberation.rules.room_role``), so the page offers only what the
socket will accept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from deliberation import phases, selectors
from deliberation.models import Comment, Goal, Membership
from deliberation.rules import room_role
from deliberation.services import COMMENT_MAX_LENGTH
from kernel.permissions import can

POSTING_ROLES = frozenset(
    {Membership.Role.MODERATOR, Membership.Role.EXPERT, Membership.Role.DRAFTER}
)


@dataclass
class Thread:
    """A top-level comment with its replies (one level, as the protocol allows)."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class GoalInRoom:
    goal: Goal
    threads: list[Thread] = field(default_factory=list)

    @property
    def comment_count(self) -> int:
        return sum(1 + len(thread.replies) for thread in self.threads)


def _goals_with_threads(goals: list[Goal], comments: list[Comment]) -> list[GoalInRoom]:
    by_goal = {goal.pk: GoalInRoom(goal) for goal in goals}
    threads: dict[int, Thread] = {}
    for comment in comments:  # oldest first, so a parent precedes its replies
        entry = by_goal.get(comment.goal_id)
        if entry is None:
            continue
        if comment.parent_id is None:
            threads[comment.pk] = thread = Thread(comment)
            entry.threads.append(thread)
        elif comment.parent_id in threads:
            threads[comment.parent_id].replies.append(comment)
    return list(by_goal.values())


def room(request: HttpRequest, slug: str) -> HttpResponse:
    circle = selectors.circle_by_slug(slug)
    if circle is None:
        raise Http404(_("Diesen Raum gibt es nicht."))
    role = room_role(request.user, circle)
    if role is None:
        raise PermissionDenied(_("Dieser Raum ist nur für Mitglieder des Kreises zugänglich."))
    goals = list(selectors.room_goals(circle))
    comments = list(selectors.room_comments(circle))
    return render(
        request,
        "frontend/room.html",
        {
            "circle": circle,
            "field": circle.action_field,
            "role": role,
            "role_label": (
                Membership.Role(role).label if role in POSTING_ROLES else _("Zuschauende")
            ),
            "can_post": role in POSTING_ROLES,
            "is_moderator": role == Membership.Role.MODERATOR,
            "goals": _goals_with_threads(goals, comments),
            "comment_chars": COMMENT_MAX_LENGTH,
            # Which actions each phase allows: the room's scripts follow the server's table.
            "phase_features": phases.table(),
            "nav": "rooms",
        },
    )


def projector(request: HttpRequest, slug: str) -> HttpResponse:
    """The room for the wall: full screen, large type, following the moderator's focus over
    the room's socket as a reader (the welcome snapshot and the events; it sends nothing).
    Who may see it: the same rule as the room page (public circle, or its members)."""
    circle = selectors.circle_by_slug(slug)
    if circle is None:
        raise Http404(_("Diesen Raum gibt es nicht."))
    if room_role(request.user, circle) is None:
        raise PermissionDenied(_("Dieser Raum ist nur für Mitglieder des Kreises zugänglich."))
    return render(
        request,
        "frontend/projector.html",
        {
            "circle": circle,
            "field": circle.action_field,
            "projector": {"slug": circle.slug, "ws_path": f"/ws/rooms/{circle.slug}/"},
        },
    )


def video(request: HttpRequest, slug: str) -> JsonResponse:
    """The members' video conference link (``{"video_url": … or null}``): never in the room's
    snapshot, which viewers get too; the room page asks here when ``room.has_video``."""
    circle = selectors.circle_by_slug(slug)
    if circle is None:
        raise Http404(_("Diesen Raum gibt es nicht."))
    if not can(request.user, "deliberation.view_video", circle):
        raise PermissionDenied(_("Den Link zur Videokonferenz sehen nur Mitglieder des Kreises."))
    response = JsonResponse({"video_url": circle.video_url or None})
    response["Cache-Control"] = "private, no-store"
    return response
