"""The whole cycle on the demo data: round 1 discussion with comments and ratings →
evaluation with dispositions → revision with a new version linked to feedback → round 2
re-discussion showing the diff and the carried-over open feedback."""

from __future__ import annotations

import pytest

from deliberation import services
from deliberation.models import Disposition, Goal, Idea, Round
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds import services as round_services
from deliberation.rounds.diff import text_diff
from deliberation.rounds.report import build_round_report
from kernel.errors import Conflict
from tests.rounds.conftest import Clock, Demo, comment, events, open_round, to_phase

pytestmark = pytest.mark.django_db

NEW_TEXT = (
    "Alle Kindertagesstätten und Horte der Stadt bieten alltagsintegrierte Sprachförderung an."
    "\n\nBis 2025 sind in jeder Einrichtung mindestens drei Fachkräfte für sprachliche Bildung "
    "qualifiziert."
)


def test_two_rounds_from_discussion_to_re_discussion(demo: Demo, clock: Clock) -> None:
    kita, eltern = demo.goals[0], demo.goals[1]
    expert1, expert2, expert3 = demo.experts

    # Round 1: discussion with comments, a reply, ratings and an idea.
    round1 = open_round(demo)
    assert (round1.number, round1.phase) == (1, Round.Phase.DISCUSSION)
    horte = comment(demo, expert1, kita, "Bitte auch die Horte einbeziehen.")
    zwei = comment(demo, expert2, kita, "Zwei Fachkräfte pro Einrichtung sind zu wenig.")
    frage = comment(demo, expert3, eltern, "Welche Sprachen sind die fünf häufigsten?")
    services.comment_post(
        actor=demo.moderator,
        circle=demo.circle,
        goal_id=eltern.pk,
        body="Das klären wir.",
        reply_to=frage.pk,
    )
    for expert, support, rework in ((expert1, 4, False), (expert2, 2, True), (expert3, 3, True)):
        round_services.rating_set(
            actor=expert,
            circle=demo.circle,
            goal_id=kita.pk,
            support=support,
            needs_rework=rework,
        )
    idea, _created = round_services.idea_propose(
        actor=expert3,
        circle=demo.circle,
        title="Sprachcafés in Stadtteilbibliotheken",
        text="Wöchentliche Sprachcafés für Erwachsene.",
        rationale="Üben braucht Gelegenheit.",
    )
    aggregate = round_selectors.rating_aggregate(round1, kita.pk)
    assert (aggregate["count"], aggregate["mean"], aggregate["needs_rework"]) == (3, 3.0, 2)

    # Evaluation: the room is read-only for experts; drafter and moderator answer.
    clock.advance(3600)
    to_phase(demo, Round.Phase.EVALUATION)
    with pytest.raises(Conflict):
        comment(demo, expert1, kita, "Noch etwas!")
    round_services.disposition_set(
        actor=demo.drafter,
        circle=demo.circle,
        comment_id=horte.pk,
        value=Disposition.Value.ACCEPTED,
        response="Die Horte kommen in den Text.",
    )
    round_services.disposition_set(
        actor=demo.drafter,
        circle=demo.circle,
        comment_id=zwei.pk,
        value=Disposition.Value.PARTIALLY_ACCEPTED,
        response="Drei statt zwei; mehr ist nicht finanzierbar.",
    )
    round_services.idea_accept(actor=demo.moderator, circle=demo.circle, idea_id=idea.pk)
    # The question to "eltern" stays without a disposition: it must come back as open.

    # Revision: the drafter publishes version 2 of the Kita goal, naming what it takes up.
    clock.advance(3600)
    to_phase(demo, Round.Phase.REVISION)
    version2 = round_services.goal_version_publish(
        actor=demo.drafter,
        circle=demo.circle,
        goal_id=kita.pk,
        text=NEW_TEXT,
        change_note="Horte ergänzt, drei Fachkräfte.",
        comment_ids=[horte.pk, zwei.pk],
    )
    assert version2.number == 2
    assert {d.addressed_in_id for d in Disposition.objects.filter(comment__in=[horte, zwei])} == {
        version2.pk
    }

    # Round 2: re-discussion of the revised goal; round 1 closes on the way.
    clock.advance(3600)
    round2 = open_round(demo)
    round1.refresh_from_db()
    assert round1.phase == Round.Phase.CLOSED
    assert (round2.number, round2.phase) == (2, Round.Phase.DISCUSSION)

    # The diff between the versions marks what changed.
    kita.refresh_from_db()
    pair = round_selectors.version_pair(kita)
    assert pair is not None
    older, newer = pair
    assert (older.number, newer.number) == (1, 2)
    diff = text_diff(older.text, newer.text)
    assert [(op.op, op.text) for op in diff.ops if op.op != "equal"] == [
        ("insert", "und Horte "),
        ("delete", "zwei"),
        ("insert", "drei"),
    ]
    assert "[eingefügt: </span>und Horte <" in diff.html

    # Carried over: only what is still open (the unanswered question).
    carried = round_selectors.open_feedback(round2)
    assert [(item.kind, item.pk, item.round_number) for item in carried] == [
        ("comment", frage.pk, 1)
    ]
    opened = events(demo.circle, "round.opened")[-1]
    assert opened.payload["carried_over"] == [
        {"type": "comment", "id": frage.pk, "goal": eltern.pk, "from_round": 1}
    ]

    # Traceability both ways.
    trace = round_selectors.comment_trace(horte)
    assert trace is not None and trace.disposition is not None
    assert trace.disposition.response == "Die Horte kommen in den Text."
    assert [v.number for v in trace.versions] == [2]
    assert [item.pk for item in round_selectors.version_feedback(version2)] == [horte.pk, zwei.pk]

    # The accepted idea is a draft goal of the field, its disposition settled by version 1.
    idea.refresh_from_db()
    assert idea.state == Idea.State.ACCEPTED
    assert idea.resulting_goal is not None and idea.resulting_goal.status == Goal.Status.DRAFT
    idea_trace = round_selectors.idea_trace(idea)
    assert idea_trace is not None and idea_trace.settled

    # Round 2 takes comments again; they belong to round 2.
    again = comment(demo, expert1, kita, "Die neue Fassung überzeugt.")
    assert again.round_link.round_id == round2.pk

    # The report of round 1 shows per goal: feedback, disposition, response, result.
    report = build_round_report(round1)
    kita_section, eltern_section = report.goals
    assert [f.pk for f in kita_section.feedback] == [horte.pk, zwei.pk]
    assert [v.number for v in kita_section.versions] == [2]
    assert [f.pk for f in eltern_section.feedback] == [frage.pk]
    assert [f.pk for f in report.ideas] == [idea.pk]
    assert (report.total, report.decided, report.open) == (4, 3, 1)
