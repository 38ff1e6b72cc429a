"""Concepts, action fields, goals and versions: everyone reads them, nobody writes them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from deliberation import services
from deliberation.models import ActionField, Concept, Goal, GoalVersion
from tests.factories import Room, make_concept, make_field, make_goal

pytestmark = pytest.mark.django_db


def read_urls(room: Room) -> list[str]:
    goal = room.goal
    field = room.circle.action_field
    return [
        "/api/v1/concepts/",
        f"/api/v1/concepts/{field.concept.slug}/",
        "/api/v1/action-fields/",
        f"/api/v1/action-fields/{field.slug}/",
        "/api/v1/goals/",
        f"/api/v1/goals/{goal.pk}/",
        f"/api/v1/goals/{goal.pk}/versions/",
        f"/api/v1/goals/{goal.pk}/versions/1/",
        "/api/v1/circles/",
        f"/api/v1/circles/{room.circle.slug}/",
    ]


def test_every_persona_can_read_every_endpoint(
    room: Room, client_as: Callable[[str], APIClient], persona: str
) -> None:
    client = client_as(persona)
    for url in read_urls(room):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nobody_can_write_through_the_read_endpoints(
    room: Room, client_as: Callable[[str], APIClient], persona: str, method: str
) -> None:
    client = client_as(persona)
    before = (Concept.objects.count(), ActionField.objects.count(), Goal.objects.count())
    for url in read_urls(room):
        response = getattr(client, method)(url, {"title": "Übernommen"}, format="json")
        if persona == "anonymous":
            assert response.status_code == 401, url
            assert response["WWW-Authenticate"] == "Token", url
            assert response.json()["code"] == "not_authenticated"
        else:
            assert response.status_code == 405, url
            assert response.json()["code"] == "method_not_allowed"
    after = (Concept.objects.count(), ActionField.objects.count(), Goal.objects.count())
    assert after == before
    room.goal.refresh_from_db()
    assert room.goal.title == "Ein Ziel"


def test_concept_lists_its_action_fields_and_renders_the_preamble(api: APIClient) -> None:
    concept = make_concept(preamble="Integration ist **ein Prozess**.", slug="ik-2021")
    make_field(concept, title="Arbeit", slug="arbeit", order=2)
    make_field(concept, title="Bildung & Sprache", slug="bildung-sprache", order=1)

    body = api.get("/api/v1/concepts/ik-2021/").json()

    assert body["title"] == concept.title
    assert body["status"] == "in_progress"
    assert body["preamble"] == "Integration ist **ein Prozess**."
    assert body["preamble_html"] == "<p>Integration ist <strong>ein Prozess</strong>.</p>"
    assert [f["slug"] for f in body["action_fields"]] == ["bildung-sprache", "arbeit"]


def test_concept_list_is_paginated(api: APIClient) -> None:
    for _ in range(3):
        make_concept()
    page = api.get("/api/v1/concepts/", {"limit": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"] is not None


def test_unknown_slug_is_a_404_with_a_code(api: APIClient) -> None:
    for url in (
        "/api/v1/concepts/gibt-es-nicht/",
        "/api/v1/action-fields/gibt-es-nicht/",
        "/api/v1/circles/gibt-es-nicht/",
        "/api/v1/goals/999999/",
        "/api/v1/goals/999999/versions/",
        "/api/v1/goals/999999/versions/1/",
    ):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
        assert response.json()["detail"]


def test_action_fields_filter_by_concept(api: APIClient) -> None:
    ours, other = make_concept(slug="unser"), make_concept(slug="anderes")
    make_field(ours, slug="arbeit")
    make_field(other, slug="sport")

    body = api.get("/api/v1/action-fields/", {"concept": "unser"}).json()

    assert [f["slug"] for f in body["results"]] == ["arbeit"]
    assert api.get("/api/v1/action-fields/", {"concept": "keins"}).json()["results"] == []


def test_action_field_shows_its_goals_with_status(room: Room, api: APIClient) -> None:
    field = room.circle.action_field
    draft = make_goal(field, title="Noch ein Entwurf", status=Goal.Status.DRAFT)

    body = api.get(f"/api/v1/action-fields/{field.slug}/").json()

    assert body["concept"] == field.concept.slug
    assert [(g["id"], g["status"], g["current_version_number"]) for g in body["goals"]] == [
        (room.goal.pk, "in_discussion", 1),
        (draft.pk, "draft", 1),
    ]
    assert body["goals"][0]["status_label"] == "In Diskussion"


def test_goals_filter_by_action_field_and_status(room: Room, api: APIClient) -> None:
    field = room.circle.action_field
    draft = make_goal(field, title="Entwurf", status=Goal.Status.DRAFT)
    make_goal(make_field(), title="Anderswo", status=Goal.Status.DRAFT)

    def ids(**filters: str) -> list[int]:
        return [g["id"] for g in api.get("/api/v1/goals/", filters).json()["results"]]

    assert ids(action_field=field.slug) == [room.goal.pk, draft.pk]
    assert ids(action_field=field.slug, status="draft") == [draft.pk]
    assert len(ids(status="draft")) == 2


def test_unknown_goal_status_filter_is_a_400_naming_the_filter(api: APIClient) -> None:
    response = api.get("/api/v1/goals/", {"status": "beschlossen"})
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_goal_shows_its_current_version_as_markdown_and_html(room: Room, api: APIClient) -> None:
    services.goal_version_create(
        actor=room.drafter,
        goal=room.goal,
        text="Erstens *betont*.\n\n<script>alert(1)</script>",
        rationale="Weil.",
        change_note="Präzisiert",
    )

    body = api.get(f"/api/v1/goals/{room.goal.pk}/").json()

    version = body["current_version"]
    assert body["action_field"] == room.circle.action_field.slug
    assert version["number"] == 2
    assert version["text"] == "Erstens *betont*.\n\n<script>alert(1)</script>"
    assert "<em>betont</em>" in version["text_html"]
    assert "<script>" not in version["text_html"]
    assert version["rationale_html"] == "<p>Weil.</p>"
    assert version["change_note"] == "Präzisiert"
    assert version["author"] == {
        "id": room.drafter.pk,
        "name": room.drafter.get_full_name() or room.drafter.get_username(),
    }


def test_goal_versions_are_listed_oldest_first_and_fetched_by_number(
    room: Room, api: APIClient
) -> None:
    services.goal_version_create(actor=None, goal=room.goal, text="Zweite Fassung.")
    url = f"/api/v1/goals/{room.goal.pk}/versions/"

    listed = api.get(url).json()
    second = api.get(f"{url}2/").json()

    assert [v["number"] for v in listed["results"]] == [1, 2]
    assert listed["results"][0]["author"] is None
    assert second["text"] == "Zweite Fassung."
    assert api.get(f"{url}3/").status_code == 404
    assert GoalVersion.objects.filter(goal=room.goal).count() == 2


def test_version_of_another_goal_is_not_found_under_this_goal(room: Room, api: APIClient) -> None:
    other = make_goal(room.circle.action_field, title="Anderes Ziel")
    services.goal_version_create(actor=None, goal=other, text="Zweite Fassung.")
    assert api.get(f"/api/v1/goals/{room.goal.pk}/versions/2/").status_code == 404
