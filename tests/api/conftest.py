"""Personas for the API: every read is tried by the anonymous viewer, an outsider (signed in,
no membership), a member of the circle and staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import Room, make_user

PERSONAS = ("anonymous", "outsider", "member", "staff")


@pytest.fixture(autouse=True)
def _fast_hashing_and_fresh_throttles(settings: Any) -> None:
    # Password hashing dominates these tests' run time; the hasher is not what they test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_as(room: Room) -> Callable[[str], APIClient]:
    """A client signed in (by session) as one persona of ``room``; "anonymous" is not."""
    users = {
        "outsider": room.outsider,
        "member": room.expert,
        "moderator": room.moderator,
        "staff": make_user(is_staff=True),
    }

    def client_for(persona: str) -> APIClient:
        client = APIClient()
        if persona != "anonymous":
            client.force_login(users[persona])
        return client

    return client_for


@pytest.fixture(params=PERSONAS)
def persona(request: pytest.FixtureRequest) -> str:
    return str(request.param)
