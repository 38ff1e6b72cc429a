"""``GET /api/v1/circles/<slug>/rounds/<n>/public-feedback/``: the public's feedback a round
evaluates (what the room's evaluation workspace shows beside the room's own comments), with
its source, its disposition, paginated; read by whoever sees the room, decided through the
PUT disposition endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from deliberation.models import Membership, Round
from participation.models import Contribution
from tests.factories import make_circle, make_field, make_user
from tests.participation.conftest import Site
from tests.participation.test_evaluation import approved_idea, open_round, text_answer

pytestmark = pytest.mark.django_db


def url(site: Site, number: int = 1) -> str:
    return f"/api/v1/circles/{site.circle.slug}/rounds/{number}/public-feedback/"


def listed(site: Site, persona: str = "drafter", **query: Any) -> dict[str, Any]:
    response = site.client(persona).get(url(site), query)
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_the_round_lists_the_publics_ideas_and_answers_with_their_source(site: Site) -> None:
    linked = approved_idea(site)
    unlinked = approved_idea(site, goal=False)
    answer = text_answer(site)
    open_round(site, phase=Round.Phase.EVALUATION)

    data = listed(site)

    assert data["count"] == 3
    by_ref = {(item["type"], item["id"]): item for item in data["results"]}
    # The agenda's goal first (in the order received), then the field's unlinked ideas.
    assert [(i["type"], i["id"]) for i in data["results"]][-1] == ("contribution", unlinked.pk)
    idea = by_ref[("contribution", linked.pk)]
    assert idea["source"] == {
        "kind": "idea",
        "label": "Idee",
        "title": "Sprachkurse am Abend",
        "question": None,
        "url": f"/beteiligung/beitraege/{linked.pk}/",
    }
    assert idea["goal"] == site.goal.pk and idea["goal_title"] == "Sprachkurse für alle"
    assert idea["author"]["name"] and idea["disposition"] is None
    assert idea["text"].startswith("Sprachkurse am Abend")
    reply = by_ref[("answer", answer.pk)]
    assert reply["source"]["kind"] == "questionnaire"
    assert reply["source"]["title"] == "Wie erleben Sie Sprachkurse?"
    assert reply["source"]["question"] == "Was sollte sich ändern?"
    assert "Mehr Kurse am Wochenende" in reply["text"]
    # A questionnaire's respondents are not named, as in its CSV.
    assert reply["author"] is None
    assert by_ref[("contribution", unlinked.pk)]["goal_title"] is None


def test_a_disposition_given_through_put_is_listed_with_the_item(site: Site) -> None:
    answer = text_answer(site)
    open_round(site, phase=Round.Phase.EVALUATION)
    put = site.client("drafter").put(
        f"/api/v1/circles/{site.circle.slug}/answers/{answer.pk}/disposition/",
        {"value": "partially_accepted", "response": "Teilweise übernommen."},
        content_type="application/json",
    )
    assert put.status_code == 200

    (item,) = listed(site, "moderator")["results"]

    assert item["disposition"]["value"] == "partially_accepted"
    assert item["disposition"]["response"] == "Teilweise übernommen."
    assert item["disposition"]["decided_by"]["name"] == "Drafter"


def test_the_list_is_paginated(site: Site) -> None:
    for _n in range(3):
        approved_idea(site)
    open_round(site, phase=Round.Phase.EVALUATION)

    first = listed(site, limit=2)
    rest = listed(site, limit=2, offset=2)

    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    assert len(rest["results"]) == 1 and rest["next"] is None
    ids = {i["id"] for i in first["results"]} | {i["id"] for i in rest["results"]}
    assert ids == set(Contribution.objects.values_list("pk", flat=True))


def test_an_unknown_round_is_a_404(site: Site) -> None:
    response = site.client("moderator").get(url(site, 7))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("staff", True),
        ("moderator", True),
        ("member", True),
        ("drafter", True),  # of the field's working group: not a member of the circle
        ("other_drafter", False),  # of another field's working group
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_a_private_circles_public_feedback_is_read_by_those_who_see_its_room(
    site: Site, persona: str, allowed: bool
) -> None:
    site.circle.is_public = False
    site.circle.save(update_fields=["is_public"])
    other_drafter = make_user("other_drafter")
    Membership.objects.create(
        user=other_drafter,
        circle=make_circle(make_field(site.concept), kind="working_group"),
        role=Membership.Role.DRAFTER,
    )
    site.other_drafter = other_drafter  # type: ignore[attr-defined]
    approved_idea(site)
    open_round(site, phase=Round.Phase.EVALUATION)

    response = site.client(persona).get(url(site))

    if allowed:
        assert response.status_code == 200 and response.json()["count"] == 1
    else:
        assert response.status_code == 404
        assert "Sprachkurse" not in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
def test_a_public_circles_viewers_read_it_as_they_read_the_report(site: Site, persona: str) -> None:
    approved_idea(site)
    open_round(site, phase=Round.Phase.EVALUATION)

    assert listed(site, persona)["count"] == 1


def test_writing_to_the_list_is_refused(site: Site) -> None:
    open_round(site, phase=Round.Phase.EVALUATION)
    response = site.client("moderator").post(url(site), {}, content_type="application/json")
    assert response.status_code == 405
