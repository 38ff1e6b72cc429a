"""Attendance over the REST API, tried by moderator, expert, outsider and anonymous; and a
roll-call vote with a deputy and a quorum over the members present, end to end."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from attendance.models import Deputy, RollCall
from tests.attendance.conftest import show_in_room
from tests.factories import Room
from voting import tally

pytestmark = pytest.mark.django_db

PERSONAS = ["moderator", "expert", "outsider", "anonymous"]


def client_for(room: Room, who: str) -> APIClient:
    client = APIClient()
    if who != "anonymous":
        client.force_authenticate(getattr(room, who))
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_moderator_opens_a_roll_call(aroom: Room, persona: str) -> None:
    url = reverse("api-roll-call-open", args=[aroom.circle.slug])
    response = client_for(aroom, persona).post(url)
    if persona == "moderator":
        assert response.status_code == 201, response.json()
        assert response.json()["status"] == "open"
    else:
        assert response.status_code in (401, 403)
        assert not RollCall.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_moderator_registers_a_deputy(aroom: Room, persona: str) -> None:
    url = reverse("api-deputies", args=[aroom.circle.slug])
    body = {"member": aroom.expert3.pk, "deputy": aroom.deputy.pk}  # type: ignore[attr-defined]
    response = client_for(aroom, persona).post(url, body, format="json")
    if persona == "moderator":
        assert response.status_code == 201, response.json()
        assert response.json()["deputy"]["id"] == aroom.deputy.pk  # type: ignore[attr-defined]
    else:
        assert response.status_code in (401, 403)
        assert not Deputy.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_deputies_are_for_members_and_their_history_for_moderators(
    ready_room: Room, persona: str
) -> None:
    client = client_for(ready_room, persona)
    listed = client.get(reverse("api-deputies", args=[ready_room.circle.slug]))
    history = client.get(reverse("api-deputies-history", args=[ready_room.circle.slug]))
    if persona in ("moderator", "expert"):
        assert listed.status_code == 200
        assert listed.json()["count"] == 1
    else:
        assert listed.status_code in (401, 403)
    if persona == "moderator":
        assert history.status_code == 200
        assert [c["action"] for c in history.json()["results"]] == ["registered"]
    else:
        assert history.status_code in (401, 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_private_circle_roll_call_is_for_its_members_only(persona: str) -> None:
    from attendance import services
    from tests.factories import make_room

    private = make_room(is_public=False)
    services.roll_call_open(actor=private.moderator, circle=private.circle)
    url = reverse("api-roll-call", args=[private.circle.slug])
    response = client_for(private, persona).get(url)
    if persona in ("moderator", "expert"):
        assert response.status_code == 200
        assert response.json()["members"] == 4
    else:
        assert response.status_code == 404


def test_a_roll_call_vote_with_a_deputy_and_a_present_quorum_over_the_api(aroom: Room) -> None:
    room = aroom
    slug = room.circle.slug
    moderator = client_for(room, "moderator")
    show_in_room(room.circle, room.expert)  # expert2 is not in the room yet
    opened = moderator.post(reverse("api-roll-call-open", args=[slug])).json()
    assert {e["user"]["id"] for e in opened["entries"] if e["present"]} == {room.expert.pk}
    marked = moderator.post(
        reverse("api-roll-call-mark", args=[slug]),
        {"user": room.expert2.pk, "present": True},
        format="json",
    )
    assert marked.status_code == 200 and marked.json()["present"] == 2
    closed = moderator.post(reverse("api-roll-call-close", args=[slug])).json()
    assert closed["status"] == "closed"
    moderator.post(
        reverse("api-deputies", args=[slug]),
        {"member": room.expert3.pk, "deputy": room.deputy.pk},  # type: ignore[attr-defined]
        format="json",
    )
    response = moderator.post(
        reverse("api-circle-motion-open", args=[slug]),
        {"goals": [room.goal.pk], "method": "majority", "quorum": "1/1", "quorum_basis": "present"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    motion_id = response.json()[0]["id"]

    deputy = client_for(room, "deputy")
    rights = deputy.get(reverse("api-deputy-rights", args=[motion_id])).json()["results"]
    assert [r["member"]["id"] for r in rights] == [room.expert3.pk]  # type: ignore[attr-defined]
    cast = deputy.put(
        reverse("api-deputy-ballot", args=[motion_id, room.expert3.pk]),  # type: ignore[attr-defined]
        {"choice": "yes"},
        format="json",
    )
    assert cast.status_code == 201, cast.json()
    # A deputy for a present member: refused.
    refused = deputy.put(
        reverse("api-deputy-ballot", args=[motion_id, room.expert.pk]),
        {"choice": "no"},
        format="json",
    )
    assert refused.status_code == 403
    # The absent member cannot vote as well.
    both = client_for(room, "expert3").put(
        reverse("api-my-ballot", args=[motion_id]), {"choice": "no"}, format="json"
    )
    assert both.status_code == 409
    client_for(room, "expert").put(
        reverse("api-my-ballot", args=[motion_id]), {"choice": "yes"}, format="json"
    )
    # 2 of 2 present took part (one of them in person, one deputy): quorum 1/1 met.
    result = moderator.post(reverse("api-motion-close", args=[motion_id]), {}, format="json")
    assert result.status_code == 200, result.json()
    assert result.json()["result"]["outcome"] == "adopted"
    record = moderator.get(reverse("api-motion-record", args=[motion_id]))
    assert tally.verify(record.content, result.json()["result"]["digest"]) == []
    assert record.json()["attendance"]["present"] == 2
    assert record.json()["attendance"]["deputies"]["cast"] == 1
