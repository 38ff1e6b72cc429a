"""``POST /api/v1/rooms/<slug>/ticket``: a single-use ticket for scripts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.tokens import token_create
from rooms.models import RoomTicket
from tests.factories import Room

pytestmark = [pytest.mark.django_db]


def _token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user).key}")
    return client


def _url(slug: str) -> str:
    return f"/api/v1/rooms/{slug}/ticket"


@pytest.mark.parametrize("persona", ["moderator", "expert", "drafter", "outsider"])
def test_signed_in_people_get_a_ticket_for_a_public_room(room: Room, persona: str) -> None:
    response = _token_client(getattr(room, persona)).post(_url(room.circle.slug))
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"ticket", "expires_in"}
    assert 0 < body["expires_in"] <= 60
    stored = RoomTicket.objects.get()
    assert stored.user == getattr(room, persona)
    assert stored.token_hash != body["ticket"]  # only the hash is kept
    assert stored.expires_at <= timezone.now() + timedelta(seconds=60)


def test_anonymous_gets_no_ticket(room: Room) -> None:
    response = APIClient().post(_url(room.circle.slug))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not RoomTicket.objects.exists()


def test_outsider_gets_no_ticket_for_a_private_room(private_room: Room) -> None:
    response = _token_client(private_room.outsider).post(_url(private_room.circle.slug))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("persona", ["moderator", "expert", "drafter"])
def test_members_get_a_ticket_for_their_private_room(private_room: Room, persona: str) -> None:
    response = _token_client(getattr(private_room, persona)).post(_url(private_room.circle.slug))
    assert response.status_code == 201


def test_unknown_room_is_404(room: Room) -> None:
    response = _token_client(room.expert).post(_url("gibt-es-nicht"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_browser_session_works_too(room: Room) -> None:
    client = APIClient()
    client.force_login(room.expert)
    assert client.post(_url(room.circle.slug)).status_code == 201


def test_only_post_is_allowed(room: Room) -> None:
    assert _token_client(room.expert).get(_url(room.circle.slug)).status_code == 405


def test_ticket_lifetime_never_exceeds_a_minute(room: Room, settings: Any) -> None:
    settings.ROOM_TICKET_TTL = 3600
    response = _token_client(room.expert).post(_url(room.circle.slug))
    assert response.json()["expires_in"] == 60
