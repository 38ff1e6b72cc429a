"""Line numbers (deliberation.lines) and the plain-language twin (deliberation.plain)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from deliberation import lines, payloads, plain, services
from deliberation.models import RoomEvent
from kernel.errors import Forbidden
from tests.factories import Room, make_goal, make_user

pytestmark = pytest.mark.django_db

LONG = (
    "Die Stadt baut bis 2030 in jedem Stadtteil ein Familienzentrum auf, das Beratung, "
    "**Sprachkurse**, Kinderbetreuung und offene Treffpunkte unter einem Dach verbindet und "
    "mit Schulen, Kitas und Vereinen im Quartier zusammenarbeitet.\n\n"
    "Kurzer zweiter Absatz.\n\n"
    "- erster Punkt einer Liste\n- zweiter Punkt, der etwas länger ist und deshalb über "
    "die Breite einer Zeile hinausgeht und umbricht"
)


@pytest.fixture
def drafted(room: Room) -> Room:
    room.goal = make_goal(room.circle.action_field, title="Familienzentren", text=LONG)
    return room


def test_lines_wrap_at_eighty_characters_without_splitting_words() -> None:
    numbered = lines.numbered(LONG)
    every = [line for p in numbered for line in p.lines]
    assert [line.number for line in every] == list(range(1, len(every) + 1))
    assert all(len(line.text) <= lines.WIDTH for line in every)
    assert " ".join(line.text for line in numbered[0].lines) == " ".join(
        LONG.split("\n\n")[0].split()
    )
    assert numbered[2].lines[0].text == "- erster Punkt einer Liste"  # a list item starts a line


def test_line_numbers_are_the_same_in_room_print_view_and_markdown(drafted: Room) -> None:
    version = drafted.goal.current_version
    assert version is not None
    room = json.loads(json.dumps(payloads.version_data(version)))
    in_room = {n: text for paragraph in room["lines"] for n, text, _html in paragraph}
    html_in_room = {n: html for paragraph in room["lines"] for n, _text, html in paragraph}
    page = Client().get(f"/ziele/{drafted.goal.pk}/").content.decode()
    in_print = {
        int(n): text
        for n, text in re.findall(
            r'<span class="line" id="zeile-(\d+)"[^>]*><span class="line__no" '
            r'aria-hidden="true">\d+</span> (.*?)</span>(?=<span class="line"|</p>)',
            page,
        )
    }
    markdown = Client().get(f"/ziele/{drafted.goal.pk}/fassungen/1.md")
    assert markdown["Content-Type"].startswith("text/markdown")
    in_markdown = {
        int(n): text
        for n, text in re.findall(r"^`\s*(\d+)` (.*?)(?:  )?$", markdown.content.decode(), re.M)
    }
    assert len(in_room) >= 6
    assert in_room == in_markdown
    assert html_in_room == in_print
    assert any("<strong>Sprachkurse</strong>" in h for h in html_in_room.values())
    # The version page (where "Zeile 12" of a comment links to) numbers the same way.
    version_page = Client().get(f"/ziele/{drafted.goal.pk}/fassungen/1/").content.decode()
    assert f'id="zeile-{len(in_room)}"' in version_page


def test_concept_markdown_numbers_every_current_version(drafted: Room) -> None:
    text = Client().get("/konzept.md").content.decode()
    assert "### Familienzentren" in text
    assert "` Kurzer zweiter Absatz." in text


def test_publishing_a_new_version_marks_the_twin_out_of_date(drafted: Room) -> None:
    goal = drafted.goal
    plain.plain_text_set(actor=drafted.drafter, goal_id=goal.pk, text="Die Stadt hilft Familien.")
    goal.refresh_from_db()
    twin = plain.plain_data(goal.current_version)
    assert twin is not None and twin["outdated"] is False
    services.goal_version_create(actor=drafted.drafter, goal=goal, text=LONG + "\n\nNeu.")
    goal.refresh_from_db()
    twin = plain.plain_data(goal.current_version)
    assert twin is not None
    assert (twin["outdated"], twin["version"]["number"]) == (True, 1)
    page = Client().get(f"/ziele/{goal.pk}/").content.decode()
    assert "veraltet – bezieht sich auf Fassung 1" in page
    assert "Abgestimmt wird nur über den verbindlichen Text." in page
    export = Client().get(f"/ziele/{goal.pk}/fassungen/2.md").content.decode()
    assert "veraltet – bezieht sich auf Fassung 1" in export
    assert "Die Stadt hilft Familien." in export
    # Updated for the new version, it is current again.
    plain.plain_text_set(actor=drafted.drafter, goal_id=goal.pk, text="Neu in Leichter Sprache.")
    assert plain.plain_data(goal.current_version)["outdated"] is False  # type: ignore[index]


def test_setting_the_twin_is_heard_in_every_room_of_the_field(drafted: Room) -> None:
    plain.plain_text_set(actor=drafted.drafter, goal_id=drafted.goal.pk, text="Leicht.")
    event = RoomEvent.objects.get(circle=drafted.circle, kind="goal.plain_text_set")
    assert event.payload["goal"] == drafted.goal.pk
    assert event.payload["plain"]["text"] == "Leicht."
    json.dumps(event.payload)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("viewer", False),
        ("expert", False),
        ("drafter", True),
        ("moderator", True),
    ],
)
def test_only_drafters_and_moderators_write_the_twin(
    drafted: Room, who: str, allowed: bool
) -> None:
    client = Client()
    if who == "viewer":  # signed in, reads the public room, member of nothing
        client.force_login(make_user())
    elif who != "anonymous":
        client.force_login(getattr(drafted, who))
    url = f"/api/v1/goals/{drafted.goal.pk}/plain-text/"
    response = client.put(url, {"text": "Leicht."}, content_type="application/json")
    assert response.status_code in ((200,) if allowed else (401, 403))
    form = client.post(f"/ziele/{drafted.goal.pk}/leichte-sprache/", {"text": "Formular."})
    assert form.status_code == (302 if allowed else 403)
    read = Client().get(url).json()
    assert read["binding_version"]["number"] == 1
    assert (read["plain"] is not None) == allowed
    page = client.get(f"/ziele/{drafted.goal.pk}/").content.decode()
    assert ('name="text"' in page) == allowed


def test_expert_is_refused_by_the_service_too(drafted: Room) -> None:
    with pytest.raises(Forbidden):
        plain.plain_text_set(actor=drafted.expert, goal_id=drafted.goal.pk, text="x")
