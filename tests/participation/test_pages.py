"""The questionnaire pages without JavaScript: the builder's forms, invitations with their
CSV, the response page by invitation link and by account (draft, submit, receipt), the
evaluation with charts and tables; and who may open which page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from participation import services
from participation.models import Invitation, Question, Questionnaire, Response
from tests.participation.conftest import NOW, Site, answers_for, build_questionnaire

pytestmark = pytest.mark.django_db


def test_a_moderator_builds_and_opens_a_questionnaire_with_plain_forms(site: Site) -> None:
    client = site.client("moderator")
    created = client.post(
        reverse("participation:questionnaires"),
        {
            "title": "Elternbefragung",
            "intro": "Kurz und anonym.",
            "action_field": site.field.pk,
            "distribution": "invitation",
            "deadline": "",
        },
    )
    questionnaire = Questionnaire.objects.get()
    assert created["Location"] == reverse("participation:builder", args=[questionnaire.pk])
    add = reverse("participation:question_new", args=[questionnaire.pk])
    assert (
        client.post(
            add,
            {
                "text": "Alter der Kinder?",
                "kind": "single",
                "choices": "0–5\n6–10\n",
                "required": "on",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(add, {"text": "Was fehlt?", "kind": "text", "goal": site.goal.pk}).status_code
        == 302
    )
    bad = client.post(add, {"text": "Nur eine?", "kind": "multiple", "choices": "eine"})
    assert bad.status_code == 400 and "2 bis 20" in bad.content.decode()

    second = questionnaire.questions.get(order=2)
    client.post(
        reverse("participation:question_change", args=[questionnaire.pk, second.pk]),
        {"action": "up"},
    )
    assert list(questionnaire.questions.order_by("order").values_list("text", flat=True)) == [
        "Was fehlt?",
        "Alter der Kinder?",
    ]
    opened = client.post(
        reverse("participation:questionnaire_status", args=[questionnaire.pk]),
        {"action": "open", "deadline": "2025-06-30T18:00"},
    )
    assert opened.status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.status == "open"
    assert questionnaire.deadline is not None and questionnaire.deadline.hour == 16  # 18:00 CEST
    builder = client.get(reverse("participation:builder", args=[questionnaire.pk])).content.decode()
    assert "Fragebogen schließen" in builder and "Frage hinzufügen" not in builder


def test_invitations_are_generated_in_bulk_and_exported(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    client = site.client("moderator")
    url = reverse("participation:invitations", args=[questionnaire.pk])
    response = client.post(
        url, {"emails": "a@example.org; b@example.org\nc@example.org, a@example.org"}
    )
    assert response.status_code == 302
    assert questionnaire.invitations.count() == 3
    bad = client.post(url, {"emails": "d@example.org kaputt"})
    assert bad.status_code == 400 and "kaputt" in bad.content.decode()

    exported = client.get(reverse("participation:invitations_csv", args=[questionnaire.pk]))
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    tokens = dict(questionnaire.invitations.values_list("email", "token"))
    assert [row[0] for row in rows[1:]] == ["a@example.org", "b@example.org", "c@example.org"]
    assert all(row[1].endswith(f"/beteiligung/einladung/{tokens[row[0]]}/") for row in rows[1:])


def test_an_invitee_saves_a_draft_comes_back_and_submits(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    invitation = Invitation.objects.create(
        questionnaire=questionnaire, email="a@example.org", token="t" * 43, created_at=NOW
    )
    q = {
        question.kind: question for question in questionnaire.questions.prefetch_related("choices")
    }
    url = reverse("participation:invited", args=[invitation.token])
    client = Client()

    page = client.get(url)
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    assert 'type="radio"' in html and 'type="checkbox"' in html and "<textarea" in html

    draft = client.post(url, {"action": "draft", f"q{q['text'].pk}": "Erst mal so."})
    assert draft.status_code == 302
    again = Client().get(url).content.decode()  # another device, same link
    assert "Erst mal so." in again and "Entwurf" in again

    incomplete = client.post(url, {"action": "submit"})
    assert incomplete.status_code == 400
    assert "Bitte beantworten Sie diese Frage." in incomplete.content.decode()

    yes = q["single"].choices.get(label="Ja")
    done = client.post(
        url,
        {
            "action": "submit",
            f"q{q['single'].pk}": yes.pk,
            f"q{q['scale'].pk}": 4,
            f"q{q['text'].pk}": "Endgültig.",
        },
    )
    receipt_url = reverse("participation:invited_receipt", args=[invitation.token])
    assert done["Location"] == receipt_url
    response = Response.objects.get()
    receipt = client.get(receipt_url).content.decode()
    assert response.receipt in receipt

    # the link works once: the response page now leads to the receipt, a POST is refused
    assert client.get(url)["Location"] == receipt_url
    assert client.post(url, {"action": "submit", f"q{q['single'].pk}": yes.pk}).status_code == 302
    assert Response.objects.get().answers.get(question=q["text"]).text == "Endgültig."


def test_after_the_deadline_the_response_page_says_so(site: Site) -> None:
    questionnaire = build_questionnaire(site, deadline=NOW + timedelta(hours=1))
    invitation = Invitation.objects.create(
        questionnaire=questionnaire, email="a@example.org", token="u" * 43, created_at=NOW
    )
    url = reverse("participation:invited", args=[invitation.token])
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        page = Client().get(url)
        posted = Client().post(url, {"action": "draft"})
    assert (
        "abgelaufen" in page.content.decode()
        and '<form class="pt-form"' not in page.content.decode()
    )
    assert posted.status_code == 409
    assert not Response.objects.exists()


def test_an_unknown_invitation_link_is_a_404(site: Site) -> None:
    build_questionnaire(site)
    assert Client().get(reverse("participation:invited", args=["erraten"])).status_code == 404


def test_a_public_questionnaire_asks_anonymous_visitors_to_sign_in(site: Site) -> None:
    questionnaire = build_questionnaire(site, distribution=Questionnaire.Distribution.PUBLIC)
    url = reverse("participation:respond", args=[questionnaire.pk])
    page = Client().get(url).content.decode()
    assert "melden Sie sich" in page and 'type="radio"' not in page

    client = site.client("outsider")
    single = questionnaire.questions.get(kind="single")
    scale = questionnaire.questions.get(kind="scale")
    done = client.post(
        url,
        {"action": "submit", f"q{single.pk}": single.choices.first().pk, f"q{scale.pk}": "3"},
    )
    assert done["Location"] == reverse("participation:receipt", args=[questionnaire.pk])
    assert Response.objects.get().respondent == site.outsider


def test_the_evaluation_page_shows_charts_tables_and_filtered_texts(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    batch = services.invitations_create(
        actor=site.moderator, questionnaire_id=questionnaire.pk, emails=["a@x.org", "b@x.org"]
    )
    for invitation, text in zip(batch.all, ("Mehr Abendkurse", "Kinderbetreuung"), strict=True):
        services.response_save(
            actor=None,
            token=invitation.token,
            answers=answers_for(questionnaire, text=text),
            submit=True,
        )
    url = reverse("participation:results", args=[questionnaire.pk])
    html = site.client("moderator").get(url).content.decode()
    assert html.count('role="img"') == 3  # single, multiple, scale
    assert '<th scope="row">Ja</th><td class="num">2</td><td class="num">100,0 %</td>' in html
    assert "Mehr Abendkurse" in html and "Kinderbetreuung" in html

    filtered = site.client("moderator").get(url, {"q": "abend"}).content.decode()
    assert "Mehr Abendkurse" in filtered and "<blockquote>Kinderbetreuung" not in filtered

    exported = site.client("member").get(
        reverse("participation:responses_csv", args=[questionnaire.pk])
    )
    assert exported.status_code == 200
    assert len(list(csv.reader(io.StringIO(exported.content.decode())))) == 3


@pytest.mark.parametrize(
    ("persona", "builder", "results"),
    [
        ("staff", 200, 200),
        ("moderator", 200, 200),
        ("member", 404, 200),
        ("outsider", 404, 404),
        ("anonymous", 302, 302),
    ],
)
def test_who_may_open_the_builder_and_the_results(
    site: Site, persona: str, builder: int, results: int
) -> None:
    questionnaire = build_questionnaire(site)
    client = site.client(persona)
    assert (
        client.get(reverse("participation:builder", args=[questionnaire.pk])).status_code == builder
    )
    assert (
        client.get(reverse("participation:invitations", args=[questionnaire.pk])).status_code
        == builder
    )
    assert (
        client.get(reverse("participation:results", args=[questionnaire.pk])).status_code == results
    )
    posted = client.post(
        reverse("participation:question_new", args=[questionnaire.pk]),
        {"text": "?", "kind": "text"},
    )
    # managers hear that an open questionnaire keeps its questions; others find no page
    assert posted.status_code == (400 if builder == 200 else builder)
    assert questionnaire.questions.count() == 4


def test_the_navigation_and_the_overview_lead_to_participation(site: Site) -> None:
    home = Client().get("/").content.decode()
    assert reverse("participation:index") in home
    overview = site.client("moderator").get(reverse("participation:index")).content.decode()
    assert reverse("participation:questionnaires") in overview
    assert reverse("participation:moderation") in overview
    plain = site.client("outsider").get(reverse("participation:index")).content.decode()
    assert reverse("participation:moderation") not in plain


def test_questions_of_a_text_kind_keep_no_choices(site: Site) -> None:
    questionnaire = build_questionnaire(site, open_it=False)
    response = site.client("moderator").post(
        reverse("participation:question_new", args=[questionnaire.pk]),
        {"text": "Warum?", "kind": "text", "choices": "a\nb"},
    )
    assert response.status_code == 400
    assert not Question.objects.filter(text="Warum?").exists()
