# ruff: noqa: F811  (the room fixtures are imported from tests/rooms/conftest.py)
"""A superuser is an administrator, not a voter (issue 12).

The probe: the demo's ``admin`` (``is_staff`` and ``is_superuser``, member of no circle) cast a
ballot on a secret motion, it was counted and the goal was adopted; the motion page offered it
the ballot and the close forms. Django's ``has_perm`` answers True for a superuser before any
rule runs; every door now asks ``kernel.permissions.can``, the rules only. Each attack is
tried by the superuser, a plain staff account, the outsider and the anonymous viewer, through
the REST API, the page forms and the room socket.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from deliberation.models import RoomEvent
from tests.factories import Room, make_user
from tests.rooms.conftest import (  # noqa: F401 (fixtures)
    Join,
    _room_settings,
    cookies,
    join,
    open_socket,
    registry,
    session_cookie,
    sockets,
)
from tests.rooms.support import adb
from tests.voting.conftest import open_motion
from voting.models import Ballot, Motion

INTRUDERS = ("superuser", "staff", "outsider", "anonymous")


def intruder(room: Room, who: str) -> Any:
    if who == "superuser":
        return make_user("admin", is_staff=True, is_superuser=True)
    if who == "staff":
        return make_user("büro", is_staff=True)
    if who == "outsider":
        return room.outsider
    return None


def client_as(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def assert_untouched(motion: Motion) -> None:
    motion.refresh_from_db()
    assert motion.status == Motion.Status.OPEN
    assert not Ballot.objects.filter(motion=motion).exists()
    assert not RoomEvent.objects.filter(kind__in=["motion.turnout", "motion.closed"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", INTRUDERS)
def test_intruder_cannot_cast_a_ballot_through_the_api(room: Room, who: str) -> None:
    motion = open_motion(room, secret=True)
    client = client_as(intruder(room, who))
    response = client.put(
        reverse("api-my-ballot", args=[motion.pk]),
        {"choice": "consent"},
        content_type="application/json",
    )
    assert response.status_code in (401, 403), response.content
    assert_untouched(motion)


@pytest.mark.django_db
@pytest.mark.parametrize("who", INTRUDERS)
def test_intruder_cannot_cast_a_ballot_through_the_page_form(room: Room, who: str) -> None:
    motion = open_motion(room, secret=True)
    client = client_as(intruder(room, who))
    response = client.post(
        reverse("voting:ballot_cast", args=[motion.pk]), {"choice": "consent", "confirm": "on"}
    )
    assert response.status_code in (302, 400), response.status_code
    assert_untouched(motion)


@pytest.mark.django_db
@pytest.mark.parametrize("who", INTRUDERS)
def test_intruder_gets_no_ballot_and_no_close_form_on_the_motion_page(room: Room, who: str) -> None:
    motion = open_motion(room, secret=True)
    client = client_as(intruder(room, who))
    page = client.get(reverse("voting:motion", args=[motion.pk])).content.decode()
    assert reverse("voting:ballot_cast", args=[motion.pk]) not in page
    assert reverse("voting:motion_close", args=[motion.pk]) not in page
    assert "data-ballot-form" not in page
    detail = client.get(reverse("api-motion-detail", args=[motion.pk])).json()
    assert detail["you"]["eligible"] is False
    assert detail["you"]["may_close"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("who", INTRUDERS)
def test_intruder_cannot_close_a_motion(room: Room, who: str) -> None:
    motion = open_motion(room, secret=True)
    client = client_as(intruder(room, who))
    api = client.post(
        reverse("api-motion-close", args=[motion.pk]), {}, content_type="application/json"
    )
    assert api.status_code in (401, 403), api.content
    page = client.post(
        reverse("voting:motion_close", args=[motion.pk]),
        {"rejected_goal_status": "revised", "confirm": "on"},
    )
    assert page.status_code == 302
    assert_untouched(motion)


@pytest.mark.django_db
def test_the_superusers_ballot_is_refused_even_when_it_would_decide(room: Room) -> None:
    """The probe's exact case: one expert vetoes nothing, quorum 1/2 of two experts needs one
    more ballot; the admin's ballot would have adopted the goal."""
    motion = open_motion(room, secret=True)
    admin = intruder(room, "superuser")
    client = client_as(admin)
    client_as(room.expert).put(
        reverse("api-my-ballot", args=[motion.pk]),
        {"choice": "consent"},
        content_type="application/json",
    )
    refused = client.put(
        reverse("api-my-ballot", args=[motion.pk]),
        {"choice": "consent"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert Ballot.objects.filter(motion=motion).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["superuser", "staff"])
async def test_intruder_cannot_cast_or_close_over_the_room_socket(
    room: Room, join: Join, cookies: Any, who: str
) -> None:
    motion = await adb(lambda: open_motion(room, secret=True))()
    user = await adb(intruder)(room, who)
    cookies[who] = await adb(session_cookie)(user)
    socket = await join(who)
    cast = await socket.request(
        {"type": "ballot.cast", "id": 1, "motion": motion.pk, "choice": "consent"}
    )
    close = await socket.request({"type": "motion.close", "id": 2, "motion": motion.pk})
    assert (cast["type"], cast["code"]) == ("error", "forbidden")
    assert (close["type"], close["code"]) == ("error", "forbidden")
    await adb(assert_untouched)(motion)
