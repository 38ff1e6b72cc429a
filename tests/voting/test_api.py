"""The vote's REST API, tried by every persona: moderator, expert, drafter, outsider, anonymous."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from deliberation.models import Goal
from tests.factories import Room
from tests.voting.conftest import open_motion
from voting import services, tally
from voting.models import Ballot, Motion

pytestmark = pytest.mark.django_db

PERSONAS = ["moderator", "expert", "drafter", "outsider", "anonymous"]


def client_for(room: Room, who: str) -> APIClient:
    client = APIClient()
    if who != "anonymous":
        client.force_authenticate(getattr(room, who))
    return client


def open_url(room: Room) -> str:
    return reverse("api-circle-motion-open", args=[room.circle.slug])


def ballot_url(motion: Motion) -> str:
    return reverse("api-my-ballot", args=[motion.pk])


# --- opening ---------------------------------------------------------------------------------


def test_the_moderator_opens_a_motion_with_a_rule(vote_room: Room) -> None:
    response = client_for(vote_room, "moderator").post(
        open_url(vote_room),
        {
            "goals": [vote_room.goal.pk],
            "method": "majority",
            "threshold": "2/3",
            "threshold_mode": "at_least",
            "secret": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    (body,) = response.json()
    assert body["rule"]["threshold"] == "2/3"
    assert body["secret"] is True
    assert body["eligible"] == 3
    assert body["turnout"] == 0
    assert body["result"] is None


@pytest.mark.parametrize(("who", "status"), [("expert", 403), ("drafter", 403), ("outsider", 403)])
def test_others_cannot_open_a_motion(vote_room: Room, who: str, status: int) -> None:
    response = client_for(vote_room, who).post(
        open_url(vote_room), {"goals": [vote_room.goal.pk], "method": "consent"}, format="json"
    )
    assert response.status_code == status
    assert response.json()["code"] == "forbidden"
    assert not Motion.objects.exists()


def test_anonymous_cannot_open_a_motion(vote_room: Room) -> None:
    response = client_for(vote_room, "anonymous").post(
        open_url(vote_room), {"goals": [vote_room.goal.pk], "method": "consent"}, format="json"
    )
    assert response.status_code in (401, 403)
    assert not Motion.objects.exists()


def test_opening_on_a_goal_in_vote_is_a_conflict(vote_room: Room) -> None:
    open_motion(vote_room)
    response = client_for(vote_room, "moderator").post(
        open_url(vote_room), {"goals": [vote_room.goal.pk], "method": "consent"}, format="json"
    )
    assert response.status_code == 409


def test_a_bad_share_is_a_400_naming_the_field(vote_room: Room) -> None:
    response = client_for(vote_room, "moderator").post(
        open_url(vote_room),
        {"goals": [vote_room.goal.pk], "method": "consent", "quorum": "zwei"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "quorum"


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", PERSONAS)
def test_everyone_sees_a_public_circles_motions_without_a_tally(vote_room: Room, who: str) -> None:
    motion = open_motion(vote_room)
    services.ballot_cast(
        actor=vote_room.expert2, motion_id=motion.pk, choice="veto", reason="Grund-4711"
    )
    client = client_for(vote_room, who)
    listing = client.get(reverse("api-circle-motion-list", args=[vote_room.circle.slug]))
    detail = client.get(reverse("api-motion-detail", args=[motion.pk]))
    assert listing.status_code == detail.status_code == 200
    assert listing.json()["results"][0]["id"] == motion.pk
    body = detail.json()
    assert body["turnout"] == 1
    assert body["result"] is None
    assert body["you"]["ballot"] is None  # expert2's ballot is theirs alone
    for response in (listing, detail):
        assert '"veto"' not in response.content.decode()
        assert "Grund-4711" not in response.content.decode()
    result = client.get(reverse("api-motion-result", args=[motion.pk]))
    assert result.status_code == 409
    assert client.get(reverse("api-motion-record", args=[motion.pk])).status_code == 409


@pytest.mark.parametrize(("who", "visible"), [("moderator", True), ("expert", True),
                                              ("drafter", True), ("outsider", False),
                                              ("anonymous", False)])  # fmt: skip
def test_a_private_circles_motions_are_for_members_only(
    private_room: Room, who: str, visible: bool
) -> None:
    motion = open_motion(private_room)
    client = client_for(private_room, who)
    expected = 200 if visible else 404
    assert client.get(reverse("api-motion-detail", args=[motion.pk])).status_code == expected
    listing = client.get(reverse("api-circle-motion-list", args=[private_room.circle.slug]))
    assert listing.status_code == expected


# --- ballots ---------------------------------------------------------------------------------


def test_an_expert_casts_changes_and_reads_their_own_ballot(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    client = client_for(vote_room, "expert")
    first = client.put(ballot_url(motion), {"choice": "consent"}, format="json")
    assert first.status_code == 201
    again = client.put(
        ballot_url(motion), {"choice": "veto", "reason": "Nicht messbar"}, format="json"
    )
    assert again.status_code == 200
    mine = client.get(ballot_url(motion))
    assert mine.json() == {
        "motion": motion.pk,
        "choice": "veto",
        "resistances": None,
        "reason": "Nicht messbar",
    }
    # someone else's view of "my ballot" is their own (none), never the expert's
    assert client_for(vote_room, "expert2").get(ballot_url(motion)).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("moderator", 403), ("drafter", 403),
                                             ("outsider", 403), ("anonymous", 401)])  # fmt: skip
def test_non_eligible_personas_cannot_cast(vote_room: Room, who: str, status: int) -> None:
    motion = open_motion(vote_room)
    response = client_for(vote_room, who).put(
        ballot_url(motion), {"choice": "consent"}, format="json"
    )
    assert response.status_code == status
    assert not Ballot.objects.exists()


def test_a_final_ballot_cannot_be_cast_twice_over_the_api(vote_room: Room) -> None:
    motion = open_motion(vote_room, changeable=False)
    client = client_for(vote_room, "expert")
    assert client.put(ballot_url(motion), {"choice": "consent"}, format="json").status_code == 201
    second = client.put(ballot_url(motion), {"choice": "abstain"}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"


def test_a_veto_without_reason_is_a_400(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    response = client_for(vote_room, "expert").put(
        ballot_url(motion), {"choice": "veto"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "reason"


def test_a_resistance_ballot_over_the_api(vote_room: Room) -> None:
    motion = open_motion(vote_room, method="resistance", alternatives=["Eins.", "Zwei."])
    client = client_for(vote_room, "expert")
    bad = client.put(ballot_url(motion), {"resistances": {"A": 3}}, format="json")
    assert bad.status_code == 400
    good = client.put(ballot_url(motion), {"resistances": {"A": 3, "B": 9}}, format="json")
    assert good.status_code == 201
    assert good.json()["resistances"] == {"A": 3, "B": 9}


# --- closing, result, record -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["expert", "drafter", "outsider", "anonymous"])
def test_only_the_moderator_closes_over_the_api(vote_room: Room, who: str) -> None:
    motion = open_motion(vote_room)
    response = client_for(vote_room, who).post(
        reverse("api-motion-close", args=[motion.pk]), {}, format="json"
    )
    assert response.status_code in (401, 403)
    motion.refresh_from_db()
    assert motion.is_open


def test_close_publishes_result_and_a_record_that_hashes_to_the_digest(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    for who in ("expert", "expert2"):
        client_for(vote_room, who).put(ballot_url(motion), {"choice": "consent"}, format="json")
    closed = client_for(vote_room, "moderator").post(
        reverse("api-motion-close", args=[motion.pk]),
        {"rejected_goal_status": "rejected"},
        format="json",
    )
    assert closed.status_code == 200, closed.json()
    assert closed.json()["result"]["outcome"] == "adopted"
    anonymous = client_for(vote_room, "anonymous")
    result = anonymous.get(reverse("api-motion-result", args=[motion.pk])).json()
    assert result["counts"] == {"consent": 2, "consent_with_concerns": 0, "abstain": 0, "veto": 0}
    assert result["goal_status"] == Goal.Status.ADOPTED
    record = anonymous.get(reverse("api-motion-record", args=[motion.pk]))
    assert hashlib.sha256(record.content).hexdigest() == result["digest"]
    assert tally.verify(record.content, result["digest"]) == []


def test_the_concept_markdown_lists_the_adopted_goal_with_its_digest(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    for who in ("expert", "expert2"):
        services.ballot_cast(actor=getattr(vote_room, who), motion_id=motion.pk, choice="consent")
    result = services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    concept = vote_room.circle.action_field.concept
    response = APIClient().get(reverse("api-concept-document-markdown", args=[concept.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    assert f"### 1.1 {vote_room.goal.title}" in text
    assert motion.version.text.split("\n\n")[0] in text
    assert result.digest in text


def test_the_schema_documents_every_vote_operation(db: Any) -> None:
    response = APIClient().get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    operations = {
        op["operationId"]
        for path in response.json()["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {
        "circle_motions_list",
        "circle_motions_open",
        "motions_retrieve",
        "motions_close",
        "motions_my_ballot_retrieve",
        "motions_my_ballot_cast",
        "motions_result_retrieve",
        "motions_record_retrieve",
        "concepts_document_markdown",
    } <= operations


def test_the_detail_tells_the_requester_what_they_may_do(vote_room: Room) -> None:
    motion = open_motion(vote_room)
    services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="consent")
    url = reverse("api-motion-detail", args=[motion.pk])
    expert = client_for(vote_room, "expert").get(url).json()["you"]
    assert expert == {
        "eligible": True,
        "may_close": False,
        "ballot": {"motion": motion.pk, "choice": "consent", "resistances": None, "reason": ""},
    }
    moderator = client_for(vote_room, "moderator").get(url).json()["you"]
    assert moderator == {"eligible": False, "may_close": True, "ballot": None}
    for who in ("drafter", "outsider", "anonymous"):
        you = client_for(vote_room, who).get(url).json()["you"]
        assert you == {"eligible": False, "may_close": False, "ballot": None}
