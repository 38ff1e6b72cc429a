"""Every 4xx of the API has one shape, and missing credentials get 401 with WWW-Authenticate."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.errors import flatten_validation_errors
from tests.factories import Room

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/api/v1/nowhere/", "/api/v1/goals/not-a-number/", "/api/v1/circles/a/b/c/d/"]
)
def test_unknown_api_url_gets_a_json_404_in_the_error_shape(api: APIClient, url: str) -> None:
    response = api.get(url)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"]


def test_wrong_method_gets_405_in_the_error_shape(room: Room) -> None:
    client = APIClient()
    client.force_login(room.moderator)

    response = client.delete("/api/v1/concepts/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_anonymous_write_gets_401_with_www_authenticate(room: Room, api: APIClient) -> None:
    response = api.post(f"/api/v1/circles/{room.circle.slug}/motions/open/", {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_form_encoded_write_body_is_refused_with_415(room: Room) -> None:
    client = APIClient()
    client.force_login(room.moderator)

    response = client.post("/api/v1/auth/token", {"username": "x", "password": "y"})

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_schema_advertises_json_request_bodies_only(api: APIClient) -> None:
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()

    media_types = {
        media_type
        for path_item in schema["paths"].values()
        for operation in path_item.values()
        for media_type in operation.get("requestBody", {}).get("content", {})
    }
    assert media_types == {"application/json"}


def test_nested_validation_errors_are_flattened_to_lists_of_strings() -> None:
    nested = {
        "comment_ids": {"1": ["Eine ganze Zahl ist erforderlich."]},
        "agenda": [{}, {"title": ["Pflichtfeld."]}],
        "note": ["Zu lang."],
    }

    assert flatten_validation_errors(nested) == {
        "comment_ids.1": ["Eine ganze Zahl ist erforderlich."],
        "agenda.1.title": ["Pflichtfeld."],
        "note": ["Zu lang."],
    }
    assert flatten_validation_errors(["Falsch."]) == {"non_field_errors": ["Falsch."]}
