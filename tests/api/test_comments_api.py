"""A room's comments over REST: read as your role sees them, posted through the same service
and event as a comment in the room."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIClient

from deliberation import services
from deliberation.models import Comment, RoomEvent
from deliberation.rounds import services as round_services
from tests.factories import Room

pytestmark = [pytest.mark.django_db]


def _client(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _url(room: Room) -> str:
    return f"/api/v1/circles/{room.circle.slug}/comments/"


def _persona(room: Room, persona: str) -> Any:
    return None if persona == "anonymous" else getattr(room, persona)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("moderator", 201),
        ("expert", 201),
        ("drafter", 201),
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_post_a_comment(room: Room, persona: str, status: int) -> None:
    response = _client(_persona(room, persona)).post(
        _url(room), {"goal": room.goal.pk, "body": "Mehr Kitaplätze"}, format="json"
    )

    assert response.status_code == status, response.json()
    posted = Comment.objects.filter(circle=room.circle).count()
    assert posted == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["body"] == "Mehr Kitaplätze"
        event = RoomEvent.objects.filter(circle=room.circle).latest("seq")
        assert event.kind == "comment.created"
        assert event.payload["comment"]["id"] == response.json()["id"]


def test_posting_again_with_the_same_key_returns_the_first_comment(room: Room) -> None:
    client = _client(room.expert)
    body = {"goal": room.goal.pk, "body": "Einmal", "client_key": "abc"}

    first = client.post(_url(room), body, format="json")
    again = client.post(_url(room), body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Comment.objects.filter(circle=room.circle).count() == 1


@pytest.mark.parametrize("body", ["", "   ", "\u200b\u200b", "a\x00b", "\ud800"])
def test_an_empty_or_unstorable_comment_is_refused(room: Room, body: Any) -> None:
    # json.dumps escapes a lone surrogate as \\ud800, as a client's JSON encoder would.
    response = _client(room.expert).post(
        _url(room),
        json.dumps({"goal": room.goal.pk, "body": body}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_no_comments_outside_the_discussion_phase(room: Room) -> None:
    round_services.round_open(actor=room.moderator, circle=room.circle, agenda=[room.goal.pk])
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="evaluation")

    response = _client(room.expert).post(
        _url(room), {"goal": room.goal.pk, "body": "Zu spät"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def _hidden_comment(room: Room) -> Comment:
    comment, _ = services.comment_post(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Beleidigend"
    )
    services.comment_set_visibility(
        actor=room.moderator, circle=room.circle, comment_id=comment.pk, hidden=True, reason="Ton"
    )
    return comment


@pytest.mark.parametrize(
    ("persona", "sees_body"),
    [("moderator", True), ("expert", False), ("outsider", False), ("anonymous", False)],
)
def test_a_hidden_comments_body_reaches_moderators_only(
    room: Room, persona: str, sees_body: bool
) -> None:
    comment = _hidden_comment(room)

    response = _client(_persona(room, persona)).get(_url(room))

    assert response.status_code == 200
    (listed,) = response.json()["results"]
    assert listed["id"] == comment.pk
    assert listed["state"] == "hidden"
    assert (listed["body"] == "Beleidigend") is sees_body


@pytest.mark.parametrize(
    ("persona", "status"),
    [("moderator", 200), ("expert", 200), ("outsider", 404), ("anonymous", 404)],
)
def test_a_private_rooms_comments_are_for_members(
    private_room: Room, persona: str, status: int
) -> None:
    services.comment_post(
        actor=private_room.expert,
        circle=private_room.circle,
        goal_id=private_room.goal.pk,
        body="Vertraulich",
    )

    response = _client(_persona(private_room, persona)).get(_url(private_room))

    assert response.status_code == status
    if status == 404:
        assert "Vertraulich" not in response.content.decode()


def test_the_list_is_paginated(room: Room) -> None:
    for n in range(3):
        services.comment_post(
            actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body=f"Nr. {n}"
        )

    page = _client(AnonymousUser()).get(_url(room), {"limit": 2}).json()

    assert page["count"] == 3
    assert [c["body"] for c in page["results"]] == ["Nr. 0", "Nr. 1"]
    assert page["next"] is not None
