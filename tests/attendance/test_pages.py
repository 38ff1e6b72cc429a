"""The attendance page under a room and the deputy's ballot on the motion page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from attendance import selectors
from attendance.models import Deputy, RollCall
from tests.attendance.conftest import show_in_room
from tests.factories import Room
from tests.voting.conftest import open_motion
from voting.models import Ballot

pytestmark = pytest.mark.django_db

PERSONAS = ["moderator", "expert", "outsider", "anonymous"]


def client_for(room: Room, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(room, who))
    return client


def page(room: Room) -> str:
    return reverse("attendance:attendance", args=[room.circle.slug])


def test_the_moderator_runs_the_roll_call_and_registers_a_deputy_on_the_page(aroom: Room) -> None:
    show_in_room(aroom.circle, aroom.expert)
    client = client_for(aroom, "moderator")
    assert "Anwesenheit feststellen" in client.get(page(aroom)).content.decode()
    client.post(reverse("attendance:roll_call_open", args=[aroom.circle.slug]))
    body = client.get(page(aroom)).content.decode()
    assert f'id="present-{aroom.expert.pk}" checked' in body
    response = client.post(
        reverse("attendance:roll_call_save", args=[aroom.circle.slug]),
        {"present": [aroom.expert.pk, aroom.expert2.pk], "close": "1"},
    )
    assert response.status_code == 302
    roll_call = RollCall.objects.get()
    assert roll_call.status == "closed"
    assert selectors.present_ids(roll_call) == {aroom.expert.pk, aroom.expert2.pk}
    response = client.post(
        reverse("attendance:deputy_register", args=[aroom.circle.slug]),
        {"member": aroom.expert3.pk, "deputy": aroom.deputy.username},  # type: ignore[attr-defined]
    )
    assert response.status_code == 302
    assert Deputy.objects.get().deputy == aroom.deputy  # type: ignore[attr-defined]


def test_an_unknown_deputy_username_is_refused_on_the_page(aroom: Room) -> None:
    response = client_for(aroom, "moderator").post(
        reverse("attendance:deputy_register", args=[aroom.circle.slug]),
        {"member": aroom.expert3.pk, "deputy": "nobody-here"},  # type: ignore[attr-defined]
    )
    assert response.status_code == 400
    assert "Ein Konto mit diesem Benutzernamen gibt es nicht." in response.content.decode()
    assert not Deputy.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_moderator_gets_the_forms_and_may_post_them(aroom: Room, persona: str) -> None:
    client = client_for(aroom, persona)
    body = client.get(page(aroom)).content.decode()
    response = client.post(reverse("attendance:roll_call_open", args=[aroom.circle.slug]))
    if persona == "moderator":
        assert "Anwesenheit feststellen" in body
        assert RollCall.objects.exists()
    else:
        assert "Anwesenheit feststellen" not in body
        assert response.status_code in (302, 404)  # anonymous: to the login page
        assert not RollCall.objects.exists()


def test_the_page_is_available_in_english(aroom: Room) -> None:
    client = client_for(aroom, "moderator")
    body = client.get(page(aroom), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Take the roll call" in body


def test_the_deputy_sees_and_casts_the_absent_members_ballot_on_the_motion_page(
    ready_room: Room,
) -> None:
    room = ready_room
    motion = open_motion(room, roll_call=True)
    deputy = client_for(room, "deputy")
    body = deputy.get(reverse("voting:motion", args=[motion.pk])).content.decode()
    name = room.expert3.get_full_name() or room.expert3.get_username()  # type: ignore[attr-defined]
    assert f"Stimme für {name} (Vertretung)" in body
    prefix = f"for-{room.expert3.pk}"  # type: ignore[attr-defined]
    response = deputy.post(
        reverse("voting:deputy_ballot_cast", args=[motion.pk, room.expert3.pk]),  # type: ignore[attr-defined]
        {f"{prefix}-choice": "consent", f"{prefix}-confirm": "on"},
    )
    assert response.status_code == 302
    assert Ballot.objects.filter(motion=motion).count() == 1
    # Nobody else sees a deputy's ballot form.
    expert_body = client_for(room, "expert").get(reverse("voting:motion", args=[motion.pk]))
    assert "(Vertretung)" not in expert_body.content.decode()
