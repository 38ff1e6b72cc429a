"""A room's speakers' list, focus and settings over REST: read as the room shows them,
the settings changed through the same service and event as on the moderation page."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from deliberation import services
from deliberation.models import Circle, RoomEvent
from tests.factories import Room, make_user

pytestmark = [pytest.mark.django_db]


def _client(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _persona(room: Room, persona: str) -> Any:
    if persona == "viewer":
        return None
    if persona == "staff":
        return make_user(is_staff=True)
    return getattr(room, persona)


def test_the_speakers_list_in_the_order_of_the_floor(room: Room) -> None:
    services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_raise(actor=room.expert2, circle=room.circle)
    services.hand_next(actor=room.moderator, circle=room.circle)  # expert has the floor
    services.hand_raise(actor=room.drafter, circle=room.circle, point_of_order=True)

    body = _client(None).get(f"/api/v1/circles/{room.circle.slug}/hands/").json()

    assert body["count"] == 3
    names = [(h["user"]["id"], h["state"]) for h in body["results"]]
    assert names == [
        (room.expert.pk, "speaking"),
        (room.drafter.pk, "waiting"),
        (room.expert2.pk, "waiting"),
    ]
    assert body["results"][0]["raised_at"].endswith("+00:00")


def test_the_focus_is_what_the_moderator_set(room: Room) -> None:
    url = f"/api/v1/circles/{room.circle.slug}/focus/"
    assert _client(None).get(url).json() == {"goal": None}

    services.focus_set(actor=room.moderator, circle=room.circle, goal_id=room.goal.pk)

    assert _client(room.outsider).get(url).json() == {"goal": room.goal.pk}


@pytest.mark.parametrize("persona", ["viewer", "outsider", "expert", "moderator", "staff"])
@pytest.mark.parametrize("what", ["hands", "focus", "settings"])
def test_a_private_rooms_session_is_for_its_members(
    private_room: Room, persona: str, what: str
) -> None:
    response = _client(_persona(private_room, persona)).get(
        f"/api/v1/circles/{private_room.circle.slug}/{what}/"
    )

    sees = persona in {"expert", "moderator", "staff"}
    assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("moderator", 200),
        ("staff", 200),
        ("expert", 403),
        ("outsider", 403),
        ("viewer", 401),
    ],
)
def test_who_may_change_the_session_settings(room: Room, persona: str, status: int) -> None:
    response = _client(_persona(room, persona)).patch(
        f"/api/v1/circles/{room.circle.slug}/settings/",
        {"speaking_time": 120, "speakers_order": "first_time"},
        format="json",
    )

    assert response.status_code == status, response.json()
    room.circle.refresh_from_db()
    if status == 200:
        assert response.json()["speaking_time"] == 120
        assert room.circle.speaking_time == 120
        event = RoomEvent.objects.filter(circle=room.circle).latest("seq")
        assert event.kind == "room.updated"
        assert event.payload["changed"] == ["speakers_order", "speaking_time"]
    else:
        assert room.circle.speaking_time != 120
        assert "code" in response.json()


def test_only_staff_change_title_and_visibility(room: Room) -> None:
    url = f"/api/v1/circles/{room.circle.slug}/settings/"

    refused = _client(room.moderator).patch(url, {"is_public": False}, format="json")
    done = _client(make_user(is_staff=True)).patch(
        url, {"is_public": False, "title": "Neuer Titel"}, format="json"
    )

    assert refused.status_code == 403
    assert done.status_code == 200
    assert Circle.objects.get(pk=room.circle.pk).title == "Neuer Titel"
    assert done.json()["is_public"] is False


@pytest.mark.parametrize(
    "body",
    [{"video_url": "http://unsicher.example"}, {"speaking_time": -5}, {"speakers_order": "x"}],
)
def test_invalid_settings_are_a_400_and_change_nothing(room: Room, body: dict[str, Any]) -> None:
    before = RoomEvent.objects.filter(circle=room.circle).count()

    response = _client(room.moderator).patch(
        f"/api/v1/circles/{room.circle.slug}/settings/", body, format="json"
    )

    assert response.status_code == 400
    assert RoomEvent.objects.filter(circle=room.circle).count() == before
