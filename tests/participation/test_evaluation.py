"""The public's feedback in the rounds' evaluation: approved ideas and free-text answers
linked to a goal get a disposition exactly like comments, appear in the round's report (page,
JSON, Markdown, CSV), and their submitters see what became of them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from deliberation.models import Disposition, Round
from deliberation.rounds import services as round_services
from deliberation.rounds.report import build_round_report, report_csv, report_data, report_markdown
from kernel.errors import Conflict, Forbidden, NotFound
from participation import selectors, services
from participation.models import Answer, Contribution, Questionnaire
from tests.participation.conftest import Site, answers_for, build_questionnaire

pytestmark = pytest.mark.django_db


def open_round(site: Site, *, phase: str | None = None) -> Round:
    round_ = round_services.round_open(
        actor=site.moderator, circle=site.circle, agenda=[{"goal": site.goal.pk}]
    )
    if phase:
        round_services.round_set_phase(actor=site.moderator, circle=site.circle, phase=phase)
        round_.refresh_from_db()
    return round_


def approved_idea(site: Site, *, goal: bool = True) -> Contribution:
    idea = services.contribution_submit(
        actor=site.outsider,
        concept=site.concept,
        kind="idea",
        action_field=site.field,
        title="Sprachkurse am Abend",
        body="Viele arbeiten tagsüber.",
    )
    services.contribution_moderate(
        actor=site.moderator, contribution_id=idea.pk, decision="approve"
    )
    if goal:
        services.contribution_link_goal(
            actor=site.moderator, contribution_id=idea.pk, goal_id=site.goal.pk
        )
    idea.refresh_from_db()
    return idea


def text_answer(site: Site, text: str = "Mehr Kurse am Wochenende") -> Answer:
    questionnaire = build_questionnaire(site)
    batch = services.invitations_create(
        actor=site.moderator, questionnaire_id=questionnaire.pk, emails=["a@example.org"]
    )
    services.response_save(
        actor=None,
        token=batch.all[0].token,
        answers=answers_for(questionnaire, text=text),
        submit=True,
    )
    return Answer.objects.get(question__kind="text")


def test_an_ideas_disposition_shows_in_the_report_and_to_its_submitter(site: Site) -> None:
    idea = approved_idea(site)
    round_ = open_round(site, phase=Round.Phase.EVALUATION)

    disposition = services.feedback_disposition_set(
        actor=site.drafter,
        circle=site.circle,
        contribution_id=idea.pk,
        value=Disposition.Value.ACCEPTED,
        response="Nehmen wir in die nächste Fassung auf.",
    )
    assert disposition.contribution == idea and disposition.round == round_

    report = build_round_report(round_)
    (section,) = report.goals
    assert [item.obj for item in section.public] == [idea]
    assert report.total == 1 and report.decided == 1 and report.open == 1

    data = report_data(report)
    (public,) = data["goals"][0]["public_feedback"]
    assert public["type"] == "contribution" and public["id"] == idea.pk
    assert public["disposition"]["value"] == "accepted"
    assert public["disposition"]["feedback"] == {
        "type": "contribution",
        "id": idea.pk,
        "goal": site.goal.pk,
    }
    assert "Nehmen wir in die nächste Fassung auf." in report_markdown(report)
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[1][3] == "Öffentlicher Beitrag" and rows[1][9] == "angenommen"

    page = site.client("anonymous").get(
        reverse("rounds:report", args=[site.circle.slug, round_.number])
    )
    assert "Sprachkurse am Abend" in page.content.decode()

    mine = site.client("outsider").get(reverse("participation:mine")).content.decode()
    assert "angenommen" in mine and "Nehmen wir in die nächste Fassung auf." in mine
    api = site.client("outsider").get("/api/v1/contributions/mine/").json()["results"]
    assert api[0]["disposition"]["response"] == "Nehmen wir in die nächste Fassung auf."
    detail = site.client("anonymous").get(reverse("participation:contribution", args=[idea.pk]))
    assert "Nehmen wir in die nächste Fassung auf." in detail.content.decode()


def test_a_free_text_answer_is_evaluated_like_a_comment(site: Site) -> None:
    answer = text_answer(site)
    assert answer.goal == site.goal  # from its question
    round_ = open_round(site, phase=Round.Phase.EVALUATION)

    services.feedback_disposition_set(
        actor=site.moderator,
        circle=site.circle,
        answer_id=answer.pk,
        value=Disposition.Value.ANSWERED,
        response="Das regelt das Land.",
    )

    report = build_round_report(round_)
    (item,) = report.goals[0].public
    assert item.kind == "answer" and item.settled
    assert item.author is None  # an invitee has no account
    assert item.as_dict()["text"] == "Was sollte sich ändern?\n\nMehr Kurse am Wochenende"
    results = selectors.questionnaire_results(answer.response.questionnaire, state="decided")
    assert [a.pk for r in results.questions for a in r.texts] == [answer.pk]


def test_public_feedback_settled_in_another_round_stays_in_that_report(site: Site) -> None:
    idea = approved_idea(site)
    first = open_round(site, phase=Round.Phase.EVALUATION)
    services.feedback_disposition_set(
        actor=site.moderator,
        circle=site.circle,
        contribution_id=idea.pk,
        value=Disposition.Value.NOT_ACCEPTED,
        response="Zu teuer.",
    )
    round_services.round_set_phase(actor=site.moderator, circle=site.circle, phase="revision")
    second = round_services.round_open(
        actor=site.moderator, circle=site.circle, agenda=[{"goal": site.goal.pk}]
    )

    assert [i.obj for i in build_round_report(first).goals[0].public] == [idea]
    assert build_round_report(second).goals[0].public == []


def test_an_unlinked_public_idea_of_the_field_is_listed_on_its_own(site: Site) -> None:
    idea = approved_idea(site, goal=False)
    round_ = open_round(site)
    report = build_round_report(round_)
    assert [i.obj for i in report.public_ideas] == [idea]
    assert report.goals[0].public == []


def test_unapproved_ideas_are_not_evaluated(site: Site) -> None:
    idea = services.contribution_submit(
        actor=site.outsider,
        concept=site.concept,
        kind="idea",
        action_field=site.field,
        title="T",
        body="B",
    )
    open_round(site, phase=Round.Phase.EVALUATION)
    assert build_round_report(Round.objects.get()).public_ideas == []
    with pytest.raises(NotFound):
        services.feedback_disposition_set(
            actor=site.moderator,
            circle=site.circle,
            contribution_id=idea.pk,
            value="answered",
            response="x",
        )


def test_dispositions_wait_for_the_evaluation_phase(site: Site) -> None:
    idea = approved_idea(site)
    open_round(site)
    with pytest.raises(Conflict):
        services.feedback_disposition_set(
            actor=site.moderator,
            circle=site.circle,
            contribution_id=idea.pk,
            value="answered",
            response="Noch nicht.",
        )


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("staff", False),  # staff have no special power in rounds
        ("moderator", True),
        ("drafter", True),
        ("member", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_give_public_feedback_a_disposition(
    site: Site, persona: str, allowed: bool
) -> None:
    idea = approved_idea(site)
    open_round(site, phase=Round.Phase.EVALUATION)
    response = site.client(persona).put(
        f"/api/v1/circles/{site.circle.slug}/contributions/{idea.pk}/disposition/",
        {"value": "answered", "response": "Danke!"},
        content_type="application/json",
    )
    if allowed:
        assert response.status_code == 200
        assert response.json()["feedback"]["type"] == "contribution"
    else:
        assert response.status_code in (401, 403)
        assert not Disposition.objects.exists()


def test_evaluators_decide_on_the_rooms_feedback_page(site: Site) -> None:
    answer = text_answer(site)
    open_round(site, phase=Round.Phase.EVALUATION)
    url = reverse("participation:circle_feedback", args=[site.circle.slug])
    key = f"answer-{answer.pk}"

    viewer = site.client("member").get(url).content.decode()
    assert "Mehr Kurse am Wochenende" in viewer and f'name="{key}-value"' not in viewer
    forbidden = site.client("member").post(url, {"feedback": key})
    assert forbidden.status_code == 404

    posted = site.client("drafter").post(
        url,
        {"feedback": key, f"{key}-value": "partially_accepted", f"{key}-response": "Teilweise."},
    )
    assert posted.status_code == 302
    assert Disposition.objects.get().answer == answer


def test_linking_an_answer_to_a_goal_follows_the_scope(site: Site) -> None:
    answer = text_answer(site)
    services.answer_link_goal(actor=site.drafter, answer_id=answer.pk, goal_id=None)
    assert Answer.objects.get(pk=answer.pk).goal is None
    with pytest.raises(Forbidden):
        services.answer_link_goal(actor=site.member, answer_id=answer.pk, goal_id=site.goal.pk)
    response = site.client("moderator").put(
        f"/api/v1/answers/{answer.pk}/goal/",
        {"goal": site.other_goal.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = site.client("moderator").put(
        f"/api/v1/answers/{answer.pk}/goal/",
        {"goal": site.goal.pk},
        content_type="application/json",
    )
    assert response.json() == {"id": answer.pk, "goal": site.goal.pk}


def test_feedback_received_after_a_round_closed_is_not_in_its_report(
    site: Site, clock: time_machine.Coordinates
) -> None:
    round_ = open_round(site, phase=Round.Phase.EVALUATION)
    round_services.round_set_phase(actor=site.moderator, circle=site.circle, phase="revision")
    round_services.round_set_phase(actor=site.moderator, circle=site.circle, phase="closed")
    clock.shift(timedelta(hours=1))
    approved_idea(site)
    round_.refresh_from_db()
    assert build_round_report(round_).goals[0].public == []


def test_a_questionnaire_is_public_evaluation_material_only_for_its_readers(site: Site) -> None:
    questionnaire = build_questionnaire(site, distribution=Questionnaire.Distribution.PUBLIC)
    for persona, expected in (("member", 200), ("outsider", 404), ("anonymous", 302)):
        response = site.client(persona).get(
            reverse("participation:results", args=[questionnaire.pk])
        )
        assert response.status_code == expected, persona
