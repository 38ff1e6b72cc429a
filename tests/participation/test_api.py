"""The participation API: the questionnaire life cycle through the same services as the pages,
and who may read and write what."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils.dateparse import parse_datetime

from participation.models import Questionnaire
from tests.participation.conftest import NOW, Site, build_questionnaire

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data, content_type="application/json")


def test_a_questionnaire_lives_its_life_through_the_api(site: Site) -> None:
    staff = site.client("staff")
    created = call(
        staff,
        "post",
        "/api/v1/questionnaires/",
        {
            "concept": site.concept.slug,
            "action_field": site.field.slug,
            "title": "Vereine",
            "distribution": "invitation",
        },
    )
    assert created.status_code == 201, created.json()
    base = f"/api/v1/questionnaires/{created.json()['id']}/"
    one = call(
        staff,
        "post",
        base + "questions/",
        {"kind": "single", "text": "Mitglied?", "choices": ["ja", "nein"]},
    )
    two = call(
        staff,
        "post",
        base + "questions/",
        {"kind": "text", "text": "Warum?", "required": False, "goal": site.goal.pk},
    )
    assert one.status_code == two.status_code == 201
    yes, no = (c["id"] for c in one.json()["choices"])
    opened = call(
        staff, "post", base + "open/", {"deadline": (NOW + timedelta(days=7)).isoformat()}
    )
    assert opened.json()["status"] == "open" and opened.json()["accepting"] is True

    invited = call(
        staff, "post", base + "invitations/", {"emails": ["a@example.org", "b@example.org"]}
    )
    assert invited.status_code == 201
    tokens = [i["token"] for i in invited.json()]
    assert invited.json()[0]["url"] == f"http://testserver/beteiligung/einladung/{tokens[0]}/"

    anonymous = Client()
    page = anonymous.get(f"/api/v1/invitations/{tokens[0]}/").json()
    assert [q["text"] for q in page["questionnaire"]["questions"]] == ["Mitglied?", "Warum?"]
    assert page["response"] is None
    question_ids = [q["id"] for q in page["questionnaire"]["questions"]]

    draft = call(
        anonymous,
        "put",
        f"/api/v1/invitations/{tokens[0]}/",
        {"answers": [{"question": question_ids[1], "text": "Weil"}]},
    )
    assert draft.status_code == 200 and draft.json()["state"] == "draft"
    done = call(
        anonymous,
        "put",
        f"/api/v1/invitations/{tokens[0]}/",
        {
            "answers": [
                {"question": question_ids[0], "choice": yes},
                {"question": question_ids[1], "text": "Weil"},
            ],
            "submit": True,
        },
    )
    assert done.json()["state"] == "submitted" and done.json()["receipt"]
    again = call(
        anonymous,
        "put",
        f"/api/v1/invitations/{tokens[0]}/",
        {"answers": [{"question": question_ids[0], "choice": no}], "submit": True},
    )
    assert again.status_code == 409
    call(
        anonymous,
        "put",
        f"/api/v1/invitations/{tokens[1]}/",
        {"answers": [{"question": question_ids[0], "choice": no}], "submit": True},
    )

    results = staff.get(base + "results/").json()
    assert results["submitted"] == 2
    assert results["questions"][0]["distribution"] == [
        {"label": "ja", "count": 1},
        {"label": "nein", "count": 1},
    ]
    assert [t["text"] for t in results["questions"][1]["texts"]] == ["Weil"]
    rows = list(csv.reader(io.StringIO(staff.get(base + "responses.csv").content.decode())))
    assert [row[2:] for row in rows[1:]] == [["ja", "Weil"], ["nein", ""]]

    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        assert (
            Client().get(f"/api/v1/invitations/{tokens[1]}/").json()["questionnaire"]["accepting"]
            is False
        )


def test_answers_after_the_deadline_are_refused_by_the_api(site: Site) -> None:
    questionnaire = build_questionnaire(
        site, distribution="public", deadline=NOW + timedelta(hours=2)
    )
    single = questionnaire.questions.get(kind="single")
    body = {"answers": [{"question": single.pk, "choice": single.choices.first().pk}]}
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        late = call(
            site.client("outsider"),
            "put",
            f"/api/v1/questionnaires/{questionnaire.pk}/response/",
            body,
        )
    assert late.status_code == 409 and late.json()["field"] == "deadline"


def test_an_answer_gives_exactly_one_kind_of_value(site: Site) -> None:
    questionnaire = build_questionnaire(site, distribution="public")
    single = questionnaire.questions.get(kind="single")
    response = call(
        site.client("outsider"),
        "put",
        f"/api/v1/questionnaires/{questionnaire.pk}/response/",
        {"answers": [{"question": single.pk, "choice": single.choices.first().pk, "text": "x"}]},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("persona", "read", "create"),
    [
        ("staff", 200, 201),
        ("moderator", 200, 201),
        ("member", 200, 403),
        ("outsider", 404, 403),
        ("anonymous", 404, 401),
    ],
)
def test_who_may_read_and_build_questionnaires(
    site: Site, persona: str, read: int, create: int
) -> None:
    draft = build_questionnaire(site, open_it=False)
    client = site.client(persona)
    assert client.get(f"/api/v1/questionnaires/{draft.pk}/").status_code == read
    assert client.get(f"/api/v1/questionnaires/{draft.pk}/results/").status_code == read
    created = call(
        client,
        "post",
        "/api/v1/questionnaires/",
        {"concept": site.concept.slug, "action_field": site.field.slug, "title": "T"},
    )
    assert created.status_code == create
    listed = {q["id"] for q in client.get("/api/v1/questionnaires/").json()["results"]}
    assert (draft.pk in listed) is (read == 200)


@pytest.mark.parametrize("persona", ["member", "outsider", "anonymous"])
def test_outsiders_cannot_change_questionnaires_or_invite(site: Site, persona: str) -> None:
    questionnaire = build_questionnaire(site, open_it=False)
    client = site.client(persona)
    base = f"/api/v1/questionnaires/{questionnaire.pk}/"
    for method, url, body in (
        ("patch", base, {"title": "Gekapert"}),
        ("post", base + "questions/", {"kind": "text", "text": "?"}),
        ("post", base + "open/", {}),
        ("post", base + "invitations/", {"emails": ["x@example.org"]}),
        ("get", base + "invitations/", None),
    ):
        assert call(client, method, url, body).status_code in (401, 403, 404), (method, url)
    questionnaire.refresh_from_db()
    assert questionnaire.title != "Gekapert" and questionnaire.status == "draft"
    assert not questionnaire.invitations.exists()


def test_an_open_public_questionnaire_is_readable_by_everybody(site: Site) -> None:
    questionnaire = build_questionnaire(site, distribution=Questionnaire.Distribution.PUBLIC)
    data = Client().get(f"/api/v1/questionnaires/{questionnaire.pk}/").json()
    assert len(data["questions"]) == 4
    assert Client().get(f"/api/v1/questionnaires/{questionnaire.pk}/results/").status_code == 404
    assert Client().get(f"/api/v1/questionnaires/{questionnaire.pk}/response/").status_code == 401


def test_the_moderation_queue_api(site: Site) -> None:
    call(
        site.client("outsider"),
        "post",
        f"/api/v1/concepts/{site.concept.slug}/contributions/",
        {"kind": "opinion", "body": "Gut so."},
    )
    queue = site.client("moderator").get("/api/v1/moderation/").json()
    assert queue["stats"]["pending"] == 1 and queue["stats"]["by_kind"]["opinion"] == 1
    assert parse_datetime(queue["stats"]["oldest"]) == NOW
    assert site.client("member").get("/api/v1/moderation/").status_code == 403
    assert site.client("anonymous").get("/api/v1/moderation/").status_code == 401
