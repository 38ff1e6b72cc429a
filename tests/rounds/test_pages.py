"""The report page with its downloads, and the comparison of two versions of a goal."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.rounds.conftest import Demo, Story

pytestmark = pytest.mark.django_db

REPORT = "/raeume/bildung-sprache/runden/1/auswertung/"


def test_report_page_shows_feedback_disposition_response_and_result(story: Story) -> None:
    response = Client().get(REPORT)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Auswertung der Runde 1" in page
    horte = page[page.index(f'id="rueckmeldung-comment-{story.horte.pk}"') :]
    horte = horte[: horte.index("</li>")]
    assert "Bitte auch die <strong>Horte</strong> einbeziehen." in horte
    assert "angenommen" in horte and "Die Horte kommen in den Text." in horte
    assert "/ziele/" in horte and "?von=1&amp;bis=2" in horte
    frage = page[page.index(f'id="rueckmeldung-comment-{story.frage.pk}"') :]
    assert "noch offen" in frage[: frage.index("</li>")]
    assert 'href="/raeume/bildung-sprache/runden/1/auswertung.csv"' in page
    assert 'href="/raeume/bildung-sprache/runden/2/auswertung/"' in page


def test_round_two_page_shows_the_carried_over_question(story: Story) -> None:
    page = Client().get("/raeume/bildung-sprache/runden/2/auswertung/").content.decode()
    frage = page[page.index(f'id="rueckmeldung-comment-{story.frage.pk}"') :]
    assert "übernommen aus Runde 1" in frage[: frage.index("</li>")]


def test_report_downloads_as_markdown_and_csv(story: Story) -> None:
    markdown = Client().get(REPORT.rstrip("/") + ".md")
    assert markdown.status_code == 200
    assert markdown["Content-Disposition"] == (
        'attachment; filename="auswertung-bildung-sprache-runde-1.md"'
    )
    assert "## 1. Frühe Sprachförderung in allen Kitas" in markdown.content.decode()
    table = Client().get(REPORT.rstrip("/") + ".csv")
    assert table.status_code == 200 and table["Content-Type"] == "text/csv; charset=utf-8"
    assert "Die Horte kommen in den Text." in table.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("outsider", 404), ("expert", 200), ("moderator", 200)],
)
def test_private_circle_report_is_for_its_members(
    demo: Demo, story: Story, persona: str, status: int
) -> None:
    demo.circle.is_public = False
    demo.circle.save(update_fields=["is_public"])
    client = Client()
    if persona != "anonymous":
        client.force_login(demo.persona(persona))
    for path in (REPORT, REPORT.rstrip("/") + ".md", REPORT.rstrip("/") + ".csv"):
        assert client.get(path).status_code == status, path


def test_unknown_round_page_is_404(demo: Demo) -> None:
    assert Client().get("/raeume/bildung-sprache/runden/3/auswertung/").status_code == 404
    assert Client().get("/raeume/gibt-es-nicht/runden/1/auswertung/").status_code == 404


def test_compare_page_marks_changes_readable_without_colour(demo: Demo, story: Story) -> None:
    url = f"/ziele/{demo.goals[0].pk}/vergleich/"
    for query in ("", "?von=1&bis=2"):
        response = Client().get(url + query)
        assert response.status_code == 200, query
        page = response.content.decode()
        assert "Fassung 1 und Fassung 2 im Vergleich" in page
        assert (
            '<ins><span class="visually-hidden">[eingefügt: </span>und Horte '
            '<span class="visually-hidden">]</span></ins>'
        ) in page
        assert '<option value="1" selected>' in page
    shaped = page[page.index("Was zu diesen Änderungen geführt hat") :]
    assert "Horte ergänzt." in shaped
    assert f'id="rueckmeldung-comment-{story.horte.pk}"' in shaped
    assert "Die Horte kommen in den Text." in shaped


def test_compare_page_hides_feedback_of_private_rooms_from_strangers(
    demo: Demo, story: Story
) -> None:
    demo.circle.is_public = False
    demo.circle.save(update_fields=["is_public"])
    page = Client().get(f"/ziele/{demo.goals[0].pk}/vergleich/").content.decode()
    assert "Horte ergänzt." in page  # the goal and its versions are public
    assert "Die Horte kommen in den Text." not in page


def test_compare_page_with_a_missing_version_says_so(demo: Demo, story: Story) -> None:
    response = Client().get(f"/ziele/{demo.goals[0].pk}/vergleich/?von=1&bis=9")
    assert response.status_code == 400
    assert 'class="field__error"' in response.content.decode()
    assert Client().get("/ziele/999999/vergleich/").status_code == 404


def test_compare_page_of_a_goal_with_one_version(demo: Demo) -> None:
    response = Client().get(f"/ziele/{demo.goals[3].pk}/vergleich/")
    assert response.status_code == 200
    assert "Der Text ist unverändert." in response.content.decode()
