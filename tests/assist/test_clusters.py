"""Clusters of similar feedback, found on the server: a moderator confirms one, and one
disposition reaches every member; near-duplicate goals of different fields are flagged."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from assist.clusters import (
    cluster_confirm,
    cluster_disposition_set,
    cluster_suggestions,
    goal_overlaps,
)
from assist.models import FeedbackCluster
from deliberation.models import Disposition, RoomEvent
from kernel.errors import Conflict, Forbidden, NotFound
from participation.models import Contribution
from tests.assist.conftest import PERSONAS, client_for, open_round, persona, say, to_evaluation
from tests.factories import Room, make_field, make_goal, make_user

pytestmark = pytest.mark.django_db


def _opinion(room: Room, body: str) -> Contribution:
    return Contribution.objects.create(
        concept=room.goal.action_field.concept,
        kind=Contribution.Kind.OPINION,
        author=make_user(),
        body=body,
        body_html=f"<p>{body}</p>",
        state=Contribution.State.APPROVED,
        goal=room.goal,
        created_at=timezone.now(),
    )


@pytest.fixture
def feedback(room: Room) -> dict[str, Any]:
    round_ = open_round(room)
    first = say(room, "Die Sprachkurse sollten auch abends stattfinden.")
    second = say(room, "Die Sprachkurse sollten auch am Abend stattfinden!", author=room.expert2)
    other = say(room, "Wer bezahlt die Horte?")
    public = _opinion(room, "Abends Sprachkurse anbieten, bitte.")
    return {"round": round_, "first": first, "second": second, "other": other, "public": public}


def test_near_duplicates_are_suggested_and_the_rest_is_not(
    room: Room, feedback: dict[str, Any]
) -> None:
    suggestions = cluster_suggestions(feedback["round"])
    assert len(suggestions) == 1
    refs = set(suggestions[0].refs)
    assert {f"c{feedback['first'].pk}", f"c{feedback['second'].pk}"} <= refs
    assert f"c{feedback['other'].pk}" not in refs


def test_confirmed_clusters_disposition_reaches_every_member(
    room: Room, feedback: dict[str, Any]
) -> None:
    refs = [f"c{feedback['first'].pk}", f"c{feedback['second'].pk}", f"p{feedback['public'].pk}"]
    cluster = cluster_confirm(
        actor=room.moderator, circle=room.circle, round_=feedback["round"], refs=refs
    )
    assert cluster_suggestions(feedback["round"]) == []  # confirmed items are no suggestion
    to_evaluation(room)
    given = cluster_disposition_set(
        actor=room.moderator,
        circle=room.circle,
        round_=feedback["round"],
        cluster_id=cluster.pk,
        value="accepted",
        response="Wir prüfen Abendkurse.",
    )
    assert len(given) == 3
    for obj in (feedback["first"], feedback["second"], feedback["public"]):
        obj.refresh_from_db()
        assert (obj.disposition.value, obj.disposition.response) == (
            "accepted",
            "Wir prüfen Abendkurse.",
        )
    assert not Disposition.objects.filter(comment=feedback["other"]).exists()
    # each submitter sees it where they always do: the room's event, the contribution's page
    assert RoomEvent.objects.filter(circle=room.circle, kind="disposition.set").count() == 2
    page = client_for(room, "anonymous").get(f"/beteiligung/beitraege/{feedback['public'].pk}/")
    assert page.status_code == 200 and "Wir prüfen Abendkurse." in page.content.decode()


def test_cluster_disposition_is_all_or_nothing(room: Room, feedback: dict[str, Any]) -> None:
    refs = [f"c{feedback['first'].pk}", f"c{feedback['second'].pk}"]
    cluster = cluster_confirm(
        actor=room.moderator, circle=room.circle, round_=feedback["round"], refs=refs
    )
    # still in discussion: the disposition services refuse, nothing is written
    with pytest.raises(Conflict):
        cluster_disposition_set(
            actor=room.moderator, circle=room.circle, round_=feedback["round"],
            cluster_id=cluster.pk, value="accepted", response="Ja.",
        )  # fmt: skip
    assert not Disposition.objects.exists()


def test_feedback_belongs_to_one_cluster(room: Room, feedback: dict[str, Any]) -> None:
    refs = [f"c{feedback['first'].pk}", f"c{feedback['second'].pk}"]
    cluster_confirm(actor=room.moderator, circle=room.circle, round_=feedback["round"], refs=refs)
    with pytest.raises(Conflict):
        cluster_confirm(
            actor=room.moderator, circle=room.circle, round_=feedback["round"],
            refs=[refs[0], f"c{feedback['other'].pk}"],
        )  # fmt: skip
    with pytest.raises(NotFound):
        cluster_confirm(
            actor=room.moderator, circle=room.circle, round_=feedback["round"],
            refs=[f"c{feedback['other'].pk}", "c999999"],
        )  # fmt: skip
    assert FeedbackCluster.objects.count() == 1


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_moderator_confirms(room: Room, feedback: dict[str, Any], name: str) -> None:
    refs = [f"c{feedback['first'].pk}", f"c{feedback['second'].pk}"]
    if name == "moderator":
        cluster_confirm(
            actor=persona(room, name), circle=room.circle, round_=feedback["round"], refs=refs
        )
        assert FeedbackCluster.objects.count() == 1
    else:
        with pytest.raises(Forbidden):
            cluster_confirm(
                actor=persona(room, name), circle=room.circle, round_=feedback["round"], refs=refs
            )
        assert not FeedbackCluster.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_moderator_disposes_a_cluster(
    room: Room, feedback: dict[str, Any], name: str
) -> None:
    refs = [f"c{feedback['first'].pk}", f"c{feedback['second'].pk}"]
    cluster = cluster_confirm(
        actor=room.moderator, circle=room.circle, round_=feedback["round"], refs=refs
    )
    to_evaluation(room)
    response = client_for(room, name).post(
        f"/raeume/{room.circle.slug}/runden/1/aehnliche-rueckmeldungen/",
        {"action": "dispose", "cluster": cluster.pk, "value": "accepted", "response": "Ja."},
    )
    if name == "moderator":
        assert response.status_code == 302 and Disposition.objects.count() == 2
    else:
        assert response.status_code == 403 and not Disposition.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_clusters_page_of_a_private_room(private: Room, name: str) -> None:
    open_round(private)
    response = client_for(private, name).get(
        f"/raeume/{private.circle.slug}/runden/1/aehnliche-rueckmeldungen/"
    )
    assert response.status_code == {"moderator": 200, "expert": 403}.get(name, 404)


def test_near_duplicate_goals_of_different_fields_are_flagged(room: Room) -> None:
    concept = room.goal.action_field.concept
    text = "Alle Kinder erhalten in der Kita tägliche Sprachförderung durch geschultes Personal."
    kita = make_goal(room.goal.action_field, title="Sprachförderung in Kitas", text=text)
    other_field = make_field(concept)
    twin = make_goal(
        other_field,
        title="Sprachförderung in der Kita",
        text=text.replace("tägliche", "regelmäßige"),
    )
    same_field_twin = make_goal(room.goal.action_field, title="Sprachförderung in Kitas", text=text)
    make_goal(
        other_field, title="Arbeit finden", text="Beratung zur Anerkennung von Berufsabschlüssen."
    )
    pairs = goal_overlaps(concept)
    found = {frozenset((p.first.pk, p.second.pk)) for p in pairs}
    assert frozenset((kita.pk, twin.pk)) in found
    assert frozenset((same_field_twin.pk, twin.pk)) in found
    assert frozenset((kita.pk, same_field_twin.pk)) not in found  # same field: not a cross check
    assert all(p.first.action_field_id != p.second.action_field_id for p in pairs)
    assert all(0.35 <= p.similarity <= 1.0001 for p in pairs)


@pytest.mark.parametrize("name", PERSONAS)
def test_goal_overlaps_page_is_for_moderators_and_staff(room: Room, name: str) -> None:
    slug = room.goal.action_field.concept.slug
    response = client_for(room, name).get(f"/konzept/{slug}/ueberschneidungen/")
    assert response.status_code == (200 if name == "moderator" else 403)
