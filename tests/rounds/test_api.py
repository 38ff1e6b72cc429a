"""The rounds API through the same services, tried by every persona: the moderator, an
expert, the working group's drafter, an outsider and the anonymous viewer."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from rest_framework.test import APIClient

from deliberation.models import Disposition, GoalVersion, Idea, Rating, RoomEvent, Round
from tests.rounds.conftest import Clock, Demo, Story, comment, open_round, to_phase

pytestmark = pytest.mark.django_db

BASE = "/api/v1/circles/bildung-sprache"


def client_as(demo: Demo, persona: str) -> APIClient:
    client = APIClient()
    if persona != "anonymous":
        client.force_login(demo.persona(persona))
    return client


def test_anyone_reads_the_rounds_of_a_public_circle(demo: Demo, clock: Clock) -> None:
    round_ = open_round(demo)
    response = APIClient().get(f"{BASE}/rounds/")
    assert response.status_code == 200
    [listed] = response.json()["results"]
    assert (listed["id"], listed["number"], listed["phase"]) == (round_.pk, 1, "discussion")
    detail = APIClient().get(f"{BASE}/rounds/1/").json()
    assert detail == listed
    assert detail["agenda"][0]["goal_title"] == "Frühe Sprachförderung in allen Kitas"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("outsider", 404), ("expert", 200), ("moderator", 200)],
)
def test_a_private_circle_s_rounds_are_hidden_from_strangers(
    demo: Demo, persona: str, status: int
) -> None:
    open_round(demo)
    demo.circle.is_public = False
    demo.circle.save(update_fields=["is_public"])
    for path in ("rounds/", "rounds/1/", "rounds/1/report/", "rounds/1/report.csv"):
        assert client_as(demo, persona).get(f"{BASE}/{path}").status_code == status, path


def test_unknown_round_is_404(demo: Demo) -> None:
    assert APIClient().get(f"{BASE}/rounds/7/").status_code == 404
    assert APIClient().get(f"{BASE}/rounds/{2**70}/").status_code == 404


def test_moderator_opens_a_round_and_switches_its_phase(demo: Demo) -> None:
    client = client_as(demo, "moderator")
    response = client.post(
        f"{BASE}/rounds/",
        {
            "agenda": [{"goal": demo.goals[0].pk, "time_box": 300}, {"goal": demo.goals[2].pk}],
            "ratings_public": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["ratings_public"]) == (1, True)
    assert [(i["goal"], i["time_box"]) for i in body["agenda"]] == [
        (demo.goals[0].pk, 300),
        (demo.goals[2].pk, None),
    ]
    switched = client.post(
        f"{BASE}/rounds/1/phase/",
        {"phase": "evaluation", "expected_phase": "discussion"},
        format="json",
    )
    assert switched.status_code == 200 and switched.json()["phase"] == "evaluation"
    jump = client.post(f"{BASE}/rounds/1/phase/", {"phase": "closed"}, format="json")
    assert jump.status_code == 409
    assert jump.json()["code"] == "conflict" and "Überarbeitung" in jump.json()["detail"]


def test_opening_with_a_bad_agenda_is_a_400_naming_the_field(demo: Demo) -> None:
    client = client_as(demo, "moderator")
    empty = client.post(f"{BASE}/rounds/", {"agenda": []}, format="json")
    assert empty.status_code == 400 and "agenda" in empty.json()
    foreign = client.post(f"{BASE}/rounds/", {"agenda": [{"goal": 10**9}]}, format="json")
    assert foreign.status_code == 404 and foreign.json()["field"] == "agenda"
    assert not Round.objects.exists()


def test_agenda_item_start_answers_with_the_deadline(demo: Demo, clock: Clock) -> None:
    round_ = open_round(demo)
    item = round_.agenda.get(order=1)
    response = client_as(demo, "moderator").post(f"{BASE}/rounds/1/agenda/{item.pk}/start/")
    assert response.status_code == 200
    body = response.json()
    assert body["current_item"] == item.pk
    assert body["agenda"][0]["remaining"] == 600
    assert body["agenda"][0]["deadline"].startswith("2025-05-12T10:10:00")


def test_expert_rates_and_sees_own_rating_and_the_aggregate(demo: Demo) -> None:
    open_round(demo)
    client = client_as(demo, "expert")
    url = f"{BASE}/rounds/1/ratings/{demo.goals[0].pk}/"
    response = client.put(url, {"support": 4, "needs_rework": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["rating"]["support"] == 4
    assert response.json()["aggregate"]["count"] == 1
    ratings = client.get(f"{BASE}/rounds/1/ratings/").json()
    assert [(r["goal"], r["support"], r["needs_rework"]) for r in ratings["own"]] == [
        (demo.goals[0].pk, 4, True)
    ]
    assert [a["count"] for a in ratings["aggregates"]] == [1, 0]
    assert APIClient().get(f"{BASE}/rounds/1/ratings/").json()["own"] == []
    bad = client.put(url, {"support": 6}, format="json")
    assert bad.status_code == 400 and "support" in bad.json()


def test_expert_cannot_rate_during_evaluation(demo: Demo) -> None:
    open_round(demo)
    to_phase(demo, Round.Phase.EVALUATION)
    response = client_as(demo, "expert").put(
        f"{BASE}/rounds/1/ratings/{demo.goals[0].pk}/", {"support": 4}, format="json"
    )
    assert response.status_code == 409 and response.json()["field"] == "phase"
    assert not Rating.objects.exists()


def test_ideas_are_proposed_once_per_key_and_decided_by_the_moderator(demo: Demo) -> None:
    open_round(demo)
    expert = client_as(demo, "expert")
    data = {"title": "Lesepaten", "text": "Vorlesen.", "client_key": "k-1"}
    first = expert.post(f"{BASE}/rounds/1/ideas/", data, format="json")
    again = expert.post(f"{BASE}/rounds/1/ideas/", data, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    idea_id = first.json()["id"]
    ideas = APIClient().get(f"{BASE}/rounds/1/ideas/").json()["results"]
    assert [i["id"] for i in ideas] == [idea_id]
    assert expert.post(f"{BASE}/ideas/{idea_id}/accept/", {}, format="json").status_code == 403
    accepted = client_as(demo, "moderator").post(
        f"{BASE}/ideas/{idea_id}/accept/", {"title": "Lesepatenschaften"}, format="json"
    )
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted" and accepted.json()["resulting_goal"]


def test_dispositions_and_a_version_with_linked_feedback(demo: Demo, clock: Clock) -> None:
    open_round(demo)
    said = comment(demo, demo.expert, demo.goals[0], "Konkreter bitte.")
    to_phase(demo, Round.Phase.EVALUATION)
    drafter = client_as(demo, "drafter")
    url = f"{BASE}/comments/{said.pk}/disposition/"
    by_expert = client_as(demo, "expert").put(
        url, {"value": "accepted", "response": "Ja"}, format="json"
    )
    assert by_expert.status_code == 403
    response = drafter.put(url, {"value": "accepted", "response": "Wird konkreter."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "accepted"
    early = drafter.post(
        f"{BASE}/goals/{demo.goals[0].pk}/versions/", {"text": "Neu."}, format="json"
    )
    assert early.status_code == 409
    to_phase(demo, Round.Phase.REVISION)
    published = drafter.post(
        f"{BASE}/goals/{demo.goals[0].pk}/versions/",
        {
            "text": "Konkret: drei Fachkräfte.",
            "change_note": "Konkreter.",
            "comment_ids": [said.pk],
        },
        format="json",
    )
    assert published.status_code == 201, published.content
    body = published.json()
    assert body["version"]["number"] == 2
    assert [(f["id"], f["disposition"]["addressed_in"]["number"]) for f in body["feedback"]] == [
        (said.pk, 2)
    ]
    trace = APIClient().get(f"/api/v1/comments/{said.pk}/trace/").json()
    assert trace["disposition"]["response"] == "Wird konkreter."
    assert [v["number"] for v in trace["versions"]] == [2]
    shaped = APIClient().get(f"/api/v1/goals/{demo.goals[0].pk}/versions/2/feedback/").json()
    assert [f["id"] for f in shaped["results"]] == [said.pk]


def test_linking_feedback_of_another_goal_is_refused(demo: Demo) -> None:
    open_round(demo)
    other = comment(demo, demo.expert, demo.goals[1], "Anderes Ziel.")
    to_phase(demo, Round.Phase.EVALUATION, Round.Phase.REVISION)
    response = client_as(demo, "drafter").post(
        f"{BASE}/goals/{demo.goals[0].pk}/versions/",
        {"text": "Neu.", "comment_ids": [other.pk]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "comment_ids"
    assert GoalVersion.objects.filter(goal=demo.goals[0]).count() == 1


def _writes(demo: Demo, setup: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    goal = demo.goals[0].pk
    return [
        ("post", f"{BASE}/rounds/", {"agenda": [{"goal": goal}]}),
        ("post", f"{BASE}/rounds/1/phase/", {"phase": "evaluation"}),
        ("post", f"{BASE}/rounds/1/agenda/{setup['item']}/start/", {}),
        ("put", f"{BASE}/rounds/1/ratings/{goal}/", {"support": 3}),
        ("post", f"{BASE}/rounds/1/ideas/", {"title": "T", "text": "X"}),
        ("post", f"{BASE}/ideas/{setup['idea']}/accept/", {}),
        ("post", f"{BASE}/ideas/{setup['idea']}/decline/", {"reason": "R"}),
        (
            "put",
            f"{BASE}/ideas/{setup['idea']}/disposition/",
            {"value": "answered", "response": "R"},
        ),
        (
            "put",
            f"{BASE}/comments/{setup['comment']}/disposition/",
            {"value": "answered", "response": "R"},
        ),
        ("post", f"{BASE}/goals/{goal}/versions/", {"text": "Neu."}),
    ]


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
def test_strangers_change_nothing_through_any_endpoint(demo: Demo, persona: str) -> None:
    round_ = open_round(demo)
    said = comment(demo, demo.expert, demo.goals[0], "Beitrag.")
    from deliberation.rounds import services as round_services

    idea, _ = round_services.idea_propose(
        actor=demo.expert, circle=demo.circle, title="Idee", text="Text"
    )
    setup = {"item": round_.agenda.get(order=1).pk, "idea": idea.pk, "comment": said.pk}
    events = RoomEvent.objects.count()
    client = client_as(demo, persona)
    for method, url, data in _writes(demo, setup):
        response = getattr(client, method)(url, data, format="json")
        # No credentials: 401 (with WWW-Authenticate); signed in but not allowed: 403.
        assert response.status_code == (401 if persona == "anonymous" else 403), (
            url,
            response.content,
        )
    assert RoomEvent.objects.count() == events
    assert (Round.objects.count(), Rating.objects.count(), Idea.objects.count()) == (1, 0, 1)
    assert not Disposition.objects.exists()


def test_report_downloads(story: Story) -> None:
    client = APIClient()
    data = client.get(f"{BASE}/rounds/1/report/").json()
    assert data["summary"] == {"feedback": 4, "decided": 3, "open": 1}
    markdown = client.get(f"{BASE}/rounds/1/report.md")
    assert markdown["Content-Type"] == "text/markdown; charset=utf-8"
    assert "auswertung-bildung-sprache-runde-1.md" in markdown["Content-Disposition"]
    assert markdown.content.decode().startswith("# Auswertung der Runde 1")
    table = client.get(f"{BASE}/rounds/1/report.csv")
    assert table["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(table.content.decode())))
    assert len(rows) == 5
    carried = client.get(f"{BASE}/rounds/2/open-feedback/").json()
    assert [(f["type"], f["id"]) for f in carried["results"]] == [("comment", story.frage.pk)]


def test_goal_diff_between_two_versions(story: Story, demo: Demo) -> None:
    goal = demo.goals[0].pk
    response = APIClient().get(f"/api/v1/goals/{goal}/diff/", {"old": 1, "new": 2})
    assert response.status_code == 200
    body = response.json()
    assert (body["from_version"]["number"], body["to_version"]["number"]) == (1, 2)
    assert [op for op in body["text"]["ops"] if op["op"] != "equal"] == [
        {"op": "insert", "text": "und Horte "}
    ]
    assert APIClient().get(f"/api/v1/goals/{goal}/diff/").json()["to_version"]["number"] == 2
    assert APIClient().get(f"/api/v1/goals/{goal}/diff/", {"new": 9}).status_code == 404
    assert APIClient().get(f"/api/v1/goals/{goal}/diff/", {"old": "x"}).status_code == 400


def test_schema_documents_every_rounds_operation() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "rounds_list",
        "rounds_open",
        "rounds_retrieve",
        "rounds_set_phase",
        "rounds_agenda_start",
        "rounds_ratings",
        "rounds_rating_set",
        "rounds_ideas_list",
        "rounds_ideas_propose",
        "ideas_accept",
        "ideas_decline",
        "comments_disposition_set",
        "ideas_disposition_set",
        "goals_version_publish",
        "rounds_open_feedback",
        "rounds_report",
        "rounds_report_markdown",
        "rounds_report_csv",
        "goals_diff",
        "goals_versions_feedback",
        "comments_trace",
    } <= operations


def test_a_version_without_rationale_keeps_the_current_one(demo: Demo) -> None:
    open_round(demo)
    to_phase(demo, Round.Phase.EVALUATION, Round.Phase.REVISION)
    drafter = client_as(demo, "drafter")
    url = f"{BASE}/goals/{demo.goals[0].pk}/versions/"
    assert drafter.post(url, {"text": "Neu."}, format="json").status_code == 201
    assert drafter.post(url, {"text": "Neuer.", "rationale": ""}, format="json").status_code == 201
    rationales = list(demo.goals[0].versions.order_by("number").values_list("rationale", flat=True))
    assert rationales[1] == rationales[0] != ""
    assert rationales[2] == ""
