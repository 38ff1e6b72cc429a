"""A vote people can trust (issue 12): a motion is never stuck on bad data, rule numbers are
bounded, the motion commits to its rule, text and electorate when it opens, and after close
everybody sees who could and who did vote (never what)."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from deliberation.models import RoomEvent
from kernel.errors import Conflict, Invalid
from tests.factories import Room
from tests.voting.conftest import open_motion
from voting import services, tally
from voting.models import Ballot, Motion

pytestmark = pytest.mark.django_db


def client_as(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def smuggle_ballot(motion: Motion) -> None:
    """A ballot filed under nobody's key, as the superuser's was before rules applied to it."""
    Ballot.objects.create(
        motion=motion, voter_key=secrets.token_hex(32), choice="consent", reason=""
    )


def cast(room: Room, motion: Motion, **votes: str) -> None:
    for who, choice in votes.items():
        services.ballot_cast(
            actor=getattr(room, who),
            motion_id=motion.pk,
            choice=choice,
            reason="Bedenken" if choice in ("veto", "consent_with_concerns") else "",
        )


# --- a motion can never be stuck -------------------------------------------------------------


def test_a_ballot_beyond_the_eligible_count_is_refused_at_cast_time(
    vote_room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    motion = open_motion(vote_room)
    smuggle_ballot(motion)
    smuggle_ballot(motion)
    cast(vote_room, motion, expert="consent")
    with caplog.at_level(logging.ERROR, logger="voting.services"), pytest.raises(Conflict):
        services.ballot_cast(actor=vote_room.expert2, motion_id=motion.pk, choice="consent")
    assert Ballot.objects.filter(motion=motion).count() == 3
    assert "refused one more" in caplog.text


def test_closing_with_an_extra_ballot_is_refused_over_the_api_not_a_500(
    vote_room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    motion = open_motion(vote_room, secret=True)
    cast(vote_room, motion, expert="consent", expert2="consent", expert3="consent")
    smuggle_ballot(motion)
    with caplog.at_level(logging.ERROR, logger="voting.services"):
        response = client_as(vote_room.moderator).post(
            reverse("api-motion-close", args=[motion.pk]), {}, content_type="application/json"
        )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "conflict"
    assert "Stimmzettel" in response.json()["detail"]
    assert f"motion {motion.pk} cannot be closed" in caplog.text
    motion.refresh_from_db()
    assert motion.status == Motion.Status.OPEN
    assert motion.voter_key_salt  # nothing was erased by the refused close
    assert not RoomEvent.objects.filter(kind="motion.closed").exists()


def test_closing_with_a_ballot_of_nobody_eligible_is_refused_on_the_page(
    vote_room: Room,
) -> None:
    """Fewer ballots than voters, but one belongs to no eligible voter: still refused."""
    motion = open_motion(vote_room)
    cast(vote_room, motion, expert="consent")
    smuggle_ballot(motion)
    client = client_as(vote_room.moderator)
    response = client.post(
        reverse("voting:motion_close", args=[motion.pk]),
        {"rejected_goal_status": "revised", "confirm": "on"},
        follow=True,
    )
    assert response.status_code == 200
    assert "kann nicht ausgezählt werden" in response.content.decode()
    motion.refresh_from_db()
    assert motion.status == Motion.Status.OPEN


def test_a_due_motion_with_bad_data_stays_readable(vote_room: Room) -> None:
    from datetime import timedelta

    from django.utils import timezone

    motion = open_motion(vote_room, deadline=timezone.now() + timedelta(hours=1))
    smuggle_ballot(motion)
    assert (
        services.motion_close_if_due(motion_id=motion.pk, now=timezone.now() + timedelta(hours=2))
        is None
    )
    assert client_as(None).get(reverse("api-motion-detail", args=[motion.pk])).status_code == 200


# --- rule numbers are bounded decimals -------------------------------------------------------

HUGE = {
    "tiny exponent": "1e-9999",
    "the probe's exponent": "1e-99999999",
    "capital exponent": "1E3",
    "decimal exponent": "0.5e1",
    "exponent denominator": "1/1e9999",
    "long numerator": "1234567/9999999",
    "many digits": "0." + "3" * 40,
    "huge string": "9" * 5000,
}


@pytest.mark.parametrize("field", ["quorum", "threshold"])
@pytest.mark.parametrize("value", list(HUGE.values()), ids=list(HUGE))
def test_an_exponent_or_a_huge_number_is_a_400_over_the_api(
    vote_room: Room, field: str, value: str
) -> None:
    response = client_as(vote_room.moderator).post(
        reverse("api-circle-motion-open", args=[vote_room.circle.slug]),
        {"goals": [vote_room.goal.pk], "method": "consent", field: value},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    # the service's domain error, or the serializer's length check for very long strings
    assert body.get("field") == field or field in body, body
    assert not Motion.objects.exists()


@pytest.mark.parametrize("value", ["1e-9999", "1e-99999999"])
def test_an_exponent_is_refused_by_the_service_as_invalid(vote_room: Room, value: str) -> None:
    with pytest.raises(Invalid) as refused:
        open_motion(vote_room, threshold=value)
    assert refused.value.field == "threshold"
    assert not Motion.objects.exists()


def test_an_exponent_in_the_opening_form_is_shown_at_the_field(vote_room: Room) -> None:
    response = client_as(vote_room.moderator).post(
        reverse("voting:motion_open", args=[vote_room.circle.slug]),
        {
            "goals": [vote_room.goal.pk],
            "method": "consent",
            "quorum": "1/2",
            "threshold": "1e-9999",
            "rejected_goal_status": "revised",
        },
    )
    assert response.status_code == 400
    assert "ohne Exponent" in response.content.decode()
    assert not Motion.objects.exists()


@pytest.mark.parametrize("value", ["2/3", "0.5", "0,75", "1", "999999/999999", "1/100000"])
def test_plain_fractions_and_decimals_still_open(vote_room: Room, value: str) -> None:
    motion = open_motion(vote_room, quorum=value)
    assert tally.parse_share(motion.rule["quorum"]) == tally.parse_share(value)


def test_the_verifier_refuses_a_record_with_a_huge_exponent_quickly() -> None:
    record = {
        "format": tally.FORMAT_V1,
        "motion": {"id": 1},
        "rule": {
            "method": "majority",
            "quorum": "1e-99999999",
            "threshold": "1/2",
            "threshold_mode": "more_than",
            "secret": False,
            "changeable": True,
            "deadline": None,
        },
        "subject": {"version": {"id": 1, "number": 1, "text": "T"}},
        "eligible": 1,
        "ballots": [],
        "result": {},
    }
    problems = tally.verify(tally.canonical_json(record))
    assert any("cannot recount" in p and "quorum" in p for p in problems)


# --- commitment at opening -------------------------------------------------------------------


def test_opening_publishes_a_fingerprint_in_the_event_the_api_and_the_page(
    vote_room: Room,
) -> None:
    motion = open_motion(vote_room)
    motion.refresh_from_db()
    assert len(motion.fingerprint) == 64
    assert motion.fingerprint == tally.digest(motion.commitment)
    event = RoomEvent.objects.get(kind="motion.opened")
    assert event.payload["motion"]["fingerprint"] == motion.fingerprint
    detail = client_as(None).get(reverse("api-motion-detail", args=[motion.pk])).json()
    assert detail["fingerprint"] == motion.fingerprint
    page = client_as(None).get(reverse("voting:motion", args=[motion.pk])).content.decode()
    assert f"data-fingerprint>{motion.fingerprint}</code>" in page


def test_the_fingerprint_covers_rule_text_and_electorate(vote_room: Room) -> None:
    motion = open_motion(vote_room, method="majority", quorum="2/3")
    motion.refresh_from_db()
    commitment = motion.commitment
    assert commitment["rule"] == motion.rule
    assert commitment["subject"]["version"]["text"] == motion.version.text
    voters = sorted([vote_room.expert.pk, vote_room.expert2.pk, vote_room.expert3.pk])
    assert commitment["electorate"] == {
        "eligible": 3,
        "voters_sha256": tally.electorate_hash(voters),
    }


def closed_record(room: Room, **options: Any) -> tuple[Motion, dict[str, Any], str]:
    motion = open_motion(room, **options)
    cast(room, motion, expert="consent", expert2="veto")
    result = services.motion_close(actor=room.moderator, motion_id=motion.pk)
    motion.refresh_from_db()
    return motion, result.record, result.digest


@pytest.mark.parametrize("secret", [False, True])
def test_the_record_embeds_the_commitment_and_verifies_against_both(
    vote_room: Room, secret: bool
) -> None:
    motion, record, digest = closed_record(vote_room, secret=secret)
    assert record["fingerprint"] == motion.fingerprint
    assert record["opening"] == motion.commitment
    assert record["cast"] == 2
    assert record["eligible"] == 3
    assert tally.verify(tally.canonical_json(record), digest, motion.fingerprint) == []


def test_the_verifier_notices_a_rule_changed_after_opening(vote_room: Room) -> None:
    motion, record, _digest = closed_record(vote_room)
    record["rule"]["veto_blocks"] = False
    record["result"] = tally.count_record(record)  # a consistent forgery of the result
    problems = tally.verify(tally.canonical_json(record), tally.digest(record), motion.fingerprint)
    assert "the rule differs from the one committed at opening" in problems


def test_the_verifier_notices_a_swapped_commitment(vote_room: Room) -> None:
    motion, record, _digest = closed_record(vote_room)
    record["opening"]["rule"] = record["rule"] = {**record["rule"], "threshold": "1/3"}
    record["fingerprint"] = tally.digest(record["opening"])
    record["result"] = tally.count_record(record)
    problems = tally.verify(tally.canonical_json(record), tally.digest(record), motion.fingerprint)
    assert any("published at opening" in p for p in problems)


def test_an_extra_ballot_is_detectable_from_the_record(vote_room: Room) -> None:
    """Three ballots, three eligible: the count alone accepts it; the record says only two
    voters took part, and the verifier says so."""
    motion, record, _digest = closed_record(vote_room)
    extra = {"choice": "consent", "reason": ""}
    record["ballots"] = tally.sort_ballots([*record["ballots"], extra])
    record["cast"] = 3
    record["result"] = tally.count_record(record)
    problems = tally.verify(tally.canonical_json(record), None, motion.fingerprint)
    assert "3 ballots were cast by 2 voters" in problems


def test_the_verifier_notices_an_electorate_changed_after_opening(vote_room: Room) -> None:
    motion, record, _digest = closed_record(vote_room)
    record["electorate"]["voters"] = sorted([*record["electorate"]["voters"][1:], 999999])
    problems = tally.verify(tally.canonical_json(record), None, motion.fingerprint)
    assert "the eligible voters differ from the ones committed at opening" in problems


# --- who could and who did vote --------------------------------------------------------------


@pytest.mark.parametrize("secret", [False, True])
def test_after_close_the_api_lists_who_could_and_who_did_vote(
    vote_room: Room, secret: bool
) -> None:
    motion = open_motion(vote_room, secret=secret)
    cast(vote_room, motion, expert="consent", expert2="veto")
    url = reverse("api-motion-detail", args=[motion.pk])
    assert client_as(None).get(url).json()["electorate"] is None  # not while it runs
    services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    for name in ("api-motion-detail", "api-motion-result"):
        body = client_as(vote_room.outsider).get(reverse(name, args=[motion.pk])).json()
        took_part = {m["id"]: m["took_part"] for m in body["electorate"]}
        assert took_part == {
            vote_room.expert.pk: True,
            vote_room.expert2.pk: True,
            vote_room.expert3.pk: False,
        }
        assert all(set(m) == {"id", "name", "took_part"} for m in body["electorate"])


def test_after_close_the_result_page_lists_who_took_part_of_a_secret_vote(
    vote_room: Room,
) -> None:
    motion = open_motion(vote_room, secret=True)
    cast(vote_room, motion, expert="consent")
    page = client_as(None).get(reverse("voting:motion", args=[motion.pk])).content.decode()
    assert "data-electorate" not in page
    services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    page = client_as(None).get(reverse("voting:motion", args=[motion.pk])).content.decode()
    assert "data-electorate" in page
    assert f"{vote_room.expert.first_name} – hat teilgenommen" in page
    assert f"{vote_room.expert3.first_name} – hat nicht teilgenommen" in page


def test_the_record_lists_who_took_part_but_no_secret_ballot_names_anybody(
    vote_room: Room,
) -> None:
    _motion, record, _digest = closed_record(vote_room, secret=True)
    assert record["electorate"]["took_part"] == sorted([vote_room.expert.pk, vote_room.expert2.pk])
    assert all("voter" not in ballot for ballot in record["ballots"])
    assert json.dumps(record).count(str(vote_room.expert.first_name)) == 0
