"""The public pages in the five languages: the chosen language is remembered (cookie), Arabic
runs right to left, and the concept's own German texts are marked as German (and, inside an
Arabic page, as left to right) so screen readers and the layout treat them right."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_concept, make_field, make_goal

pytestmark = pytest.mark.django_db

SWITCH = {
    "de": "Sprache wechseln",
    "en": "Change language",
    "tr": "Değiştir",
    "ar": "تغيير اللغة",
    "uk": "Змінити",
}


@pytest.fixture
def goal_id() -> int:
    field = make_field(make_concept(title="Integrationskonzept"), title="Bildung & Sprache")
    return make_goal(field, title="Sprachkurse für alle").pk


def _page(path: str, language: str) -> str:
    client = Client()
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, (path, language)
    return response.content.decode()


@pytest.mark.parametrize("language", sorted(SWITCH))
def test_every_language_speaks_on_the_concept_page(goal_id: int, language: str) -> None:
    html = _page("/", language)
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert SWITCH[language] in html


def test_german_content_is_marked_inside_an_arabic_page(goal_id: int) -> None:
    html = _page(f"/ziele/{goal_id}/", "ar")
    assert 'lang="de" dir="ltr">Sprachkurse für alle<' in html
    turkish = _page(f"/ziele/{goal_id}/", "tr")
    assert 'lang="de">Sprachkurse für alle<' in turkish  # marked as German, direction as usual


@pytest.mark.parametrize(
    ("path", "language", "text"),
    [
        ("/beteiligung/", "tr", "Katılım"),
        ("/beteiligung/ideen/neu/", "ar", "قدّم فكرة"),
        ("/beteiligung/registrieren/", "uk", "Створити обліковий запис"),
        ("/anmelden/", "ar", "تسجيل الدخول"),
    ],
)
def test_the_participation_pages_are_translated(
    goal_id: int, path: str, language: str, text: str
) -> None:
    assert text in _page(path, language)


def test_an_unknown_page_says_so_in_ukrainian(goal_id: int) -> None:
    client = Client()
    client.cookies["django_language"] = "uk"
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Сторінку не знайдено" in response.content.decode()
