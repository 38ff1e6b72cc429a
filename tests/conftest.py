from __future__ import annotations

import os

import pytest

from tests.factories import Room, make_room

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def room(db: None) -> Room:
    return make_room()


@pytest.fixture
def private_room(db: None) -> Room:
    return make_room(is_public=False)
