"""Helpers for the attendance tests: a room with three experts, a deputy (not a member) and
a closed roll call at which expert3 was absent."""

from __future__ import annotations

from typing import Any

import pytest

from attendance import services
from deliberation.models import Circle
from rooms.models import RoomPresence
from tests.factories import Room, make_room, make_user
from tests.voting.conftest import add_experts


def show_in_room(circle: Circle, *users: Any) -> None:
    """What the rooms' presence records when these people have a socket open."""
    RoomPresence.objects.update_or_create(
        circle=circle,
        defaults={
            "members": [{"id": u.pk, "name": u.get_username(), "role": "expert"} for u in users],
            "viewers": 0,
        },
    )


def attendance_room() -> Room:
    """A public room: moderator, expert, expert2, expert3, drafter, outsider and ``deputy``
    (an account that is no member), with ``deputy`` registered for expert3."""
    room = make_room()
    (room.expert3,) = add_experts(room.circle, 1)  # type: ignore[attr-defined]
    room.deputy = make_user()  # type: ignore[attr-defined]
    return room


def roll_call_without_expert3(room: Room) -> None:
    """Presence shows everybody but expert3; the moderator confirms and closes."""
    show_in_room(room.circle, room.moderator, room.expert, room.expert2, room.drafter)
    services.roll_call_open(actor=room.moderator, circle=room.circle)
    services.roll_call_close(actor=room.moderator, circle=room.circle)


def register_deputy(room: Room) -> None:
    services.deputy_register(
        actor=room.moderator,
        circle=room.circle,
        member_id=room.expert3.pk,  # type: ignore[attr-defined]
        deputy_id=room.deputy.pk,  # type: ignore[attr-defined]
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def aroom(db: None) -> Room:
    return attendance_room()


@pytest.fixture
def ready_room(aroom: Room) -> Room:
    """Roll call closed (expert3 absent), deputy registered for expert3."""
    roll_call_without_expert3(aroom)
    register_deputy(aroom)
    return aroom
