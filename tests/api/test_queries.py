"""Every list costs the same number of queries however many rows it holds (no N+1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from deliberation import services
from deliberation.models import Membership
from tests.factories import Room, make_circle, make_concept, make_field, make_goal, make_user

pytestmark = pytest.mark.django_db


def queries_for(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def grows_without_more_queries(
    client: APIClient, url: str, add_rows: Callable[[], None], *, expected_rows: int
) -> None:
    before = queries_for(client, url)
    add_rows()
    response = client.get(url)
    assert response.json()["count"] == expected_rows
    assert queries_for(client, url) == before


def test_goal_list_queries_do_not_grow_with_goals(room: Room, api: APIClient) -> None:
    field = room.circle.action_field

    def add_goals() -> None:
        for n in range(6):
            goal = make_goal(field, title=f"Ziel {n}")
            services.goal_version_create(actor=room.drafter, goal=goal, text="Neu.")

    grows_without_more_queries(api, "/api/v1/goals/", add_goals, expected_rows=7)


def test_action_field_list_queries_do_not_grow_with_fields_or_goals(
    room: Room, api: APIClient
) -> None:
    concept = room.circle.action_field.concept

    def add_fields_with_goals() -> None:
        for _ in range(3):
            field = make_field(concept)
            for n in range(3):
                make_goal(field, title=f"Ziel {n}")

    grows_without_more_queries(
        api, "/api/v1/action-fields/", add_fields_with_goals, expected_rows=4
    )


def test_concept_list_queries_do_not_grow_with_concepts_or_fields(api: APIClient) -> None:
    make_concept()

    def add_concepts() -> None:
        for _ in range(3):
            make_field(make_concept())

    grows_without_more_queries(api, "/api/v1/concepts/", add_concepts, expected_rows=4)


def test_version_list_queries_do_not_grow_with_versions(room: Room, api: APIClient) -> None:
    def add_versions() -> None:
        for n in range(5):
            services.goal_version_create(actor=room.drafter, goal=room.goal, text=f"Fassung {n}")

    grows_without_more_queries(
        api, f"/api/v1/goals/{room.goal.pk}/versions/", add_versions, expected_rows=6
    )


def test_circle_list_queries_do_not_grow_with_circles_or_memberships(room: Room) -> None:
    member = APIClient()
    member.force_login(room.expert)

    def add_circles() -> None:
        for _ in range(3):
            for is_public in (True, False):
                circle = make_circle(make_field(), is_public=is_public)
                Membership.objects.create(
                    user=room.expert, circle=circle, role=Membership.Role.EXPERT
                )
                Membership.objects.create(
                    user=make_user(), circle=circle, role=Membership.Role.MODERATOR
                )

    grows_without_more_queries(member, "/api/v1/circles/", add_circles, expected_rows=7)
