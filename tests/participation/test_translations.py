"""Multilingual questionnaires: whoever manages a questionnaire gives its texts in other
languages (page, REST, service); a respondent sees their language, German where a text has no
translation; the answers of every language are counted together, and per language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kernel.errors import Conflict, Forbidden, Invalid
from participation import services
from participation.models import Question, Questionnaire, Response
from tests.participation.conftest import Site, answers_for, build_questionnaire, question_ids

pytestmark = pytest.mark.django_db


def _turkish(questionnaire: Questionnaire) -> dict[str, Any]:
    q = question_ids(questionnaire)
    single = q[Question.Kind.SINGLE]
    yes, no = list(single.choices.order_by("order"))
    return {
        "title": "Dil kurslarını nasıl deneyimliyorsunuz?",
        "intro": "Deneyimleriniz **uzman kuruluna** yardımcı olur.",
        "questions": {
            single.pk: {
                "text": "Bir dil kursuna katıldınız mı?",
                "choices": {yes.pk: "Evet", no.pk: "Hayır"},
            },
            q[Question.Kind.SCALE].pk: {"text": "Sunulan kurslardan ne kadar memnunsunuz?"},
        },
    }


def _translate(site: Site, questionnaire: Questionnaire, actor: Any = None) -> None:
    services.questionnaire_translate(
        actor=actor or site.moderator,
        questionnaire_id=questionnaire.pk,
        language="tr",
        **_turkish(questionnaire),
    )


def _in(language: str, client: Client) -> Client:
    client.cookies["django_language"] = language
    return client


def test_a_turkish_respondent_sees_turkish_texts_and_german_where_none_is_given(
    site: Site,
) -> None:
    questionnaire = build_questionnaire(site, distribution=Questionnaire.Distribution.PUBLIC)
    _translate(site, questionnaire)
    url = reverse("participation:respond", args=[questionnaire.pk])
    page = _in("tr", site.client("outsider")).get(url).content.decode()
    assert "Dil kurslarını nasıl deneyimliyorsunuz?" in page
    assert "<strong>uzman kuruluna</strong>" in page
    assert "Bir dil kursuna katıldınız mı?" in page and ">Evet<" in page
    assert "Gönder" in page  # the interface speaks Turkish too
    # the multiple-choice question has no Turkish text: German, marked as such
    assert '<span lang="de" dir="auto">Was hat Ihnen geholfen?</span>' in page

    german = site.client("outsider").get(url).content.decode()
    assert "Wie erleben Sie Sprachkurse?" in german and "Evet" not in german


def test_answers_in_turkish_and_german_are_counted_together_and_per_language(
    site: Site,
) -> None:
    questionnaire = build_questionnaire(site, distribution=Questionnaire.Distribution.PUBLIC)
    _translate(site, questionnaire)
    single = question_ids(questionnaire)[Question.Kind.SINGLE]
    yes = single.choices.get(label="Ja")
    scale = question_ids(questionnaire)[Question.Kind.SCALE]
    url = reverse("participation:respond", args=[questionnaire.pk])
    for name, language in (("outsider", "tr"), ("member", "de")):
        done = _in(language, site.client(name)).post(
            url, {"action": "submit", f"q{single.pk}": yes.pk, f"q{scale.pk}": "4"}
        )
        assert done.status_code == 302
    assert sorted(Response.objects.values_list("language", flat=True)) == ["de", "tr"]

    results = site.client("moderator").get(
        reverse("participation:results", args=[questionnaire.pk])
    )
    html = results.content.decode()
    assert '<th scope="row">Ja</th><td class="num">2</td>' in html
    assert "Deutsch 1" in html and "Türkçe 1" in html


def test_a_language_left_empty_is_removed_and_german_shows_again(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    _translate(site, questionnaire)
    services.questionnaire_translate(
        actor=site.moderator, questionnaire_id=questionnaire.pk, language="tr"
    )
    questionnaire.refresh_from_db()
    assert questionnaire.translations == {}
    assert all(not q.translations for q in questionnaire.questions.all())


@pytest.mark.parametrize(
    ("language", "questions", "field"),
    [
        ("de", {}, "language"),  # German is the original
        ("xx", {}, "language"),
        ("tr", {999999: {"text": "?"}}, "questions"),
        ("tr", "not a mapping", "questions"),
    ],
)
def test_unknown_languages_and_foreign_questions_are_refused(
    site: Site, language: str, questions: Any, field: str
) -> None:
    questionnaire = build_questionnaire(site)
    with pytest.raises(Invalid) as refused:
        services.questionnaire_translate(
            actor=site.moderator,
            questionnaire_id=questionnaire.pk,
            language=language,
            title="x",
            questions=questions,
        )
    assert refused.value.field == field


def test_a_closed_questionnaire_keeps_its_translations(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    services.questionnaire_close(actor=site.moderator, questionnaire_id=questionnaire.pk)
    with pytest.raises(Conflict):
        _translate(site, questionnaire)


@pytest.mark.parametrize("persona", ["member", "outsider", "anonymous"])
def test_only_who_manages_the_questionnaire_translates_it(site: Site, persona: str) -> None:
    questionnaire = build_questionnaire(site)
    with pytest.raises(Forbidden):
        _translate(site, questionnaire, actor=site.persona(persona))
    questionnaire.refresh_from_db()
    assert questionnaire.translations == {}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 200), ("moderator", 200), ("member", 404), ("outsider", 404), ("anonymous", 302)],
)
def test_the_translation_page_is_for_managers_only(site: Site, persona: str, status: int) -> None:
    questionnaire = build_questionnaire(site)
    url = reverse("participation:questionnaire_translation", args=[questionnaire.pk, "ar"])
    assert site.client(persona).get(url).status_code == status
    assert site.client(persona).post(url, {"title": "عنوان"}).status_code == (
        302 if status == 200 else status
    )
    questionnaire.refresh_from_db()
    assert bool(questionnaire.translations) == (status == 200)


def test_a_manager_translates_with_the_page_form_beside_the_german_texts(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    single = question_ids(questionnaire)[Question.Kind.SINGLE]
    yes = single.choices.get(label="Ja")
    client = site.client("moderator")
    url = reverse("participation:questionnaire_translation", args=[questionnaire.pk, "uk"])
    page = client.get(url).content.decode()
    assert "Deutsch: Haben Sie einen Sprachkurs besucht?" in page
    assert 'lang="uk"' in page
    saved = client.post(
        url,
        {"title": "Як Ви оцінюєте мовні курси?", f"q{single.pk}_text": "Ви відвідували курс?"}
        | {f"c{yes.pk}": "Так"},
    )
    assert saved.status_code == 302
    single.refresh_from_db()
    yes.refresh_from_db()
    assert single.translations == {"uk": {"text": "Ви відвідували курс?"}}
    assert yes.translations == {"uk": {"label": "Так"}}
    assert "Як Ви оцінюєте мовні курси?" in client.get(url).content.decode()
    assert client.get(url.replace("/uk/", "/de/")).status_code == 404


def test_the_rest_api_reads_and_sets_a_translation(site: Site) -> None:
    questionnaire = build_questionnaire(site, distribution=Questionnaire.Distribution.PUBLIC)
    single = question_ids(questionnaire)[Question.Kind.SINGLE]
    yes = single.choices.get(label="Ja")
    url = f"/api/v1/questionnaires/{questionnaire.pk}/translations/ar/"
    body = {
        "title": "كيف تجد دورات اللغة؟",
        "questions": [
            {
                "id": single.pk,
                "text": "هل حضرت دورة لغة؟",
                "choices": [{"id": yes.pk, "label": "نعم"}],
            }
        ],
    }
    for persona, status in (("outsider", 403), ("anonymous", 401), ("member", 403)):
        answer = site.client(persona).put(url, body, content_type="application/json")
        assert answer.status_code == status, persona
    saved = site.client("moderator").put(url, body, content_type="application/json")
    assert saved.status_code == 200, saved.content
    data = saved.json()
    assert data["title"] == "كيف تجد دورات اللغة؟"
    first = next(q for q in data["questions"] if q["id"] == single.pk)
    assert first["original"]["text"] == "Haben Sie einen Sprachkurs besucht?"
    assert first["choices"][0] == {"id": yes.pk, "label": "نعم", "original": "Ja"}
    # anyone who may read the public questionnaire reads its translations
    assert Client().get(url).json()["title"] == "كيف تجد دورات اللغة؟"
    assert Client().get(url.replace("/ar/", "/xx/")).status_code == 404


def test_a_draft_questionnaires_translation_is_hidden_from_outsiders(site: Site) -> None:
    questionnaire = build_questionnaire(site, open_it=False)
    url = f"/api/v1/questionnaires/{questionnaire.pk}/translations/tr/"
    for persona in ("outsider", "anonymous"):
        assert site.client(persona).get(url).status_code == 404
    assert site.client("moderator").get(url).status_code == 200


def test_answers_given_in_turkish_refer_to_the_same_options(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    _translate(site, questionnaire)
    batch = services.invitations_create(
        actor=site.moderator, questionnaire_id=questionnaire.pk, emails=["a@x.org"]
    )
    response = services.response_save(
        actor=None,
        token=batch.all[0].token,
        answers=answers_for(questionnaire),
        submit=True,
        language="tr",
    )
    assert response.language == "tr"
    assert list(
        response.answers.get(question__kind="single").choices.values_list("label", flat=True)
    ) == ["Ja"]
