"""The assistance on a small room: a public expert circle with its personas, a round open on
its goal, and a guard that fails any test in which a request would leave the server."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from deliberation import services
from deliberation.models import Comment, Round
from deliberation.rounds import services as round_services
from tests.factories import Room, make_room

PERSONAS = ("moderator", "expert", "outsider", "anonymous")


class Outbound(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every provider request goes through ``assist.providers.post_json``; here it raises,
    and so does urllib's opener underneath, so a test passes only if nothing was sent."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise Outbound(f"outbound request attempted: {args[:1]}")

    monkeypatch.setattr("assist.providers.post_json", refuse)
    monkeypatch.setattr("urllib.request.urlopen", refuse)
    return attempts


def persona(room: Room, name: str) -> Any:
    return AnonymousUser() if name == "anonymous" else getattr(room, name)


def client_for(room: Room, name: str) -> Client:
    client = Client()
    if name != "anonymous":
        client.force_login(getattr(room, name))
    return client


def open_round(room: Room) -> Round:
    return round_services.round_open(
        actor=room.moderator, circle=room.circle, agenda=[{"goal": room.goal.pk}]
    )


def say(room: Room, body: str, author: Any = None) -> Comment:
    comment, _created = services.comment_post(
        actor=author or room.expert, circle=room.circle, goal_id=room.goal.pk, body=body
    )
    return comment


def to_evaluation(room: Room) -> None:
    round_services.round_set_phase(
        actor=room.moderator, circle=room.circle, phase=Round.Phase.EVALUATION
    )


@pytest.fixture
def fake_providers(settings: Any) -> None:
    settings.TRANSLATION_PROVIDER = "fake"
    settings.ASSISTANT_PROVIDER = "fake"


@pytest.fixture
def private(db: None) -> Room:
    return make_room(is_public=False)
