"""The way to the attendance page (the room page and the circle's motions, for its
moderators) and the roll-call options of the server-rendered motion opening form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from attendance.models import DeputyBallotRight, MotionAttendance
from tests.factories import Room
from voting.models import Motion

pytestmark = pytest.mark.django_db

PERSONAS = ["moderator", "expert", "outsider", "anonymous"]


def client_for(room: Room, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(room, who))
    return client


def attendance_link(room: Room) -> str:
    return f'href="{reverse("attendance:attendance", args=[room.circle.slug])}"'


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_moderators_see_the_attendance_link_on_the_room_page(
    aroom: Room, persona: str
) -> None:
    body = client_for(aroom, persona).get(reverse("frontend:room", args=[aroom.circle.slug]))
    assert body.status_code == 200
    assert (attendance_link(aroom) in body.content.decode()) == (persona == "moderator")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_moderators_see_the_attendance_link_on_the_motions_list(
    aroom: Room, persona: str
) -> None:
    url = reverse("voting:circle_motions", args=[aroom.circle.slug])
    body = client_for(aroom, persona).get(url)
    assert body.status_code == 200
    assert (attendance_link(aroom) in body.content.decode()) == (persona == "moderator")


def opening(room: Room, **extra: str) -> dict[str, object]:
    return {
        "goals": [room.goal.pk],
        "method": "consent",
        "quorum": "1/1",
        "rejected_goal_status": "revised",
        "alternatives": "",
        **extra,
    }


def test_the_opening_form_offers_the_roll_call_and_the_present_quorum(aroom: Room) -> None:
    url = reverse("voting:motion_open", args=[aroom.circle.slug])
    body = client_for(aroom, "moderator").get(url).content.decode()
    assert 'name="roll_call"' in body
    assert 'name="quorum_basis"' in body and 'value="present"' in body


def test_the_form_opens_a_vote_with_a_present_quorum_and_the_deputies(ready_room: Room) -> None:
    url = reverse("voting:motion_open", args=[ready_room.circle.slug])
    response = client_for(ready_room, "moderator").post(
        url, opening(ready_room, quorum_basis="present")
    )
    assert response.status_code == 302, response.content.decode()
    motion = Motion.objects.get()
    assert motion.rule["quorum_basis"] == "present" and motion.rule["roll_call"] >= 1
    assert MotionAttendance.objects.get(motion=motion).present_count == 2
    assert list(DeputyBallotRight.objects.values_list("member_id", flat=True)) == [
        ready_room.expert3.pk  # type: ignore[attr-defined]
    ]


def test_the_form_opens_a_roll_call_vote_over_all_eligible(ready_room: Room) -> None:
    url = reverse("voting:motion_open", args=[ready_room.circle.slug])
    response = client_for(ready_room, "moderator").post(url, opening(ready_room, roll_call="on"))
    assert response.status_code == 302
    motion = Motion.objects.get()
    assert "roll_call" in motion.rule and "quorum_basis" not in motion.rule


def test_without_a_closed_roll_call_the_form_says_so_at_the_field(aroom: Room) -> None:
    url = reverse("voting:motion_open", args=[aroom.circle.slug])
    response = client_for(aroom, "moderator").post(url, opening(aroom, roll_call="on"))
    assert response.status_code == 400
    assert "keine abgeschlossene Anwesenheitsfeststellung" in response.content.decode()
    assert not Motion.objects.exists()


def test_the_form_without_the_options_keeps_the_old_rule(aroom: Room) -> None:
    url = reverse("voting:motion_open", args=[aroom.circle.slug])
    response = client_for(aroom, "moderator").post(url, opening(aroom))
    assert response.status_code == 302
    motion = Motion.objects.get()
    assert "roll_call" not in motion.rule and "quorum_basis" not in motion.rule
