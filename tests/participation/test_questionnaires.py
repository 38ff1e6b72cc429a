"""Questionnaires through the services: built, sent to invitees, answered, evaluated; the
server's deadline, one response per token and per account, drafts and receipts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from datetime import timedelta

import pytest
import time_machine

from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from participation import selectors, services
from participation.models import Question, Questionnaire, Response
from tests.participation.conftest import NOW, Site, answers_for, build_questionnaire

ISO_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")

pytestmark = pytest.mark.django_db


def invite(site: Site, questionnaire: Questionnaire, *emails: str) -> dict[str, str]:
    batch = services.invitations_create(
        actor=site.moderator, questionnaire_id=questionnaire.pk, emails=list(emails)
    )
    return {invitation.email: invitation.token for invitation in batch.all}


def test_a_questionnaire_is_built_sent_answered_and_evaluated(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    tokens = invite(site, questionnaire, "a@example.org", "B@Example.org", "c@example.org")
    assert sorted(tokens) == ["a@example.org", "b@example.org", "c@example.org"]

    given = [
        (
            "a@example.org",
            answers_for(
                questionnaire,
                single="Ja",
                multiple=("Abendkurse",),
                scale=5,
                text="Mehr Abendkurse",
            ),
        ),
        (
            "b@example.org",
            answers_for(
                questionnaire, single="Ja", multiple=("Abendkurse", "Kinderbetreuung"), scale=3
            ),
        ),
        (
            "c@example.org",
            answers_for(questionnaire, single="Nein", scale=4, text="Kinderbetreuung fehlt"),
        ),
    ]
    receipts = []
    for email, answers in given:
        response = services.response_save(
            actor=None, token=tokens[email], answers=answers, submit=True
        )
        receipts.append(response.receipt)
    assert len(set(receipts)) == 3

    results = selectors.questionnaire_results(questionnaire)
    by_kind = {r.question.kind: r for r in results.questions}
    assert results.submitted == 3
    assert [(row.label, row.count) for row in by_kind["single"].rows] == [("Ja", 2), ("Nein", 1)]
    assert [(row.label, row.count) for row in by_kind["multiple"].rows] == [
        ("Kinderbetreuung", 1),
        ("Abendkurse", 2),
        ("Online-Angebote", 0),
    ]
    assert by_kind["multiple"].answered == 2
    assert [row.count for row in by_kind["scale"].rows] == [0, 0, 1, 1, 1]
    assert by_kind["scale"].mean == "4,00"
    assert [a.text for a in by_kind["text"].texts] == ["Mehr Abendkurse", "Kinderbetreuung fehlt"]
    assert all(a.goal_id == site.goal.pk for a in by_kind["text"].texts)

    rows = list(csv.reader(io.StringIO(selectors.responses_csv(questionnaire))))
    assert rows[0][:2] == ["Eingangsnummer", "abgeschickt am"]
    assert rows[0][2:] == [
        f"{q.order}. {q.text}" for q in questionnaire.questions.order_by("order")
    ]
    assert [row[0] for row in rows[1:]] == receipts
    # "abgeschickt am" in ISO 8601 with the offset: spreadsheets sort it as a time.
    for row in rows[1:]:
        assert ISO_SECONDS.fullmatch(row[1]), row[1]
        assert dt.datetime.fromisoformat(row[1]).tzinfo is not None
    assert [row[2:] for row in rows[1:]] == [
        ["Ja", "Abendkurse", "5", "Mehr Abendkurse"],
        ["Ja", "Kinderbetreuung; Abendkurse", "3", ""],
        ["Nein", "", "4", "Kinderbetreuung fehlt"],
    ]


def test_a_token_used_twice_is_refused(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    token = invite(site, questionnaire, "a@example.org")["a@example.org"]
    first = services.response_save(
        actor=None, token=token, answers=answers_for(questionnaire), submit=True
    )

    with pytest.raises(Conflict) as refused:
        services.response_save(
            actor=None, token=token, answers=answers_for(questionnaire, single="Nein"), submit=True
        )

    assert first.receipt in refused.value.message
    assert Response.objects.get().answers.get(question__kind="single").choices.get().label == "Ja"


def test_answers_after_the_deadline_are_refused(site: Site) -> None:
    questionnaire = build_questionnaire(site, deadline=NOW + timedelta(days=1))
    token = invite(site, questionnaire, "a@example.org")["a@example.org"]
    services.response_save(actor=None, token=token, answers={}, submit=False)

    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        with pytest.raises(Conflict) as refused:
            services.response_save(
                actor=None, token=token, answers=answers_for(questionnaire), submit=True
            )
        assert refused.value.field == "deadline"
        assert not selectors.is_accepting(questionnaire)

    assert Response.objects.get().state == Response.State.DRAFT


def test_answers_to_a_closed_questionnaire_are_refused(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    token = invite(site, questionnaire, "a@example.org")["a@example.org"]
    services.questionnaire_close(actor=site.moderator, questionnaire_id=questionnaire.pk)

    with pytest.raises(Conflict):
        services.response_save(
            actor=None, token=token, answers=answers_for(questionnaire), submit=True
        )


def test_a_draft_is_saved_and_submitted_later(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    token = invite(site, questionnaire, "a@example.org")["a@example.org"]
    q = {question.kind: question for question in questionnaire.questions.all()}

    draft = services.response_save(
        actor=None, token=token, answers={q["text"].pk: "Erster Gedanke"}, submit=False
    )
    assert draft.state == Response.State.DRAFT and not draft.receipt
    assert selectors.response_values(draft) == {q["text"].pk: "Erster Gedanke"}

    with pytest.raises(Invalid) as incomplete:
        services.response_save(actor=None, token=token, answers={}, submit=True)
    assert incomplete.value.field == f"q{q['single'].pk}"

    done = services.response_save(
        actor=None, token=token, answers=answers_for(questionnaire, text="Zweiter"), submit=True
    )
    assert done.pk == draft.pk
    assert done.state == Response.State.SUBMITTED
    assert len(done.receipt) == 9 and done.submitted_at == NOW
    assert selectors.questionnaire_results(questionnaire).drafts == 0


def test_an_unknown_token_is_not_found(site: Site) -> None:
    build_questionnaire(site)
    with pytest.raises(NotFound):
        services.response_save(actor=None, token="nope", answers={}, submit=False)


def test_a_public_questionnaire_takes_one_response_per_account(site: Site) -> None:
    questionnaire = build_questionnaire(site, distribution=Questionnaire.Distribution.PUBLIC)
    services.response_save(
        actor=site.outsider,
        questionnaire_id=questionnaire.pk,
        answers=answers_for(questionnaire),
        submit=True,
    )

    with pytest.raises(Conflict):
        services.response_save(
            actor=site.outsider,
            questionnaire_id=questionnaire.pk,
            answers=answers_for(questionnaire),
            submit=True,
        )
    with pytest.raises(Forbidden):
        services.response_save(
            actor=site.anonymous,
            questionnaire_id=questionnaire.pk,
            answers=answers_for(questionnaire),
            submit=True,
        )


def test_an_invitation_questionnaire_is_not_answered_by_account(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    with pytest.raises(Forbidden):
        services.response_save(
            actor=site.outsider,
            questionnaire_id=questionnaire.pk,
            answers=answers_for(questionnaire),
            submit=True,
        )


def test_answers_must_fit_their_questions(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    token = invite(site, questionnaire, "a@example.org")["a@example.org"]
    q = {question.kind: question for question in questionnaire.questions.all()}
    other_choice = q["multiple"].choices.first()
    assert other_choice is not None

    for answers in (
        {q["scale"].pk: 6},
        {q["single"].pk: other_choice.pk},
        {q["text"].pk: "x" * 5001},
        {999_999: "?"},
    ):
        with pytest.raises(Invalid):
            services.response_save(actor=None, token=token, answers=answers, submit=False)


def test_questions_change_only_in_the_draft(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    with pytest.raises(Conflict):
        services.question_add(
            actor=site.moderator,
            questionnaire_id=questionnaire.pk,
            kind=Question.Kind.TEXT,
            text="Noch etwas?",
        )


def test_a_questionnaire_opens_only_with_questions_and_a_future_deadline(site: Site) -> None:
    empty = services.questionnaire_create(actor=site.staff, concept=site.concept, title="Leer")
    with pytest.raises(Conflict):
        services.questionnaire_open(actor=site.staff, questionnaire_id=empty.pk)
    draft = build_questionnaire(site, open_it=False)
    with pytest.raises(Conflict):
        services.questionnaire_open(
            actor=site.moderator, questionnaire_id=draft.pk, deadline=NOW - timedelta(hours=1)
        )


def test_builder_edits_moves_and_deletes_questions(site: Site) -> None:
    questionnaire = build_questionnaire(site, open_it=False)
    first, second, third, fourth = questionnaire.questions.order_by("order")

    services.question_move(actor=site.moderator, question_id=third.pk, direction="up")
    services.question_delete(actor=site.moderator, question_id=first.pk)
    services.question_update(
        actor=site.moderator,
        question_id=fourth.pk,
        kind=Question.Kind.SINGLE,
        text="Kurz oder lang?",
        choices=["kurz", "lang"],
    )

    ordered = list(questionnaire.questions.order_by("order").values_list("pk", "order"))
    assert ordered == [(third.pk, 1), (second.pk, 2), (fourth.pk, 3)]
    assert [c.label for c in Question.objects.get(pk=fourth.pk).choices.all()] == ["kurz", "lang"]


def test_a_choice_question_needs_two_distinct_choices(site: Site) -> None:
    questionnaire = build_questionnaire(site, open_it=False)
    for choices in (["nur eine"], ["Ja", "ja"]):
        with pytest.raises(Invalid):
            services.question_add(
                actor=site.moderator,
                questionnaire_id=questionnaire.pk,
                kind=Question.Kind.SINGLE,
                text="?",
                choices=choices,
            )


def test_a_question_refers_only_to_a_goal_of_its_scope(site: Site) -> None:
    questionnaire = build_questionnaire(site, open_it=False)
    with pytest.raises(Invalid):
        services.question_add(
            actor=site.moderator,
            questionnaire_id=questionnaire.pk,
            kind=Question.Kind.TEXT,
            text="?",
            goal_id=site.other_goal.pk,
        )


def test_invitations_need_valid_addresses_and_keep_existing_tokens(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    first = invite(site, questionnaire, "a@example.org")
    with pytest.raises(Invalid) as bad:
        invite(site, questionnaire, "b@example.org", "kein-at-zeichen")
    assert "kein-at-zeichen" in bad.value.message

    again = invite(site, questionnaire, "a@example.org", "b@example.org")

    assert again["a@example.org"] == first["a@example.org"]
    assert len(again["b@example.org"]) >= 43
    assert questionnaire.invitations.count() == 2


def test_a_public_questionnaire_has_no_invitations(site: Site) -> None:
    questionnaire = build_questionnaire(site, distribution=Questionnaire.Distribution.PUBLIC)
    with pytest.raises(Conflict):
        invite(site, questionnaire, "a@example.org")


def test_invitations_csv_lists_each_personal_link(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    tokens = invite(site, questionnaire, "a@example.org", "b@example.org")
    services.response_save(
        actor=None, token=tokens["a@example.org"], answers=answers_for(questionnaire), submit=True
    )

    text = selectors.invitations_csv(
        selectors.questionnaire_invitations(questionnaire), "https://konsens.example.org"
    )

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["E-Mail-Adresse", "Persönlicher Link", "Stand", "abgeschickt am"]
    assert rows[1][:3] == [
        "a@example.org",
        f"https://konsens.example.org/beteiligung/einladung/{tokens['a@example.org']}/",
        "abgeschickt",
    ]
    # The time in ISO 8601 with its offset, as spreadsheets sort it.
    submitted = dt.datetime.fromisoformat(rows[1][3])
    assert submitted.tzinfo is not None and ISO_SECONDS.fullmatch(rows[1][3])
    assert rows[2][2:] == ["nicht begonnen", ""]


def test_csv_cells_never_run_as_formulas(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    token = invite(site, questionnaire, "a@example.org")["a@example.org"]
    services.response_save(
        actor=None,
        token=token,
        answers=answers_for(questionnaire, text='=HYPERLINK("http://evil")'),
        submit=True,
    )
    rows = list(csv.reader(io.StringIO(selectors.responses_csv(questionnaire))))
    assert rows[1][-1].startswith("'=")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("staff", True),
        ("moderator", True),
        ("member", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_build_a_questionnaire(site: Site, persona: str, allowed: bool) -> None:
    def build() -> Questionnaire:
        return services.questionnaire_create(
            actor=site.persona(persona), concept=site.concept, action_field=site.field, title="T"
        )

    if allowed:
        assert build().status == Questionnaire.Status.DRAFT
    else:
        with pytest.raises(Forbidden):
            build()


def test_a_field_moderator_does_not_build_for_another_field(site: Site) -> None:
    with pytest.raises(Forbidden):
        services.questionnaire_create(
            actor=site.moderator, concept=site.concept, action_field=site.other_field, title="T"
        )


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("staff", True),
        ("moderator", True),
        ("member", True),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_read_the_results(site: Site, persona: str, allowed: bool) -> None:
    questionnaire = build_questionnaire(site)
    assert site.persona(persona).has_perm("participation.view_results", questionnaire) is allowed
