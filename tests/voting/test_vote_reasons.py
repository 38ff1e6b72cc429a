# ruff: noqa: F811  (the room fixtures are imported from tests/rooms/conftest.py)
"""Concerns and vetoes feed the next revision (issue 12, item 6): the reasons given with
"consent with concerns" and "veto" become feedback of the goal, evaluated in the goal's
next round in the room, linked from published versions, listed in the round report and
linked from the vote's result page. A secret vote's reasons carry no author and no order of
casting."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from deliberation.models import Disposition, Goal, Membership, RoomEvent, Round, VoteReason
from deliberation.rounds import report as round_report
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds import services as round_services
from kernel.errors import Forbidden, NotFound
from tests.factories import Room, make_room, make_user
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
from tests.rounds.test_events import _apply as apply_round_event
from tests.voting.conftest import open_motion
from voting import services
from voting.models import Motion

CONCERN = "Die Kosten sind nicht geklärt."
VETO = "Der Datenschutz fehlt völlig."


def cast_and_close(room: Room, *, secret: bool = False) -> Motion:
    """A consent vote on the room's goal with one concern, one veto and one plain consent;
    the veto blocks, so the goal goes back to revision."""
    motion = open_motion(room, secret=secret)
    services.ballot_cast(
        actor=room.expert, motion_id=motion.pk, choice="consent_with_concerns", reason=CONCERN
    )
    services.ballot_cast(actor=room.expert2, motion_id=motion.pk, choice="veto", reason=VETO)
    services.ballot_cast(actor=room.expert3, motion_id=motion.pk, choice="consent")  # type: ignore[attr-defined]
    services.motion_close(actor=room.moderator, motion_id=motion.pk)
    return motion


def next_round(room: Room) -> Round:
    room.goal.refresh_from_db()
    assert room.goal.status == Goal.Status.REVISED
    return round_services.round_open(
        actor=room.moderator, circle=room.circle, agenda=[room.goal.pk]
    )


def to_phase(room: Room, phase: str) -> None:
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase=phase)


def vote_items(round_: Round) -> list[Any]:
    return [i for i in round_selectors.carried_feedback(round_) if i.kind == "vote_reason"]


def reasons_of(motion: Motion) -> dict[str, VoteReason]:
    return {r.kind: r for r in VoteReason.objects.filter(motion_id=motion.pk)}


@pytest.fixture
def voted(vote_room: Room) -> tuple[Room, Motion]:
    return vote_room, cast_and_close(vote_room)


def test_the_goals_next_round_lists_the_concern_and_the_veto_as_feedback(
    voted: tuple[Room, Motion],
) -> None:
    room, motion = voted
    round_ = next_round(room)

    items = [i for i in round_selectors.carried_feedback(round_) if i.kind == "vote_reason"]
    assert sorted((i.label, i.text) for i in items) == [
        (f"Bedenken aus Abstimmung Nr. {motion.pk}", CONCERN),
        (f"Veto aus Abstimmung Nr. {motion.pk}", VETO),
    ]
    assert all(i.goal_id == room.goal.pk and not i.settled for i in items)
    # The room sees them in the round's snapshot, the way its evaluation renders them.
    snapshot = round_selectors.round_snapshot(round_)
    assert {r["text"] for r in snapshot["vote_reasons"]} == {CONCERN, VETO}
    assert {(ref["type"], ref["goal"]) for ref in snapshot["carried_over"]} == {
        ("vote_reason", room.goal.pk)
    }


def test_an_open_vote_keeps_who_gave_the_reason(voted: tuple[Room, Motion]) -> None:
    room, motion = voted
    reasons = reasons_of(motion)
    assert reasons["concern"].author == room.expert
    assert reasons["veto"].author == room.expert2


def test_settled_reasons_are_not_carried_into_the_round_after(
    vote_room: Room,
) -> None:
    motion = cast_and_close(vote_room)
    round_ = next_round(vote_room)
    assert (
        len([i for i in round_selectors.carried_feedback(round_) if i.kind == "vote_reason"]) == 2
    )
    # The round after does not take them again once they are settled.
    to_phase(vote_room, "evaluation")
    for reason in reasons_of(motion).values():
        round_services.disposition_set(
            actor=vote_room.moderator,
            circle=vote_room.circle,
            vote_reason_id=reason.pk,
            value=Disposition.Value.ANSWERED,
            response="Erläutert.",
        )
    to_phase(vote_room, "revision")
    following = round_services.round_open(
        actor=vote_room.moderator, circle=vote_room.circle, agenda=[vote_room.goal.pk]
    )
    assert not [i for i in round_selectors.carried_feedback(following) if i.kind == "vote_reason"]


@pytest.mark.parametrize("who", ["moderator", "drafter"])
def test_moderator_and_field_drafter_give_each_reason_a_disposition(
    voted: tuple[Room, Motion], who: str
) -> None:
    room, motion = voted
    round_ = next_round(room)
    to_phase(room, "evaluation")
    actor = getattr(room, who)
    reasons = reasons_of(motion)
    round_services.disposition_set(
        actor=actor,
        circle=room.circle,
        vote_reason_id=reasons["concern"].pk,
        value=Disposition.Value.ACCEPTED,
        response="Wir legen die Kosten offen.",
    )
    round_services.disposition_set(
        actor=actor,
        circle=room.circle,
        vote_reason_id=reasons["veto"].pk,
        value=Disposition.Value.PARTIALLY_ACCEPTED,
        response="Ein Absatz zum Datenschutz kommt hinzu.",
    )
    items = {
        i.obj.kind: i for i in round_selectors.carried_feedback(round_) if i.kind == "vote_reason"
    }
    assert items["concern"].disposition.value == Disposition.Value.ACCEPTED
    assert items["veto"].disposition.value == Disposition.Value.PARTIALLY_ACCEPTED
    assert items["concern"].disposition.round == round_


@pytest.mark.parametrize("who", ["expert", "outsider", "anonymous"])
def test_others_may_not_give_a_reason_a_disposition(voted: tuple[Room, Motion], who: str) -> None:
    room, motion = voted
    next_round(room)
    to_phase(room, "evaluation")
    actor = AnonymousUser() if who == "anonymous" else getattr(room, who)
    with pytest.raises(Forbidden):
        round_services.disposition_set(
            actor=actor,
            circle=room.circle,
            vote_reason_id=reasons_of(motion)["veto"].pk,
            value=Disposition.Value.NOT_ACCEPTED,
            response="Nein.",
        )
    assert not Disposition.objects.filter(vote_reason__motion_id=motion.pk).exists()


def test_a_reason_of_another_room_is_not_found(voted: tuple[Room, Motion]) -> None:
    _room, motion = voted
    other = make_user()
    elsewhere = make_room()
    Membership.objects.create(user=other, circle=elsewhere.circle, role=Membership.Role.MODERATOR)
    round_services.round_open(actor=other, circle=elsewhere.circle, agenda=[elsewhere.goal.pk])
    round_services.round_set_phase(actor=other, circle=elsewhere.circle, phase="evaluation")
    with pytest.raises(NotFound):
        round_services.disposition_set(
            actor=other,
            circle=elsewhere.circle,
            vote_reason_id=reasons_of(motion)["veto"].pk,
            value=Disposition.Value.NOT_ACCEPTED,
            response="Nein.",
        )


def _api(user: AbstractUser | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [("moderator", 200), ("drafter", 200), ("expert", 403), ("outsider", 403), ("anonymous", 403)],
)
def test_the_rest_api_takes_a_vote_reason_disposition(
    voted: tuple[Room, Motion], who: str, status: int
) -> None:
    room, motion = voted
    next_round(room)
    to_phase(room, "evaluation")
    reason = reasons_of(motion)["veto"]
    url = f"/api/v1/circles/{room.circle.slug}/vote-reasons/{reason.pk}/disposition/"
    response = _api(None if who == "anonymous" else getattr(room, who)).put(
        url, {"value": "answered", "response": "Erklärt."}, format="json"
    )
    assert response.status_code in ((401, 403) if status == 403 else (status,))
    if status == 200:
        assert response.json()["feedback"] == {
            "type": "vote_reason",
            "id": reason.pk,
            "goal": room.goal.pk,
        }
    else:
        assert not Disposition.objects.filter(vote_reason=reason).exists()


def test_a_published_version_links_the_reasons(voted: tuple[Room, Motion]) -> None:
    room, motion = voted
    next_round(room)
    to_phase(room, "evaluation")
    reasons = reasons_of(motion)
    disposition = round_services.disposition_set(
        actor=room.drafter,
        circle=room.circle,
        vote_reason_id=reasons["veto"].pk,
        value=Disposition.Value.ACCEPTED,
        response="Aufgenommen.",
    )
    to_phase(room, "revision")
    version = round_services.goal_version_publish(
        actor=room.drafter,
        circle=room.circle,
        goal_id=room.goal.pk,
        text="Neu, mit Datenschutz.",
        vote_reason_ids=[reasons["veto"].pk, reasons["concern"].pk],
    )
    linked = round_selectors.version_feedback(version)
    assert sorted(i.text for i in linked) == sorted([CONCERN, VETO])
    disposition.refresh_from_db()
    assert disposition.addressed_in == version  # the veto is settled: taken up


def test_a_version_cannot_link_a_reason_of_another_goal(voted: tuple[Room, Motion]) -> None:
    from kernel.errors import Invalid

    room, motion = voted
    next_round(room)
    to_phase(room, "evaluation")
    to_phase(room, "revision")
    other_goal = round_services.services.goal_create(
        actor=None, action_field=room.circle.action_field, title="Anderes Ziel", text="…"
    )
    with pytest.raises(Invalid):
        round_services.goal_version_publish(
            actor=room.drafter,
            circle=room.circle,
            goal_id=other_goal.pk,
            text="Neu.",
            vote_reason_ids=[reasons_of(motion)["veto"].pk],
        )


def test_the_round_report_shows_the_reasons(voted: tuple[Room, Motion]) -> None:
    room, motion = voted
    round_ = next_round(room)
    to_phase(room, "evaluation")
    round_services.disposition_set(
        actor=room.moderator,
        circle=room.circle,
        vote_reason_id=reasons_of(motion)["veto"].pk,
        value=Disposition.Value.NOT_ACCEPTED,
        response="Datenschutz ist schon geregelt.",
    )
    built = round_report.build_round_report(round_)
    markdown = round_report.report_markdown(built)
    assert f"Veto aus Abstimmung Nr. {motion.pk}" in markdown
    assert f"Bedenken aus Abstimmung Nr. {motion.pk}" in markdown
    assert VETO in markdown and "Datenschutz ist schon geregelt." in markdown
    csv_text = round_report.report_csv(built)
    assert VETO in csv_text and CONCERN in csv_text
    assert f"Abstimmung Nr. {motion.pk}" in csv_text
    data = round_report.report_data(built)
    carried = data["goals"][0]["carried_over"]
    assert {c["text"] for c in carried if c["type"] == "vote_reason"} == {CONCERN, VETO}

    page = Client().get(reverse("rounds:report", args=[room.circle.slug, round_.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="rueckmeldung-vote_reason-{reasons_of(motion)["veto"].pk}"' in html
    assert VETO in html and "Datenschutz ist schon geregelt." in html


def test_the_result_page_links_the_reasons_to_the_evaluation(voted: tuple[Room, Motion]) -> None:
    room, motion = voted
    url = reverse("voting:motion", args=[motion.pk])
    before = Client().get(url).content.decode()
    assert "Bedenken und Vetos gehen in die Überarbeitung" in before
    assert reverse("frontend:room", args=[room.circle.slug]) in before

    round_ = next_round(room)
    html = Client().get(url).content.decode()
    veto = reasons_of(motion)["veto"]
    report = reverse("rounds:report", args=[room.circle.slug, round_.number])
    assert f'href="{report}#rueckmeldung-vote_reason-{veto.pk}"' in html


def test_a_secret_vote_stores_no_author_and_orders_reasons_by_text(vote_room: Room) -> None:
    # Cast in an order that is not the alphabetical one: Z…, M…, A….
    extra = [make_user() for _ in range(2)]
    Membership.objects.bulk_create(
        Membership(user=u, circle=vote_room.circle, role=Membership.Role.EXPERT) for u in extra
    )
    motion = open_motion(vote_room, secret=True, veto_blocks=False)
    cast = [
        (vote_room.expert, "consent_with_concerns", "Zuletzt im Alphabet"),
        (vote_room.expert2, "consent_with_concerns", "Mitten im Alphabet"),
        (extra[0], "consent_with_concerns", "Am Anfang des Alphabets"),
        (extra[1], "veto", "Veto: kommt nach den Bedenken"),
    ]
    for voter, choice, reason in cast:
        services.ballot_cast(actor=voter, motion_id=motion.pk, choice=choice, reason=reason)
    services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)

    rows = list(VoteReason.objects.filter(motion_id=motion.pk).order_by("pk"))
    assert [r.text for r in rows] == [
        "Am Anfang des Alphabets",
        "Mitten im Alphabet",
        "Zuletzt im Alphabet",
        "Veto: kommt nach den Bedenken",
    ]
    assert all(r.author_id is None for r in rows)
    assert len({r.created_at for r in rows}) == 1  # the close, not the cast times
    assert rows[0].created_at == Motion.objects.get(pk=motion.pk).closed_at
    payload = json.loads(json.dumps([round_selectors._vote_reason_item(r).as_dict() for r in rows]))
    assert all(p["author"] is None for p in payload)


def test_a_majority_vote_hands_over_no_reasons(vote_room: Room) -> None:
    motion = open_motion(vote_room, method="majority")
    services.ballot_cast(actor=vote_room.expert, motion_id=motion.pk, choice="no", reason="Nein.")
    services.motion_close(actor=vote_room.moderator, motion_id=motion.pk)
    assert not VoteReason.objects.filter(motion_id=motion.pk).exists()


def test_a_stale_snapshot_plus_events_equals_a_fresh_one_with_reasons(
    voted: tuple[Room, Motion],
) -> None:
    """No new event kind: the reasons arrive with ``round.opened`` (the round part of the
    snapshot); their dispositions come as ``disposition.set``."""
    room, motion = voted
    stale = round_selectors.room_round_snapshot(room.circle)  # no round yet: null
    after = RoomEvent.objects.filter(circle=room.circle).order_by("-seq").values("seq")[0]["seq"]
    next_round(room)
    to_phase(room, "evaluation")
    for reason in reasons_of(motion).values():
        round_services.disposition_set(
            actor=room.moderator,
            circle=room.circle,
            vote_reason_id=reason.pk,
            value=Disposition.Value.ANSWERED,
            response="Beantwortet.",
        )
    state = _json(stale)
    for event in RoomEvent.objects.filter(circle=room.circle, seq__gt=after).order_by("seq"):
        state = apply_round_event(state, event.kind, _json(event.payload))
    fresh = _json(round_selectors.room_round_snapshot(room.circle))
    assert state == fresh
    assert {d["feedback"]["type"] for d in fresh["dispositions"]} == {"vote_reason"}
    assert len(fresh["vote_reasons"]) == 2


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# --- over the room socket ------------------------------------------------------------------


def _reasons_in_evaluation(room: Room) -> dict[str, int]:
    motion = open_motion(room)
    services.ballot_cast(
        actor=room.expert, motion_id=motion.pk, choice="consent_with_concerns", reason=CONCERN
    )
    services.ballot_cast(actor=room.expert2, motion_id=motion.pk, choice="veto", reason=VETO)
    services.motion_close(actor=room.moderator, motion_id=motion.pk)
    next_round(room)
    to_phase(room, "evaluation")
    return {kind: r.pk for kind, r in reasons_of(motion).items()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["drafter", "expert", "outsider", "anonymous"])
async def test_the_socket_takes_a_vote_reason_disposition_from_evaluators_only(
    room: Room, join: Join, persona: str
) -> None:
    reasons = await adb(_reasons_in_evaluation)(room)
    actor = await join(persona)
    answer = await actor.request(
        {
            "type": "disposition.set",
            "id": 1,
            "vote_reason": reasons["veto"],
            "value": "answered",
            "response": "Erklärt.",
        }
    )
    stored = await adb(
        lambda: list(
            Disposition.objects.filter(vote_reason_id=reasons["veto"]).values_list(
                "value", flat=True
            )
        )
    )()
    if persona == "drafter":
        assert answer["type"] == "ack", answer
        assert stored == ["answered"]
    else:
        assert answer["type"] == "error"
        assert answer["code"] == "forbidden"
        assert stored == []


@pytest.mark.django_db(transaction=True)
async def test_the_socket_publishes_a_version_that_takes_up_a_vote_reason(
    room: Room, join: Join
) -> None:
    reasons = await adb(_reasons_in_evaluation)(room)
    await adb(to_phase)(room, "revision")
    drafter = await join("drafter")
    answer = await drafter.request(
        {
            "type": "version.publish",
            "id": 1,
            "goal": room.goal.pk,
            "text": "Neu, mit Datenschutz.",
            "vote_reason_ids": [reasons["veto"]],
        }
    )
    assert answer["type"] == "ack", answer
    linked = await adb(
        lambda: [
            i.text
            for i in round_selectors.version_feedback(
                Goal.objects.get(pk=room.goal.pk).current_version  # type: ignore[arg-type]
            )
        ]
    )()
    assert linked == [VETO]
