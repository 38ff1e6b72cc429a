"""Every read of the deliberation domain that a door needs, with its queries bounded."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from deliberation.models import ActionField, Circle, Comment, Concept, Goal, GoalVersion
from deliberation.rules import room_role


def current_concept() -> Concept | None:
    """The concept the home page shows: the newest one that is not a draft, else the newest."""
    return (
        Concept.objects.exclude(status=Concept.Status.DRAFT)
        .order_by("-period_start", "-pk")
        .first()
        or Concept.objects.order_by("-period_start", "-pk").first()
    )


def concept_fields_with_goals(concept: Concept) -> list[ActionField]:
    """The concept's action fields in order, each with ``goals`` and their current version.

    Three queries whatever the number of fields and goals."""
    goals = Goal.objects.select_related("current_version").order_by("order", "pk")
    return list(
        concept.action_fields.order_by("order", "pk").prefetch_related(
            Prefetch("goals", queryset=goals),
            Prefetch("circles", queryset=Circle.objects.order_by("kind")),
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
    """Circles whose room ``user`` may enter (public ones, plus their own private ones)."""
    circles = Circle.objects.select_related("action_field").order_by("action_field__order", "kind")
    return [c for c in circles if room_role(user, c) is not None]


def room_goals(circle: Circle) -> QuerySet[Goal]:
    """The goals a room discusses: its action field's goals in status in_discussion."""
    return (
        Goal.objects.filter(
            action_field_id=circle.action_field_id, status=Goal.Status.IN_DISCUSSION
        )
        .select_related("current_version__author")
        .order_by("order", "pk")
    )


def room_comments(circle: Circle) -> QuerySet[Comment]:
    """Every comment said in the room on its open goals, oldest first (hidden ones included:
    callers redact by role)."""
    return (
        Comment.objects.filter(circle=circle, goal__in=room_goals(circle).values("pk"))
        .select_related("author")
        .order_by("created_at", "pk")
    )
