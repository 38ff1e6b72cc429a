"""Circles: public ones for everybody, private ones for their members and staff only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from deliberation.models import Circle
from tests.factories import Room, make_circle, make_room

pytestmark = pytest.mark.django_db

SEES_PRIVATE = {"anonymous": False, "outsider": False, "member": True, "staff": True}


def listed_slugs(client: APIClient, **filters: str) -> list[str]:
    response = client.get("/api/v1/circles/", filters)
    assert response.status_code == 200
    return [c["slug"] for c in response.json()["results"]]


def test_public_circle_is_listed_and_shown_to_everyone(
    room: Room, client_as: Callable[[str], APIClient], persona: str
) -> None:
    client = client_as(persona)

    body = client.get(f"/api/v1/circles/{room.circle.slug}/").json()

    assert room.circle.slug in listed_slugs(client)
    assert body == {
        "slug": room.circle.slug,
        "title": room.circle.title,
        "kind": "expert_circle",
        "kind_label": "Expertenkreis",
        "is_public": True,
        "action_field": room.circle.action_field.slug,
    }


def test_private_circle_only_for_members_and_staff(
    private_room: Room, persona: str, django_user_model: type
) -> None:
    room = private_room
    users = {
        "outsider": room.outsider,
        "member": room.drafter,
        "staff": django_user_model.objects.create_user("chefin", is_staff=True),
    }
    client = APIClient()
    if persona != "anonymous":
        client.force_login(users[persona])

    detail = client.get(f"/api/v1/circles/{room.circle.slug}/")

    if SEES_PRIVATE[persona]:
        assert detail.status_code == 200
        assert detail.json()["is_public"] is False
        assert room.circle.slug in listed_slugs(client)
    else:
        # The same 404 as for a circle that does not exist: its existence does not leak.
        assert detail.status_code == 404
        assert detail.json() == client.get("/api/v1/circles/gibt-es-nicht/").json()
        assert room.circle.slug not in listed_slugs(client)


def test_private_circle_is_not_visible_to_members_of_another_circle(private_room: Room) -> None:
    elsewhere = make_room()
    client = APIClient()
    client.force_login(elsewhere.moderator)

    assert client.get(f"/api/v1/circles/{private_room.circle.slug}/").status_code == 404
    assert listed_slugs(client) == [elsewhere.circle.slug]


def test_circle_list_agrees_with_the_view_room_rule(
    room: Room, private_room: Room, client_as: Callable[[str], APIClient], persona: str
) -> None:
    make_circle(room.circle.action_field, kind=Circle.Kind.WORKING_GROUP, is_public=False)
    client = client_as(persona)
    user = client.get("/api/v1/circles/").wsgi_request.user

    expected = [c.slug for c in Circle.objects.all() if user.has_perm("deliberation.view_room", c)]

    assert sorted(listed_slugs(client)) == sorted(expected)
    assert room.circle.slug in expected  # public: everybody


def test_circles_filter_by_action_field(room: Room, api: APIClient) -> None:
    group = make_circle(room.circle.action_field, kind=Circle.Kind.WORKING_GROUP)
    make_room()  # another field's circle

    assert listed_slugs(api, action_field=room.circle.action_field.slug) == [
        room.circle.slug,
        group.slug,
    ]
