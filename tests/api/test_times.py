"""Every moment the REST API and the room's events send is in one format: ISO 8601 in UTC
with the offset written out (``…+00:00``), whatever the server's time zone (Berlin here).

The REST side walks the OpenAPI schema: every GET operation whose path the test can fill is
called as the circle's moderator over a room with a round, comments, a speaker and a motion,
and every ``format: date-time`` value in the answer, and every string shaped like a moment,
is checked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from deliberation import services
from deliberation.models import RoomEvent
from deliberation.rounds import services as round_services
from deliberation.selectors import room_snapshot
from tests.factories import Room, make_room
from voting import services as voting_services
from voting.models import Motion

pytestmark = pytest.mark.django_db

UTC_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00")
LOOKS_LIKE_A_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


@pytest.fixture
def busy_room(settings: Any) -> Room:
    settings.TIME_ZONE = "Europe/Berlin"  # a local offset that is not +00:00
    timezone.activate("Europe/Berlin")
    room = make_room()
    round_services.round_open(
        actor=room.moderator,
        circle=room.circle,
        agenda=[{"goal": room.goal.pk, "time_box": 600}],
    )
    services.comment_post(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Ein Beitrag."
    )
    services.hand_raise(actor=room.expert, circle=room.circle)
    services.hand_next(actor=room.moderator, circle=room.circle)
    round_services.idea_propose(
        actor=room.expert, circle=room.circle, title="Neue Idee", text="Mehr davon."
    )
    voting_services.motion_open(
        actor=room.moderator, circle=room.circle, goal_id=room.goal.pk, method="consent"
    )
    return room


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from strings(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from strings(child, f"{path}.{index}")
    elif isinstance(value, str):
        yield path, value


def wrong_moments(value: Any) -> list[str]:
    return [
        f"{path} = {text}"
        for path, text in strings(value)
        if LOOKS_LIKE_A_MOMENT.match(text) and not UTC_MOMENT.fullmatch(text)
    ]


def date_time_fields(schema: dict[str, Any]) -> set[str]:
    """Names of every property the schema declares as ``format: date-time``."""
    found: set[str] = set()
    for component in schema["components"]["schemas"].values():
        for name, prop in component.get("properties", {}).items():
            if prop.get("format") == "date-time":
                found.add(name)
    return found


def declared_moments(value: Any, names: set[str]) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, child in value.items():
            if key in names and isinstance(child, str):
                yield key, child
            yield from declared_moments(child, names)
    elif isinstance(value, list):
        for child in value:
            yield from declared_moments(child, names)


def fill(path: str, room: Room) -> str | None:
    circle = room.circle
    motion = Motion.objects.filter(circle=circle).first()
    values = {
        "number": "1",
        "goal_id": str(room.goal.pk),
        "motion_id": str(motion.pk) if motion else None,
    }
    if path.startswith("/api/v1/concepts/"):
        values["slug"] = circle.action_field.concept.slug
    elif path.startswith("/api/v1/action-fields/"):
        values["slug"] = circle.action_field.slug
    else:
        values["slug"] = circle.slug
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(match.group(1))
        if value is None:
            missing = True
            return ""
        return value

    filled = re.sub(r"\{(\w+)\}", replace, path)
    return None if missing else filled


def test_every_rest_read_sends_utc_moments(busy_room: Room) -> None:
    # Server errors are test_schema's business; this test reads whatever answers.
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(busy_room.moderator)
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    names = date_time_fields(schema)
    checked, moments, wrong = 0, 0, []
    for path, item in schema["paths"].items():
        if "get" not in item or path.endswith((".csv", ".md", "/schema/", "/docs/")):
            continue
        url = fill(path, busy_room)
        if url is None:
            continue
        response = client.get(url)
        if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
            continue
        body = response.json()
        checked += 1
        moments += sum(1 for _ in declared_moments(body, names))
        wrong += [f"{url}: {w}" for w in wrong_moments(body)]
        wrong += [
            f"{url}: {key} = {text}"
            for key, text in declared_moments(body, names)
            if not UTC_MOMENT.fullmatch(text)
        ]

    assert wrong == []
    assert checked >= 20 and moments >= 10  # the walk did reach the busy room


def test_the_rooms_events_and_welcome_send_utc_moments(busy_room: Room) -> None:
    events = list(RoomEvent.objects.filter(circle=busy_room.circle).values("kind", "payload"))
    snapshot = room_snapshot(busy_room.circle)

    assert events
    assert wrong_moments([e["payload"] for e in events]) == []
    assert wrong_moments(snapshot.moderator) == []
    assert any(UTC_MOMENT.fullmatch(text) for _path, text in strings(snapshot.moderator))
