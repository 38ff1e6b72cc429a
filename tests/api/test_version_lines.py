"""A version read over REST carries its numbered lines, the same numbers the version page
shows, so a script can cite "Zeile 2" as a person reading the page does."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_field, make_goal

pytestmark = pytest.mark.django_db

TEXT = (
    "Alle Kitas der Stadt bieten bis zum Ende des Jahres 2027 eine alltagsintegrierte "
    "Sprachförderung für jedes Kind an, das sie braucht.\n\n"
    "- Fortbildung für alle Fachkräfte\n- Beratung der Eltern"
)
LINES = [
    {
        "number": 1,
        "paragraph": 1,
        "text": "Alle Kitas der Stadt bieten bis zum Ende des Jahres 2027 eine alltagsintegrierte",
    },
    {"number": 2, "paragraph": 1, "text": "Sprachförderung für jedes Kind an, das sie braucht."},
    {"number": 3, "paragraph": 2, "text": "- Fortbildung für alle Fachkräfte"},
    {"number": 4, "paragraph": 2, "text": "- Beratung der Eltern"},
]


def test_a_version_lists_its_lines_wrapped_at_80_characters() -> None:
    goal = make_goal(make_field(), text=TEXT)

    version = APIClient().get(f"/api/v1/goals/{goal.pk}/versions/1/").json()

    assert version["lines"] == LINES


def test_the_goal_and_the_version_list_carry_the_lines_too() -> None:
    goal = make_goal(make_field(), text=TEXT)

    listed = APIClient().get(f"/api/v1/goals/{goal.pk}/versions/").json()["results"]
    detail = APIClient().get(f"/api/v1/goals/{goal.pk}/").json()

    assert listed[0]["lines"] == LINES
    assert detail["current_version"]["lines"] == LINES


def test_the_api_numbers_the_lines_as_the_version_page_does() -> None:
    goal = make_goal(make_field(), text=TEXT)

    page = Client().get(f"/ziele/{goal.pk}/fassungen/1/").content.decode()
    version = APIClient().get(f"/api/v1/goals/{goal.pk}/versions/1/").json()

    on_page = [int(n) for n in re.findall(r'id="zeile-(\d+)"', page)]
    assert on_page == [line["number"] for line in version["lines"]]


def test_the_schema_documents_the_lines() -> None:
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]

    lines = components["GoalVersion"]["properties"]["lines"]
    item = components[lines["items"]["$ref"].rsplit("/", 1)[-1]]
    assert lines["readOnly"] is True
    assert set(item["properties"]) == {"number", "paragraph", "text"}
