"""A circle's members over REST: the members page's access (moderators, staff) and its
services, so the room hears every change."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from deliberation.models import Membership, RoomEvent
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


def _url(room: Room, membership: Membership | None = None) -> str:
    base = f"/api/v1/circles/{room.circle.slug}/members/"
    return base if membership is None else f"{base}{membership.pk}/"


def _expert_membership(room: Room) -> Membership:
    return Membership.objects.get(user=room.expert, circle=room.circle)


# Who may not manage members learns nothing: the 404 of a circle that does not exist.
REFUSED = {"viewer": 401, "outsider": 404, "expert": 404, "drafter": 404}
PERSONAS = ["viewer", "outsider", "expert", "drafter", "moderator", "staff"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_list_the_members(room: Room, persona: str) -> None:
    response = _client(_persona(room, persona)).get(_url(room))

    assert response.status_code == REFUSED.get(persona, 200)
    if response.status_code == 200:
        body = response.json()
        assert body["count"] == Membership.objects.filter(circle=room.circle).count()
        assert {"id", "person", "username", "role"} == set(body["results"][0])


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_add_a_member(room: Room, persona: str) -> None:
    newcomer = make_user("neu")

    response = _client(_persona(room, persona)).post(
        _url(room), {"username": "neu", "role": "expert"}, format="json"
    )

    added = Membership.objects.filter(user=newcomer, circle=room.circle).exists()
    assert response.status_code == REFUSED.get(persona, 201)
    assert added == (response.status_code == 201)
    if added:
        assert response.json()["role"] == "expert"
        event = RoomEvent.objects.filter(circle=room.circle).latest("seq")
        assert (event.kind, event.payload["person"]["id"]) == ("member.added", newcomer.pk)


def test_adding_again_changes_nothing_and_an_unknown_account_is_a_400(room: Room) -> None:
    client = _client(room.moderator)

    again = client.post(
        _url(room), {"username": room.expert.username, "role": "expert"}, format="json"
    )
    unknown = client.post(_url(room), {"username": "niemand", "role": "expert"}, format="json")

    assert again.status_code == 200
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "username"


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_change_a_role(room: Room, persona: str) -> None:
    membership = _expert_membership(room)

    response = _client(_persona(room, persona)).patch(
        _url(room, membership), {"role": "drafter"}, format="json"
    )

    membership.refresh_from_db()
    assert response.status_code == REFUSED.get(persona, 200)
    assert membership.role == ("drafter" if response.status_code == 200 else "expert")
    if response.status_code == 200:
        event = RoomEvent.objects.filter(circle=room.circle).latest("seq")
        assert (event.kind, event.payload["previous_role"]) == ("member.changed", "expert")


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_end_a_membership(room: Room, persona: str) -> None:
    membership = _expert_membership(room)

    response = _client(_persona(room, persona)).delete(_url(room, membership))

    exists = Membership.objects.filter(pk=membership.pk).exists()
    assert response.status_code == REFUSED.get(persona, 204)
    assert exists == (response.status_code != 204)
    if not exists:
        event = RoomEvent.objects.filter(circle=room.circle).latest("seq")
        assert event.kind == "member.removed"


def test_a_membership_of_another_circle_is_not_found_here(room: Room, private_room: Room) -> None:
    elsewhere = _expert_membership(private_room)

    response = _client(room.moderator).delete(_url(room, elsewhere))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=elsewhere.pk).exists()
