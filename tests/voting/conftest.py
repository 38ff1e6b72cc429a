"""Helpers for vote tests: a room with three experts and motions opened the service way."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser

from deliberation.models import Circle, Membership
from tests.factories import Room, make_room, make_user
from voting import services
from voting.models import Motion


def add_experts(circle: Circle, n: int) -> list[AbstractUser]:
    users = [make_user() for _ in range(n)]
    Membership.objects.bulk_create(
        Membership(user=u, circle=circle, role=Membership.Role.EXPERT) for u in users
    )
    return users


def open_motion(room: Room, **options: Any) -> Motion:
    options.setdefault("method", "consent")
    return services.motion_open(
        actor=room.moderator, circle=room.circle, goal_id=room.goal.pk, **options
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Dozens of personas per test; the real hasher's deliberate slowness is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def vote_room(db: None) -> Room:
    """A public room with a moderator, three experts (expert, expert2, expert3), a drafter
    and an outsider; the goal is in discussion."""
    room = make_room()
    (room.expert3,) = add_experts(room.circle, 1)  # type: ignore[attr-defined]
    return room
