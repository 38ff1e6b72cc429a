"""The evaluation report: per goal the feedback, its disposition and response, and the
resulting change, as data, Markdown and CSV; and the traces the goal page uses."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from deliberation.rounds import selectors as round_selectors
from deliberation.rounds.report import (
    build_round_report,
    report_csv,
    report_data,
    report_markdown,
)
from tests.rounds.conftest import Demo, Story, roundtrip

pytestmark = pytest.mark.django_db


def test_report_data_per_goal(demo: Demo, story: Story) -> None:
    data = roundtrip(report_data(build_round_report(story.round1)))
    assert data["round"]["number"] == 1 and data["round"]["phase"] == "closed"
    assert data["summary"] == {"feedback": 4, "decided": 3, "open": 1}
    kita, eltern = data["goals"]
    assert kita["goal"]["id"] == demo.goals[0].pk
    assert (kita["ratings"]["count"], kita["ratings"]["mean"]) == (3, 3.0)
    assert [
        (f["id"], f["disposition"]["value"], f["settled"], [v["number"] for v in f["versions"]])
        for f in kita["feedback"]
    ] == [
        (story.horte.pk, "accepted", True, [2]),
        (story.zwei.pk, "not_accepted", True, []),
    ]
    assert [v["number"] for v in kita["versions"]] == [2]
    assert kita["versions"][0]["change_note"] == "Horte ergänzt."
    assert [(f["id"], f["disposition"]) for f in eltern["feedback"]] == [(story.frage.pk, None)]
    assert [(i["id"], i["idea"]["state"]) for i in data["ideas"]] == [(story.idea.pk, "declined")]


def test_round_two_report_carries_the_open_question(demo: Demo, story: Story) -> None:
    data = report_data(build_round_report(story.round2))
    kita, eltern = data["goals"]
    assert kita["feedback"] == [] and kita["carried_over"] == []
    assert [(f["id"], f["round_number"]) for f in eltern["carried_over"]] == [(story.frage.pk, 1)]
    assert data["summary"] == {"feedback": 1, "decided": 0, "open": 1}


def test_markdown_report_reads_per_goal(story: Story) -> None:
    text = report_markdown(build_round_report(story.round1))
    assert text.startswith("# Auswertung der Runde 1 – Expertenkreis Bildung & Sprache\n")
    kita = text.index("## 1. Frühe Sprachförderung in allen Kitas")
    eltern = text.index("## 2. Elternbegleitung beim Übergang Kita–Schule")
    ideas = text.index("## Neue Ideen")
    assert kita < eltern < ideas
    horte_block = text[text.index(f"#### Kommentar {story.horte.pk}") : eltern]
    assert "> Bitte auch die **Horte** einbeziehen." in horte_block
    assert "- **Entscheidung:** angenommen" in horte_block
    assert "- **Antwort:** Die Horte kommen in den Text." in horte_block
    assert "- **Umgesetzt in:** Fassung 2" in horte_block
    assert "Stimmungsbild: 3 Bewertungen, Mittelwert 3,0, Überarbeitung nötig: 1" in text
    question = text[text.index(f"#### Kommentar {story.frage.pk}") : ideas]
    assert "- **Entscheidung:** noch offen" in question
    assert "- **Entscheidung:** nicht angenommen" in text[ideas:]


def test_csv_report_has_one_row_per_feedback(story: Story) -> None:
    rows = list(csv.reader(io.StringIO(report_csv(build_round_report(story.round1)))))
    header, *body = rows
    assert header[:5] == ["Runde", "Ziel-Nr.", "Ziel", "Art", "Nr."]
    by_id = {(row[3], row[4]): dict(zip(header, row, strict=True)) for row in body}
    assert len(body) == 4
    horte = by_id[("Kommentar", str(story.horte.pk))]
    assert horte["Ziel"] == "Frühe Sprachförderung in allen Kitas"
    assert horte["von"] == "Ayşe Yılmaz"
    assert horte["Entscheidung"] == "angenommen"
    assert horte["Antwort"] == "Die Horte kommen in den Text."
    assert horte["entschieden von"] == "David Redakteur"
    # Times in ISO 8601 with the offset (spreadsheets sort them), not German prose.
    for column in ("am", "entschieden am"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", horte[column])
        assert dt.datetime.fromisoformat(horte[column]).tzinfo is not None
    assert horte["umgesetzt in"] == "Fassung 2"
    # A cell that a spreadsheet would run as a formula is defused.
    assert by_id[("Kommentar", str(story.zwei.pk))]["Rückmeldung"].startswith("'=SUMME")
    idea = by_id[("Idee", str(story.idea.pk))]
    assert (idea["Ziel"], idea["Entscheidung"], idea["Antwort"]) == (
        "",
        "nicht angenommen",
        "Gibt es schon.",
    )
    assert by_id[("Kommentar", str(story.frage.pk))]["Entscheidung"] == "noch offen"


def test_comment_trace_and_version_feedback_agree(story: Story) -> None:
    traces = round_selectors.comment_traces([story.horte.pk, story.zwei.pk, story.frage.pk])
    assert [v.number for v in traces[story.horte.pk].versions] == [2]
    assert traces[story.zwei.pk].settled and not traces[story.zwei.pk].versions
    assert not traces[story.frage.pk].settled
    shaped = round_selectors.goal_versions_feedback(story.version2.goal_id)
    assert [item.pk for item in shaped[story.version2.pk]] == [story.horte.pk]


def test_replies_and_hidden_comments_are_not_feedback(demo: Demo, story: Story) -> None:
    from deliberation import services

    reply, _ = services.comment_post(
        actor=demo.moderator,
        circle=demo.circle,
        goal_id=demo.goals[0].pk,
        body="Danke!",
        reply_to=story.horte.pk,
    )
    assert round_selectors.comment_trace(reply) is None
    services.comment_set_visibility(
        actor=demo.moderator,
        circle=demo.circle,
        comment_id=story.frage.pk,
        hidden=True,
        reason="Doppelt",
    )
    assert round_selectors.open_feedback(story.round2) == []
