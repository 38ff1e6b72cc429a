from __future__ import annotations

import os
from typing import Any

import pytest

from tests.factories import Room, make_room

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Production hashing costs ~0.3 s a user; tests create hundreds. Logins still check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def room(db: None) -> Room:
    return make_room()


@pytest.fixture
def private_room(db: None) -> Room:
    return make_room(is_public=False)
