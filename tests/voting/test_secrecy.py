"""A secret ballot reveals no voter's choice: not in the API, the pages, the room events, the
admin or the database rows — while the vote runs and after it closed.

The voters get unmistakable names and reasons, then every door is searched for them."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from deliberation.models import Membership, RoomEvent
from tests.factories import Room, make_user
from tests.voting.conftest import open_motion
from voting import selectors, services
from voting.models import Ballot, Motion

pytestmark = pytest.mark.django_db

VOTES = {"zoraida": "consent", "quirin": "veto", "ottilie": "consent_with_concerns"}


def make_voters(room: Room) -> dict[str, AbstractUser]:
    voters = {}
    for name in VOTES:
        user = make_user(name, last_name=f"{name.capitalize()}mann", email=f"{name}@example.org")
        Membership.objects.create(user=user, circle=room.circle, role=Membership.Role.EXPERT)
        voters[name] = user
    return voters


def identity_marks(voters: dict[str, AbstractUser]) -> list[str]:
    marks = []
    for user in voters.values():
        marks += [user.username, user.first_name, user.last_name, user.email]
        # A person as payloads show one ({"id", "name"}), a voter key, an admin link: an id
        # alone would also match a goal or version that happens to have the same number.
        marks += [f'"id":{user.pk},"name"', f'"id": {user.pk}, "name"', f'"voter": {user.pk}']
        marks += [f"/auth/user/{user.pk}/"]
    return marks


def everything_a_door_shows(room: Room, motion: Motion, client: Client) -> dict[str, str]:
    concept = room.circle.action_field.concept
    urls = {
        "api detail": reverse("api-motion-detail", args=[motion.pk]),
        "api list": reverse("api-circle-motion-list", args=[room.circle.slug]),
        "api result": reverse("api-motion-result", args=[motion.pk]),
        "api record": reverse("api-motion-record", args=[motion.pk]),
        "api my ballot": reverse("api-my-ballot", args=[motion.pk]),
        "page motion": reverse("voting:motion", args=[motion.pk]),
        "page circle": reverse("voting:circle_motions", args=[room.circle.slug]),
        "page record": reverse("voting:motion_record", args=[motion.pk]),
        "page concept": reverse("voting:concept_document", args=[concept.slug]),
        "page print": reverse("voting:concept_print", args=[concept.slug]),
        "markdown": reverse("voting:concept_markdown", args=[concept.slug]),
    }
    return {
        name: without_electorate(client.get(url).content.decode()) for name, url in urls.items()
    }


ELECTORATE_SECTION = re.compile(r"<section[^>]*data-electorate.*?</section>", re.DOTALL)


def without_electorate(text: str) -> str:
    """The door's text without its list of who could and who did vote: after close it names
    every eligible member on purpose (test_electorate.py), never next to a choice."""
    if text.startswith("{"):
        data = json.loads(text)
        data.pop("electorate", None)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return ELECTORATE_SECTION.sub("", text)


def admin_pages(motion: Motion, admin: AbstractUser) -> dict[str, str]:
    client = Client()
    client.force_login(admin)
    urls = {
        "motion list": reverse("admin:voting_motion_changelist"),
        "motion": reverse("admin:voting_motion_change", args=[motion.pk]),
        "events": reverse("admin:deliberation_roomevent_changelist"),
    }
    if not motion.is_open:
        urls["result"] = reverse("admin:voting_result_change", args=[motion.result.pk])
        urls["result list"] = reverse("admin:voting_result_changelist")
    for event in RoomEvent.objects.filter(kind__startswith="motion."):
        urls[f"event {event.seq}"] = reverse("admin:deliberation_roomevent_change", args=[event.pk])
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    return pages


def assert_no_voter_and_choice_meet(texts: dict[str, str], voters: dict[str, AbstractUser]):
    marks = identity_marks(voters)
    for where, text in texts.items():
        for mark in marks:
            assert mark not in text, f"{where} shows {mark!r}"


@pytest.fixture
def secret_vote(vote_room: Room) -> tuple[Room, Motion, dict[str, AbstractUser]]:
    voters = make_voters(vote_room)
    motion = open_motion(vote_room, secret=True)
    for number, (name, choice) in enumerate(VOTES.items(), start=1):
        services.ballot_cast(
            actor=voters[name], motion_id=motion.pk, choice=choice, reason=f"Grund Nr. {number}"
        )
    return vote_room, motion, voters


@pytest.mark.parametrize("who", ["moderator", "expert", "drafter", "outsider", "anonymous"])
@pytest.mark.parametrize("closed", [False, True])
def test_no_door_shows_who_chose_what(
    secret_vote: tuple[Room, Motion, dict[str, AbstractUser]], who: str, closed: bool
) -> None:
    room, motion, voters = secret_vote
    if closed:
        services.motion_close(actor=room.moderator, motion_id=motion.pk)
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(room, who))
    texts = everything_a_door_shows(room, motion, client)
    assert_no_voter_and_choice_meet(texts, voters)
    if not closed:
        for text in texts.values():
            assert "Grund Nr." not in text  # not even the anonymous reasons before close


def test_the_admin_shows_no_voter_choice(
    secret_vote: tuple[Room, Motion, dict[str, AbstractUser]],
) -> None:
    room, motion, voters = secret_vote
    admin = make_user("verwaltung", is_staff=True, is_superuser=True)
    assert_no_voter_and_choice_meet(admin_pages(motion, admin), voters)
    services.motion_close(actor=room.moderator, motion_id=motion.pk)
    motion.refresh_from_db()
    assert_no_voter_and_choice_meet(admin_pages(motion, admin), voters)


def test_room_events_carry_counts_only_and_no_actor(
    secret_vote: tuple[Room, Motion, dict[str, AbstractUser]],
) -> None:
    room, motion, voters = secret_vote
    services.motion_close(actor=room.moderator, motion_id=motion.pk)
    turnout = RoomEvent.objects.filter(circle=room.circle, kind="motion.turnout").order_by("seq")
    assert [e.payload["turnout"] for e in turnout] == [1, 2, 3]
    assert all(e.actor_id is None for e in turnout)
    voter_ids = {u.pk for u in voters.values()}
    events = RoomEvent.objects.filter(circle=room.circle)
    assert not events.filter(actor_id__in=voter_ids).exists()
    payloads = {
        f"event {e.seq}": json.dumps([e.payload, e.moderator_payload], ensure_ascii=False)
        for e in events
    }
    assert_no_voter_and_choice_meet(payloads, voters)


def test_ballot_rows_carry_no_identity_and_after_close_cannot_be_linked(
    secret_vote: tuple[Room, Motion, dict[str, AbstractUser]],
) -> None:
    room, motion, voters = secret_vote
    rows = list(Ballot.objects.filter(motion=motion).values())
    assert all(row["voter_id"] is None for row in rows)
    assert all(row["cast_at"] is None and row["changed_at"] is None for row in rows)
    # while open, each voter finds their own ballot (and only theirs)
    assert selectors.my_ballot(motion, voters["quirin"]).choice == "veto"  # type: ignore[union-attr]
    services.motion_close(actor=room.moderator, motion_id=motion.pk)
    motion.refresh_from_db()
    assert motion.voter_key_salt == ""
    assert all(selectors.my_ballot(motion, user) is None for user in voters.values())
    record = motion.result.record
    assert all(set(ballot) == {"choice", "reason"} for ballot in record["ballots"])
    assert sorted(b["choice"] for b in record["ballots"]) == sorted(VOTES.values())
