"""Test data in one place. Personas follow healthchecks' alice/bob/charlie idea:
moderator, expert, drafter, outsider (signed in, no membership), and anonymous."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from deliberation import services
from deliberation.models import ActionField, Circle, Concept, Goal, Membership

PASSWORD = "test-password-123"
_counter = itertools.count(1)


def make_user(username: str | None = None, **extra: Any) -> AbstractUser:
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, first_name=username.capitalize(), **extra
    )


def make_concept(**extra: Any) -> Concept:
    n = next(_counter)
    defaults: dict[str, Any] = {
        "title": f"Konzept {n}",
        "slug": f"konzept-{n}",
        "period_start": 2021,
        "period_end": 2025,
        "status": Concept.Status.IN_PROGRESS,
    }
    defaults.update(extra)
    return Concept.objects.create(**defaults)


def make_field(concept: Concept | None = None, **extra: Any) -> ActionField:
    n = next(_counter)
    defaults: dict[str, Any] = {"title": f"Feld {n}", "slug": f"feld-{n}", "order": n}
    defaults.update(extra)
    return ActionField.objects.create(concept=concept or make_concept(), **defaults)


def make_circle(
    action_field: ActionField | None = None,
    *,
    kind: str = Circle.Kind.EXPERT_CIRCLE,
    is_public: bool = True,
    **extra: Any,
) -> Circle:
    action_field = action_field or make_field()
    defaults: dict[str, Any] = {
        "title": f"Kreis {action_field.title}",
        "slug": action_field.slug
        if kind == Circle.Kind.EXPERT_CIRCLE
        else f"{action_field.slug}-ag",
    }
    defaults.update(extra)
    return Circle.objects.create(
        action_field=action_field, kind=kind, is_public=is_public, **defaults
    )


def make_goal(
    action_field: ActionField,
    *,
    title: str = "Ein Ziel",
    text: str = "Erster Absatz.\n\nZweiter Absatz.",
    status: str = Goal.Status.IN_DISCUSSION,
) -> Goal:
    goal = services.goal_create(actor=None, action_field=action_field, title=title, text=text)
    if status != Goal.Status.DRAFT:
        services.goal_transition(actor=None, goal=goal, to_status=status)
        goal.refresh_from_db()
    return goal


@dataclass
class Room:
    """One public expert circle with its personas and a goal in discussion."""

    circle: Circle
    goal: Goal
    moderator: AbstractUser
    expert: AbstractUser
    expert2: AbstractUser
    drafter: AbstractUser
    outsider: AbstractUser


def make_room(*, is_public: bool = True) -> Room:
    action_field = make_field()
    circle = make_circle(action_field, is_public=is_public)
    goal = make_goal(action_field)
    people = {
        "moderator": make_user(),
        "expert": make_user(),
        "expert2": make_user(),
        "drafter": make_user(),
        "outsider": make_user(),
    }
    for name, role in (
        ("moderator", Membership.Role.MODERATOR),
        ("expert", Membership.Role.EXPERT),
        ("expert2", Membership.Role.EXPERT),
        ("drafter", Membership.Role.DRAFTER),
    ):
        Membership.objects.create(user=people[name], circle=circle, role=role)
    circle.refresh_from_db()
    return Room(circle=circle, goal=goal, **people)
