"""The room's change proposals over REST: the list is a page like every other list (and the
schema says so), and its moments are UTC as everywhere in the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from api.fields import UtcDateTimeField
from deliberation import proposals, proposals_api
from tests.factories import Room, make_goal, make_room

pytestmark = pytest.mark.django_db

TEXT = "Alle Kitas bieten Sprachförderung an. Die Stadt zahlt die Fortbildung."
QUOTES = ("Alle Kitas", "Sprachförderung", "Die Stadt")
UTC_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00")


def _room(*, is_public: bool = True) -> Room:
    room = make_room(is_public=is_public)
    room.goal = make_goal(room.circle.action_field, title="Sprache", text=TEXT)
    return room


def _propose(room: Room, quote: str) -> int:
    start = TEXT.index(quote)
    proposal, _created = proposals.proposal_create(
        actor=room.expert,
        circle=room.circle,
        goal_id=room.goal.pk,
        paragraph=1,
        start=start,
        end=start + len(quote),
        quote=quote,
        replacement=quote.upper(),
        reason="Deutlicher.",
    )
    return int(proposal.pk)


def _url(room: Room) -> str:
    return f"/api/v1/circles/{room.circle.slug}/proposals/"


def _as(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def test_the_proposal_list_is_paginated() -> None:
    room = _room()
    ids = [_propose(room, quote) for quote in QUOTES]

    first = _as(None).get(_url(room), {"limit": 2}).json()
    rest = _as(None).get(first["next"]).json()

    assert first["count"] == 3
    assert [p["id"] for p in first["results"]] == ids[:2]
    assert first["previous"] is None
    assert [p["id"] for p in rest["results"]] == ids[2:]
    assert rest["next"] is None


def test_a_paged_proposal_still_names_its_conflicts_on_other_pages() -> None:
    room = _room()
    first = _propose(room, "Alle Kitas")
    second = _propose(room, "Kitas")  # overlaps the first

    page = _as(None).get(_url(room), {"limit": 1, "offset": 1}).json()

    assert [(p["id"], p["conflicts_with"]) for p in page["results"]] == [(second, [first])]


def test_private_room_proposal_list_is_404_for_the_outsider_and_the_viewer() -> None:
    room = _room(is_public=False)
    _propose(room, "Alle Kitas")

    assert _as(room.outsider).get(_url(room)).status_code == 404
    assert _as(None).get(_url(room)).status_code == 404
    member = _as(room.expert2).get(_url(room))
    assert member.status_code == 200
    assert member.json()["count"] == 1


def test_the_schema_documents_the_proposal_page() -> None:
    schema = _as(None).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/circles/{slug}/proposals/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]

    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    assert page["properties"]["results"]["items"]["$ref"].endswith("/ProposalOutput")
    assert {"limit", "offset"} <= {p["name"] for p in operation.get("parameters", [])}
    # Creating still answers one proposal, not a page.
    created = schema["paths"]["/api/v1/circles/{slug}/proposals/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/ProposalOutput")


def test_proposal_moments_are_sent_in_utc(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Berlin"  # a local offset that is not +00:00
    timezone.activate("Europe/Berlin")
    room = _room()
    proposal_id = _propose(room, "Alle Kitas")
    proposals.proposal_vote_open(actor=room.moderator, circle=room.circle, proposal_id=proposal_id)
    proposals.proposal_vote_close(actor=room.moderator, circle=room.circle)
    proposals.proposal_withdraw(actor=room.expert, circle=room.circle, proposal_id=proposal_id)

    listed = _as(None).get(_url(room)).json()["results"][0]

    moments = [
        listed["created_at"],
        listed["withdrawn_at"],
        listed["vote"]["opened_at"],
        listed["vote"]["closed_at"],
    ]
    assert all(UTC_MOMENT.fullmatch(moment) for moment in moments), moments


def test_the_proposal_serializers_declare_their_moments_as_utc() -> None:
    """What the schema promises is the field that writes UTC (``api.fields``), as in every
    other serializer of the API."""
    plain: list[str] = []
    for name in dir(proposals_api):
        candidate = getattr(proposals_api, name)
        if not (isinstance(candidate, type) and issubclass(candidate, serializers.Serializer)):
            continue
        if candidate.__module__ != proposals_api.__name__:
            continue
        for field_name, field in candidate().fields.items():
            if isinstance(field, serializers.DateTimeField) and not isinstance(
                field, UtcDateTimeField
            ):
                plain.append(f"{name}.{field_name}")

    assert plain == []
    assert isinstance(proposals_api.ProposalOutput().fields["created_at"], UtcDateTimeField)
