"""Change proposals through their services: proposing on a passage of the current version,
conflicts between overlapping ones, the disposition, the quick vote, and applying the
accepted ones exactly when the drafter publishes the next version (traced on the diff page).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.test import Client

from deliberation import proposals
from deliberation.models import (
    ChangeProposal,
    Disposition,
    Goal,
    ProposalBallot,
    RoomEvent,
    Round,
)
from deliberation.proposal_text import Span, apply_spans, paragraph_offsets
from deliberation.rounds import services as round_services
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from tests.factories import PASSWORD, Room, make_goal, make_room, make_user

pytestmark = pytest.mark.django_db

TEXT = (
    "Alle Kitas bieten Sprachförderung an. Die Stadt zahlt die Fortbildung.\n\n"
    "Bis 2025 gibt es zwei Fachkräfte je Einrichtung. Eltern werden beraten."
)
P1, P2 = TEXT.split("\n\n")


@pytest.fixture
def room() -> Room:
    room = make_room()
    goal = make_goal(room.circle.action_field, title="Sprache", text=TEXT)
    room.goal = goal
    return room


def _span_of(paragraph: str, quote: str) -> tuple[int, int]:
    start = paragraph.index(quote)
    return start, start + len(quote)


def propose(room: Room, actor: Any, quote: str, replacement: str, *, paragraph: int = 1) -> Any:
    text = (P1, P2)[paragraph - 1]
    start, end = _span_of(text, quote)
    made, _created = proposals.proposal_create(
        actor=actor,
        circle=room.circle,
        goal_id=room.goal.pk,
        paragraph=paragraph,
        start=start,
        end=end,
        quote=quote,
        replacement=replacement,
        reason="Weil es besser ist.",
    )
    return made


def kinds(room: Room) -> list[str]:
    return list(
        RoomEvent.objects.filter(circle=room.circle).order_by("seq").values_list("kind", flat=True)
    )


def to_evaluation(room: Room) -> None:
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="evaluation")


def open_round(room: Room) -> Round:
    return round_services.round_open(
        actor=room.moderator, circle=room.circle, agenda=[{"goal": room.goal.pk}]
    )


# --- proposing ---------------------------------------------------------------------------------


def test_expert_proposes_new_wording_for_a_sentence(room: Room) -> None:
    proposal = propose(room, room.expert, "Die Stadt zahlt die Fortbildung.", "Die Stadt zahlt.")
    assert (proposal.paragraph, proposal.quote) == (1, "Die Stadt zahlt die Fortbildung.")
    assert proposal.prefix == "Alle Kitas bieten Sprachförderung an. "
    assert proposal.suffix == ""
    event = RoomEvent.objects.get(circle=room.circle, kind="proposal.created")
    data = json.loads(json.dumps(event.payload, cls=DjangoJSONEncoder))["proposal"]
    # The word diff is in the payload: clients only render it.
    assert [op for op in data["diff"] if op["op"] != "equal"] == [
        {"op": "delete", "text": " die Fortbildung"}
    ]
    assert data["conflicts_with"] == []
    assert data["version"]["number"] == 1


def test_same_client_key_gives_the_same_proposal(room: Room) -> None:
    fields = {
        "actor": room.expert,
        "circle": room.circle,
        "goal_id": room.goal.pk,
        "paragraph": 2,
        "start": 0,
        "end": 8,
        "quote": "Bis 2025",
        "replacement": "Bis 2027",
        "reason": "Realistischer.",
        "client_key": "k-1",
    }
    first, created = proposals.proposal_create(**fields)
    again, created_again = proposals.proposal_create(**fields)
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert kinds(room).count("proposal.created") == 1


def test_overlapping_open_proposals_are_flagged_as_conflicts(room: Room) -> None:
    first = propose(room, room.expert, "zwei Fachkräfte", "drei Fachkräfte", paragraph=2)
    second = propose(room, room.expert2, "zwei Fachkräfte je Einrichtung", "vier", paragraph=2)
    apart = propose(room, room.expert2, "Eltern werden beraten.", "", paragraph=2)
    event = RoomEvent.objects.filter(kind="proposal.created").order_by("-seq")[1]
    assert event.payload["proposal"]["conflicts_with"] == [first.pk]
    assert {c["id"]: c["conflicts_with"] for c in event.payload["conflicts"]} == {
        first.pk: [second.pk],
        second.pk: [first.pk],
    }
    snapshot = {p["id"]: p["conflicts_with"] for p in proposals.room_proposals(room.circle)}
    assert snapshot == {first.pk: [second.pk], second.pk: [first.pk], apart.pk: []}
    # Withdrawn, the other one stands alone again.
    proposals.proposal_withdraw(actor=room.expert2, circle=room.circle, proposal_id=second.pk)
    withdrawn = RoomEvent.objects.filter(kind="proposal.withdrawn").get()
    assert {c["id"]: c["conflicts_with"] for c in withdrawn.payload["conflicts"]}[first.pk] == []


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"paragraph": 3}, "paragraph", "Absatz 3 gibt es nicht"),
        ({"start": 10, "end": 999}, "start", "passt nicht in Absatz 1"),
        ({"start": 5, "end": 5, "quote": ""}, "start", "mindestens ein Zeichen"),
        ({"quote": "Alle Kitas bieten X"}, "quote", "stimmt nicht"),
        ({"replacement": "Ein\n\nzwei"}, "replacement", "ohne Leerzeile"),
        ({"reason": "  "}, "reason", "fehlt"),
        ({"replacement": "Alle Kitas"}, "replacement", "dieselbe"),
    ],
)
def test_bad_passage_is_refused_clearly_and_changes_nothing(
    room: Room, fields: dict[str, Any], field: str, words: str
) -> None:
    base = {
        "paragraph": 1,
        "start": 0,
        "end": 10,
        "quote": "Alle Kitas",
        "replacement": "Alle Kindertagesstätten",
        "reason": "Genauer.",
    }
    base.update(fields)
    before = RoomEvent.objects.count()
    with pytest.raises(Invalid) as caught:
        proposals.proposal_create(
            actor=room.expert, circle=room.circle, goal_id=room.goal.pk, **base
        )
    assert caught.value.field == field
    assert words in caught.value.message
    assert ChangeProposal.objects.count() == 0
    assert RoomEvent.objects.count() == before


@pytest.mark.parametrize("who", ["outsider", "viewer", "anonymous"])
def test_non_members_cannot_propose(room: Room, who: str) -> None:
    actor = {"outsider": room.outsider, "viewer": make_user(), "anonymous": AnonymousUser()}[who]
    with pytest.raises(Forbidden):
        propose(room, actor, "Alle Kitas", "Alle Kindertagesstätten")
    assert ChangeProposal.objects.count() == 0


@pytest.mark.parametrize("who", ["moderator", "expert", "drafter"])
def test_members_who_may_comment_may_propose(room: Room, who: str) -> None:
    proposal = propose(room, getattr(room, who), "Alle Kitas", "Alle Kindertagesstätten")
    assert proposal.author == getattr(room, who)


def test_no_proposals_outside_discussion(room: Room) -> None:
    open_round(room)
    to_evaluation(room)
    with pytest.raises(Conflict) as caught:
        propose(room, room.expert, "Alle Kitas", "Alle Kindertagesstätten")
    assert caught.value.field == "phase"


def test_goal_not_in_discussion_takes_no_proposal(room: Room) -> None:
    draft = make_goal(room.circle.action_field, status=Goal.Status.DRAFT)
    with pytest.raises(Conflict):
        proposals.proposal_create(
            actor=room.expert,
            circle=room.circle,
            goal_id=draft.pk,
            paragraph=1,
            start=0,
            end=5,
            quote="Erste",
            replacement="Letzte",
            reason="x",
        )
    with pytest.raises(NotFound):
        proposals.proposal_create(
            actor=room.expert,
            circle=room.circle,
            goal_id=make_room().goal.pk,  # another field's goal
            paragraph=1,
            start=0,
            end=5,
            quote="Erste",
            replacement="Letzte",
            reason="x",
        )


def test_only_the_author_withdraws(room: Room) -> None:
    proposal = propose(room, room.expert, "Alle Kitas", "Alle Kindertagesstätten")
    for other in (room.expert2, room.moderator, room.outsider):
        with pytest.raises(Forbidden):
            proposals.proposal_withdraw(actor=other, circle=room.circle, proposal_id=proposal.pk)
    proposals.proposal_withdraw(actor=room.expert, circle=room.circle, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.state == ChangeProposal.State.WITHDRAWN
    with pytest.raises(Conflict):
        proposals.proposal_withdraw(actor=room.expert, circle=room.circle, proposal_id=proposal.pk)


# --- the disposition ------------------------------------------------------------------------------


def test_disposition_only_during_evaluation_by_drafter_or_moderator(room: Room) -> None:
    open_round(room)
    proposal = propose(room, room.expert, "Alle Kitas", "Alle Kindertagesstätten")
    decide = {"circle": room.circle, "proposal_id": proposal.pk, "response": "Ja."}
    with pytest.raises(Conflict):  # still in discussion
        proposals.proposal_dispose(actor=room.drafter, value="accepted", **decide)
    to_evaluation(room)
    for who in (room.expert, room.outsider, make_user(), AnonymousUser()):
        with pytest.raises(Forbidden):
            proposals.proposal_dispose(actor=who, value="accepted", **decide)
    disposition = proposals.proposal_dispose(actor=room.drafter, value="accepted", **decide)
    assert disposition.proposal == proposal
    proposal.refresh_from_db()
    assert proposal.adopted_text == "Alle Kindertagesstätten"
    event = RoomEvent.objects.filter(kind="disposition.set").get()
    assert event.payload["disposition"]["feedback"] == {
        "type": "proposal",
        "id": proposal.pk,
        "goal": room.goal.pk,
    }
    assert "proposal.decided" in kinds(room)
    # Accepted with changes: the modified wording is what will be applied.
    proposals.proposal_dispose(
        actor=room.moderator,
        value="partially_accepted",
        modified_text="Alle Kindertagesstätten und Horte",
        **decide,
    )
    proposal.refresh_from_db()
    assert proposal.adopted_text == "Alle Kindertagesstätten und Horte"
    proposals.proposal_dispose(actor=room.moderator, value="not_accepted", **decide)
    proposal.refresh_from_db()
    assert proposal.adopted_text is None
    assert Disposition.objects.filter(proposal=proposal).count() == 1


# --- the quick vote -------------------------------------------------------------------------------


def test_quick_vote_one_hand_per_member_shown_live_and_recorded(room: Room) -> None:
    proposal = propose(room, room.expert, "Alle Kitas", "Alle Kindertagesstätten")
    with pytest.raises(Forbidden):
        proposals.proposal_vote_open(actor=room.expert, circle=room.circle, proposal_id=proposal.pk)
    proposals.proposal_vote_open(actor=room.moderator, circle=room.circle, proposal_id=proposal.pk)
    with pytest.raises(Conflict):  # one at a time
        proposals.proposal_vote_open(
            actor=room.moderator, circle=room.circle, proposal_id=proposal.pk
        )
    cast = {"circle": room.circle, "proposal_id": proposal.pk}
    proposals.proposal_vote_cast(actor=room.expert, choice="yes", **cast)
    proposals.proposal_vote_cast(actor=room.expert2, choice="no", **cast)
    proposals.proposal_vote_cast(actor=room.expert2, choice="yes", **cast)  # changed
    proposals.proposal_vote_cast(actor=room.drafter, choice="abstain", **cast)
    for who in (room.outsider, make_user(), AnonymousUser()):
        with pytest.raises(Forbidden):
            proposals.proposal_vote_cast(actor=who, choice="yes", **cast)
    with pytest.raises(Invalid):
        proposals.proposal_vote_cast(actor=room.expert, choice="vielleicht", **cast)
    live = RoomEvent.objects.filter(kind="proposal.vote_cast").order_by("-seq").first()
    assert live is not None
    tally = live.payload["proposal"]["vote"]
    assert (tally["open"], tally["yes"], tally["no"], tally["abstain"]) == (True, 2, 0, 1)
    with pytest.raises(Forbidden):
        proposals.proposal_vote_close(actor=room.expert, circle=room.circle)
    vote = proposals.proposal_vote_close(actor=room.moderator, circle=room.circle)
    assert (vote.yes, vote.no, vote.abstain) == (2, 0, 1)
    data = proposals.proposal_detail(room.circle, proposal.pk)
    assert data is not None
    assert data["vote"]["open"] is False
    assert data["vote"]["yes"] == 2
    with pytest.raises(Conflict):  # closed: no more hands
        proposals.proposal_vote_cast(actor=room.expert, choice="no", **cast)


def test_one_ballot_per_member_is_a_database_constraint(room: Room) -> None:
    proposal = propose(room, room.expert, "Alle Kitas", "Alle Kindertagesstätten")
    vote = proposals.proposal_vote_open(
        actor=room.moderator, circle=room.circle, proposal_id=proposal.pk
    )
    ProposalBallot.objects.create(
        vote=vote, voter=room.expert, choice="yes", cast_at=vote.opened_at
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalBallot.objects.create(
            vote=vote, voter=room.expert, choice="no", cast_at=vote.opened_at
        )


# --- applying on publish --------------------------------------------------------------------------


def test_apply_goes_backwards_within_a_paragraph_and_keeps_the_rest() -> None:
    text = "Eins zwei drei.\n\nVier fünf sechs."
    assert paragraph_offsets(text) == [(0, 15), (17, 33)]
    spans = [
        Span(id=1, paragraph=1, start=0, end=4, text="Null"),
        Span(id=2, paragraph=1, start=10, end=14, text="vier und fünf"),
        Span(id=3, paragraph=2, start=5, end=9, text="FÜNF"),
    ]
    assert apply_spans(text, spans) == "Null zwei vier und fünf.\n\nVier FÜNF sechs."


def _decided(room: Room) -> tuple[ChangeProposal, ChangeProposal, ChangeProposal]:
    open_round(room)
    accepted = propose(room, room.expert, "Alle Kitas", "Alle Kindertagesstätten")
    modified = propose(room, room.expert2, "zwei Fachkräfte", "fünf Fachkräfte", paragraph=2)
    rejected = propose(room, room.expert2, "Eltern werden beraten.", "", paragraph=2)
    to_evaluation(room)
    for proposal, value, extra in (
        (accepted, "accepted", {}),
        (modified, "partially_accepted", {"modified_text": "drei Fachkräfte"}),
        (rejected, "not_accepted", {}),
    ):
        proposals.proposal_dispose(
            actor=room.drafter,
            circle=room.circle,
            proposal_id=proposal.pk,
            value=value,
            response="Entschieden.",
            **extra,
        )
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="revision")
    return accepted, modified, rejected


EXPECTED = (
    "Alle Kindertagesstätten bieten Sprachförderung an. Die Stadt zahlt die Fortbildung.\n\n"
    "Bis 2025 gibt es drei Fachkräfte je Einrichtung. Eltern werden beraten."
)


def test_accepted_and_modified_proposals_end_up_in_the_next_version_exactly(room: Room) -> None:
    accepted, modified, rejected = _decided(room)
    text, applied = proposals.proposals_preview(
        actor=room.drafter, circle=room.circle, goal_id=room.goal.pk
    )
    assert text == EXPECTED
    assert [p.pk for p in applied] == [accepted.pk, modified.pk]
    version = round_services.goal_version_publish(
        actor=room.drafter,
        circle=room.circle,
        goal_id=room.goal.pk,
        text=text,
        change_note="Vorschläge übernommen.",
        proposal_ids=[accepted.pk, modified.pk],
    )
    assert version.text == EXPECTED
    for proposal in (accepted, modified, rejected):
        proposal.refresh_from_db()
    assert (accepted.applied_in, modified.applied_in, rejected.applied_in) == (
        version,
        version,
        None,
    )
    assert accepted.disposition.addressed_in == version
    assert kinds(room).count("proposal.applied") == 2
    # The compare page says which change came from which proposal.
    client = Client()
    page = client.get(f"/ziele/{room.goal.pk}/vergleich/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="#vorschlag-{accepted.pk}"' in html
    assert f'href="#vorschlag-{modified.pk}"' in html
    assert f'id="vorschlag-{modified.pk}"' in html
    assert "Angenommen mit Änderungen:" in html
    assert "Vorgeschlagen war: „fünf Fachkräfte“" in html
    assert f'id="vorschlag-{rejected.pk}"' not in html


def test_overlapping_accepted_proposals_are_refused_naming_them(room: Room) -> None:
    open_round(room)
    one = propose(room, room.expert, "zwei Fachkräfte", "drei Fachkräfte", paragraph=2)
    two = propose(room, room.expert2, "Fachkräfte je", "Personen pro", paragraph=2)
    to_evaluation(room)
    for proposal in (one, two):
        proposals.proposal_dispose(
            actor=room.drafter,
            circle=room.circle,
            proposal_id=proposal.pk,
            value="accepted",
            response="Ja.",
        )
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="revision")
    with pytest.raises(Conflict) as caught:
        proposals.proposals_preview(actor=room.drafter, circle=room.circle, goal_id=room.goal.pk)
    assert f"Vorschlag {one.pk} und {two.pk}" in caught.value.message
    versions = room.goal.versions.count()
    with pytest.raises(Conflict):
        round_services.goal_version_publish(
            actor=room.drafter,
            circle=room.circle,
            goal_id=room.goal.pk,
            text=TEXT + " Neu.",
            proposal_ids=[one.pk, two.pk],
        )
    assert room.goal.versions.count() == versions
    assert not ChangeProposal.objects.filter(applied_in__isnull=False).exists()
    # One of them alone is fine.
    text, _applied = proposals.proposals_preview(
        actor=room.drafter, circle=room.circle, goal_id=room.goal.pk, proposal_ids=[one.pk]
    )
    assert "drei Fachkräfte je Einrichtung" in text


def test_rejected_or_unknown_proposal_cannot_be_applied(room: Room) -> None:
    _accepted, _modified, rejected = _decided(room)
    with pytest.raises(Invalid) as caught:
        round_services.goal_version_publish(
            actor=room.drafter,
            circle=room.circle,
            goal_id=room.goal.pk,
            text=EXPECTED,
            proposal_ids=[rejected.pk, 99999],
        )
    assert str(rejected.pk) in caught.value.message and "99999" in caught.value.message
    assert room.goal.versions.count() == 1


@pytest.mark.parametrize("who", ["outsider", "viewer", "anonymous", "expert"])
def test_only_drafters_and_moderators_preview(room: Room, who: str) -> None:
    actor = {
        "outsider": room.outsider,
        "viewer": make_user(),
        "anonymous": AnonymousUser(),
        "expert": room.expert,
    }[who]
    with pytest.raises(Forbidden):
        proposals.proposals_preview(actor=actor, circle=room.circle, goal_id=room.goal.pk)


# --- REST ---------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_rest_propose_list_and_bad_input(room: Room) -> None:
    url = f"/api/v1/circles/{room.circle.slug}/proposals/"
    start, end = _span_of(P1, "Alle Kitas")
    body = {
        "goal": room.goal.pk,
        "paragraph": 1,
        "start": start,
        "end": end,
        "quote": "Alle Kitas",
        "replacement": "Alle Kindertagesstätten",
        "reason": "Genauer.",
    }
    made = _client(room.expert).post(url, body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["quote"] == "Alle Kitas"
    bad = _client(room.expert).post(
        url, {**body, "quote": "Alle Katzen"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "quote"
    refused = _client(room.outsider).post(url, body, content_type="application/json")
    assert refused.status_code == 403
    anonymous = Client().post(url, body, content_type="application/json")
    assert anonymous.status_code == 401
    listed = Client().get(url)
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["results"]] == [made.json()["id"]]
    assert ChangeProposal.objects.count() == 1


def test_rest_private_room_proposals_are_404_for_outsiders() -> None:
    room = make_room(is_public=False)
    url = f"/api/v1/circles/{room.circle.slug}/proposals/"
    assert _client(room.outsider).get(url).status_code == 404
    assert _client(room.expert).get(url).status_code == 200


def test_rest_preview_for_the_drafter(room: Room) -> None:
    _decided(room)
    url = f"/api/v1/circles/{room.circle.slug}/proposals/apply-preview/?goal={room.goal.pk}"
    answer = _client(room.drafter).get(url)
    assert answer.status_code == 200
    assert answer.json()["text"] == EXPECTED
    assert _client(room.expert).get(url).status_code == 403
    assert _client(room.outsider).get(url).status_code == 403


def test_proposal_endpoints_are_in_the_schema() -> None:
    schema = Client().get("/api/v1/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for operation in (
        "room_proposals_list",
        "room_proposals_create",
        "room_proposals_withdraw",
        "room_proposals_dispose",
        "room_proposals_vote_open",
        "room_proposals_vote_cast",
        "room_proposals_vote_close",
        "room_proposals_apply_preview",
    ):
        assert operation in text
