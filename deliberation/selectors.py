"""Every read of the deliberation domain that a door needs, with its queries bounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from deliberation import payloads
from deliberation.models import (
    ActionField,
    Circle,
    Comment,
    Concept,
    Disposition,
    Goal,
    GoalVersion,
    Membership,
)
from deliberation.pulse import pulse_state
from deliberation.rules import room_roles, visible_circles_filter
from deliberation.speakers import speakers_queue


def current_concept() -> Concept | None:
    """The concept the home page shows: the newest one that is not a draft, else the newest."""
    return (
        Concept.objects.exclude(status=Concept.Status.DRAFT)
        .order_by("-period_start", "-pk")
        .first()
        or Concept.objects.order_by("-period_start", "-pk").first()
    )


def concept_fields_with_goals(concept: Concept) -> list[ActionField]:
    """The concept's action fields in order, each with ``goals`` (title and status) and
    ``circles``: what the concept page lists, and no more columns than it shows.

    Three queries whatever the number of fields and goals."""
    goals = Goal.objects.only("action_field_id", "title", "status", "order").order_by("order", "pk")
    circles = Circle.objects.only("action_field_id", "kind", "title", "slug", "is_public")
    return list(
        concept.action_fields.only("concept_id", "title", "slug", "order")
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("goals", queryset=goals),
            Prefetch("circles", queryset=circles.order_by("kind")),
        )
    )


def action_field_by_slug(slug: str) -> ActionField | None:
    return ActionField.objects.select_related("concept").filter(slug=slug).first()


def action_field_goals(action_field: ActionField) -> QuerySet[Goal]:
    return (
        action_field.goals.select_related("current_version")
        .annotate(comment_count=Count("comments", filter=Q(comments__state=Comment.State.VISIBLE)))
        .order_by("order", "pk")
    )


def goal_detail(goal_id: int) -> Goal | None:
    return (
        Goal.objects.select_related("action_field__concept", "current_version__author")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=GoalVersion.objects.select_related("author").order_by("-number"),
            ),
            "status_changes__actor",
        )
        .filter(pk=goal_id)
        .first()
    )


def circle_by_slug(slug: str) -> Circle | None:
    return Circle.objects.select_related("action_field__concept").filter(slug=slug).first()


def visible_circles(user: Any) -> list[Circle]:
    """Circles whose room ``user`` may enter (public ones, their own private ones and, for a
    drafter, the private ones of their action field)."""
    circles = list(
        Circle.objects.select_related("action_field").order_by("action_field__order", "kind")
    )
    roles = room_roles(user, circles)
    return [c for c in circles if roles[c.pk] is not None]


def room_goals(circle: Circle) -> QuerySet[Goal]:
    """The goals a room discusses: its action field's goals in status in_discussion."""
    return (
        Goal.objects.filter(
            action_field_id=circle.action_field_id, status=Goal.Status.IN_DISCUSSION
        )
        .select_related("current_version__author")
        .order_by("order", "pk")
    )


# The statuses in which a goal may go on a round's agenda (``round_open`` moves it into
# discussion): the room's ``field_goals``, which the round-opening form and the working
# group's revision form list.
AGENDA_GOAL_STATUSES = (Goal.Status.DRAFT, Goal.Status.REVISED, Goal.Status.IN_DISCUSSION)


def field_agenda_goals(circle: Circle) -> QuerySet[Goal]:
    """The goals of the room's action field that a new round may take up: in draft, revised
    or in discussion (``docs/protocol.md``, snapshot ``field_goals``)."""
    return (
        Goal.objects.filter(action_field_id=circle.action_field_id, status__in=AGENDA_GOAL_STATUSES)
        .select_related("current_version__author")
        .order_by("order", "pk")
    )


def room_comment_dispositions(circle: Circle) -> list[Disposition]:
    """The decisions on the room's comments, whichever round gave them (oldest first): a
    comment card shows its decision after the round has closed too."""
    return list(
        Disposition.objects.filter(comment__circle=circle)
        .select_related("comment", "decided_by", "addressed_in")
        .order_by("pk")
    )


def room_comments(circle: Circle) -> QuerySet[Comment]:
    """Every comment said in the room on its open goals, oldest first (hidden ones included:
    callers redact by role)."""
    return (
        Comment.objects.filter(circle=circle, goal__in=room_goals(circle).values("pk"))
        .select_related("author")
        .order_by("created_at", "pk")
    )


# The REST API's reads. Lists return querysets so the door can paginate them; each stays at a
# fixed number of queries however many rows it holds.


def concepts() -> QuerySet[Concept]:
    """Every concept, newest period first, with its action fields (two queries)."""
    return Concept.objects.order_by("-period_start", "title", "pk").prefetch_related(
        Prefetch("action_fields", queryset=ActionField.objects.order_by("order", "pk"))
    )


def concept_by_slug(slug: str) -> Concept | None:
    return concepts().filter(slug=slug).first()


def action_fields(*, concept_slug: str | None = None) -> QuerySet[ActionField]:
    """Action fields in order, each with ``goals`` and their current version (two queries)."""
    fields = (
        ActionField.objects.select_related("concept")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.select_related("current_version").order_by("order", "pk"),
            )
        )
        .order_by("concept__period_start", "concept_id", "order", "pk")
    )
    if concept_slug is not None:
        fields = fields.filter(concept__slug=concept_slug)
    return fields


def action_field_with_goals(slug: str) -> ActionField | None:
    return action_fields().filter(slug=slug).first()


def goals(*, action_field_slug: str | None = None, status: str | None = None) -> QuerySet[Goal]:
    """Goals in the concept's order, each with its action field and current version."""
    result = Goal.objects.select_related("action_field", "current_version__author").order_by(
        "action_field__order", "action_field_id", "order", "pk"
    )
    if action_field_slug is not None:
        result = result.filter(action_field__slug=action_field_slug)
    if status is not None:
        result = result.filter(status=status)
    return result


def goal_by_id(goal_id: int) -> Goal | None:
    return goals().filter(pk=goal_id).first()


def goal_versions(goal: Goal) -> QuerySet[GoalVersion]:
    """A goal's versions, oldest first, with their authors (one query)."""
    return GoalVersion.objects.filter(goal=goal).select_related("author").order_by("number")


def goal_version(*, goal_id: int, number: int) -> GoalVersion | None:
    # goal__pk, not goal_id: Django answers "no match" for an id beyond the column's range
    # only on the primary key lookup; goal_id would hand the database an overflowing integer.
    return (
        GoalVersion.objects.select_related("author").filter(goal__pk=goal_id, number=number).first()
    )


def circles_visible_to(user: Any, *, action_field_slug: str | None = None) -> QuerySet[Circle]:
    """The circles ``user`` may see, in one query: the same answer as the
    ``deliberation.view_room`` rule (public, or a member, or the field's drafter, or staff)
    for each row."""
    circles = Circle.objects.select_related("action_field").order_by(
        "action_field__order", "action_field_id", "kind", "pk"
    )
    visible = visible_circles_filter(user)
    if visible is not None:
        circles = circles.filter(visible)
    if action_field_slug is not None:
        circles = circles.filter(action_field__slug=action_field_slug)
    return circles


def action_field_circles(user: Any, action_field: ActionField) -> list[Circle]:
    """The circles of one action field whose room ``user`` may enter, expert circle first."""
    circles = list(Circle.objects.filter(action_field=action_field).order_by("kind", "pk"))
    roles = room_roles(user, circles)
    return [c for c in circles if roles[c.pk] is not None]


# --- live rooms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomSnapshot:
    """A room's state as of event ``seq``, once as moderators see it and once redacted."""

    seq: int
    public: dict[str, Any]
    moderator: dict[str, Any]


def room_snapshot(circle: Circle) -> RoomSnapshot:
    """The state a room's ``welcome`` frame carries: its goals in discussion with their current
    version, every comment said in it (hidden ones redacted in ``public``), the open hands,
    the focus, the field's goals a round may take up and the decisions on the comments.
    ``rooms.snapshots.read_snapshot`` assembles the welcome from this, the round,
    the motions and the presence.

    Precondition: the caller holds the room lock (``lock_room``) inside a transaction and
    passes the circle it returned, so ``seq`` and the state agree: every event up to ``seq`` is
    in it and no later one. A fixed number of queries, whatever the size of the room."""
    circle.action_field = ActionField.objects.only("pk", "slug", "title").get(
        pk=circle.action_field_id
    )
    from deliberation.plain import plain_prefetch

    goals = [payloads.goal_data(goal) for goal in plain_prefetch(list(room_goals(circle)))]
    comments = list(
        Comment.objects.filter(circle=circle)
        .select_related("author", "version")
        .prefetch_related("placements__version")
        .order_by("pk")
    )
    common: dict[str, Any] = {
        "room": payloads.room_settings(circle),
        "goals": goals,
        # The open hands in the order they get the floor (``deliberation.speakers``).
        "hands": speakers_queue(circle).payload(),
        "focus": circle.focus_goal_id,
        "pulse": pulse_state(circle),
        # What the round-opening and revision forms offer, whatever is in discussion now.
        "field_goals": [
            payloads.goal_data(goal) for goal in plain_prefetch(list(field_agenda_goals(circle)))
        ],
        "comment_dispositions": [
            payloads.disposition_data(d) for d in room_comment_dispositions(circle)
        ],
    }
    return RoomSnapshot(
        seq=circle.event_seq,
        public={
            **common,
            "comments": [payloads.comment_data(c, moderator=False) for c in comments],
        },
        moderator={
            **common,
            "comments": [payloads.comment_data(c, moderator=True) for c in comments],
        },
    )


def personal_data(user: Any) -> dict[str, Any]:
    """What the deliberation stores about ``user``, for the person's own export
    (``accounts.export``): memberships, comments, ratings, ideas, hands and turns, pulse
    answers, goal versions and vote reasons written, change proposals and quick-vote hands,
    decisions taken. Plain dicts, a fixed
    number of queries. (Room events are not listed one by one: they repeat these.)"""
    from deliberation.models import (
        ChangeProposal,
        HandRaise,
        Idea,
        ProposalBallot,
        PulseAnswer,
        Rating,
        RoomEvent,
        VoteReason,
    )

    def rows(queryset: QuerySet[Any], *fields: str) -> list[dict[str, Any]]:
        return list(queryset.order_by("pk").values(*fields))

    return {
        "memberships": rows(
            Membership.objects.filter(user=user),
            "id",
            "circle__slug",
            "circle__title",
            "role",
            "created_at",
        ),
        "comments": rows(
            Comment.objects.filter(author=user),
            "id",
            "circle__slug",
            "goal_id",
            "goal__title",
            "version__number",
            "parent_id",
            "body",
            "anchor_paragraph",
            "anchor_quote",
            "state",
            "moderation_reason",
            "created_at",
            "edited_at",
        ),
        "ratings": rows(
            Rating.objects.filter(expert=user),
            "id",
            "round__circle__slug",
            "round__number",
            "goal_id",
            "goal__title",
            "support",
            "needs_rework",
            "created_at",
            "updated_at",
        ),
        "ideas": rows(
            Idea.objects.filter(author=user),
            "id",
            "circle__slug",
            "round__number",
            "title",
            "text",
            "rationale",
            "state",
            "decline_reason",
            "created_at",
            "decided_at",
        ),
        "hands": rows(
            HandRaise.objects.filter(user=user),
            "id",
            "circle__slug",
            "state",
            "point_of_order",
            "raised_at",
            "started_at",
            "ended_at",
            "time_limit",
        ),
        "pulse_answers": rows(
            PulseAnswer.objects.filter(user=user),
            "id",
            "pulse__circle__slug",
            "pulse__question",
            "answer",
        ),
        "goal_versions": rows(
            GoalVersion.objects.filter(author=user),
            "id",
            "goal_id",
            "goal__title",
            "number",
            "text",
            "rationale",
            "change_note",
            "created_at",
        ),
        "vote_reasons": rows(
            VoteReason.objects.filter(author=user),
            "id",
            "circle__slug",
            "goal_id",
            "motion_id",
            "kind",
            "text",
            "created_at",
        ),
        "change_proposals": rows(
            ChangeProposal.objects.filter(author=user),
            "id",
            "circle__slug",
            "goal_id",
            "version__number",
            "paragraph",
            "quote",
            "replacement",
            "reason",
            "state",
            "created_at",
        ),
        "quick_votes": rows(
            ProposalBallot.objects.filter(voter=user),
            "id",
            "vote__proposal_id",
            "choice",
            "cast_at",
        ),
        "decisions_on_feedback": rows(
            Disposition.objects.filter(decided_by=user), "id", "value", "response", "decided_at"
        ),
        "room_events_triggered": RoomEvent.objects.filter(actor=user).count(),
    }
