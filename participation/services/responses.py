"""Answering a questionnaire: checking answers, saving a response, linking answers to goals."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can
from kernel.types import Actor, user_of
from participation.models import (
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Choice,
    Invitation,
    Question,
    Questionnaire,
    Response,
)
from participation.services._common import ANSWER_MAX_LENGTH, RECEIPT_ALPHABET, _now, _when
from participation.services.feedback import _require_undecided
from participation.services.questionnaires import _scope_goal


def accepting_problem(questionnaire: Questionnaire, now: datetime | None = None) -> str | None:
    """Why the questionnaire takes no answers now, or None when it does."""
    now = now or _now()
    if questionnaire.status == Questionnaire.Status.DRAFT:
        return _("Dieser Fragebogen ist noch nicht geöffnet.")
    if questionnaire.status == Questionnaire.Status.CLOSED:
        return _("Dieser Fragebogen ist geschlossen; Antworten sind nicht mehr möglich.")
    if questionnaire.deadline is not None and now >= questionnaire.deadline:
        return _("Die Frist für Antworten ist am %(when)s abgelaufen.") % {
            "when": _when(questionnaire.deadline)
        }
    return None


@dataclass
class CleanAnswer:
    question: Question
    choices: list[Choice] = field(default_factory=list)
    scale: int | None = None
    text: str = ""


def _choice_id(value: Any, field_name: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return checks.integer(value, field_name)


def clean_answers(
    questions: Sequence[Question], answers: Mapping[Any, Any], *, complete: bool
) -> dict[int, CleanAnswer]:
    """Raw answers ``{question id: value}`` → checked answers of the given questions.

    Values: a choice id (single choice), a list of choice ids (multiple), 1–5 (scale), text
    (free text); None, "" or [] leave a question unanswered. With ``complete`` every required
    question must be answered. Keys that are not questions of the questionnaire are refused.
    """
    by_id = {question.pk: question for question in questions}
    given: dict[int, Any] = {}
    for key, value in answers.items():
        question_id = _choice_id(key, "answers")
        if question_id not in by_id:
            raise Invalid(
                _("Frage %(id)s gehört nicht zu diesem Fragebogen.") % {"id": question_id},
                field="answers",
            )
        given[question_id] = value
    cleaned: dict[int, CleanAnswer] = {}
    for question in questions:
        value = given.get(question.pk)
        field_name = f"q{question.pk}"
        if value is None or value == "" or value == []:
            if complete and question.required:
                raise Invalid(
                    _("Bitte beantworten Sie die Frage „%(q)s“.") % {"q": question.text},
                    field=field_name,
                )
            continue
        answer = CleanAnswer(question=question)
        choices = {choice.pk: choice for choice in question.choices.all()}
        if question.kind == Question.Kind.SINGLE:
            choice_id = _choice_id(value, field_name)
            if choice_id not in choices:
                raise Invalid(_("Diese Antwortmöglichkeit gibt es nicht."), field=field_name)
            answer.choices = [choices[choice_id]]
        elif question.kind == Question.Kind.MULTIPLE:
            if not isinstance(value, list | tuple):
                value = [value]
            ids = list(dict.fromkeys(_choice_id(v, field_name) for v in value))
            if any(i not in choices for i in ids):
                raise Invalid(_("Diese Antwortmöglichkeit gibt es nicht."), field=field_name)
            answer.choices = [choices[i] for i in ids]
        elif question.kind == Question.Kind.SCALE:
            scale = _choice_id(value, field_name)
            if not SCALE_MIN <= scale <= SCALE_MAX:
                raise Invalid(
                    _("Ein Skalenwert liegt zwischen %(min)s und %(max)s.")
                    % {"min": SCALE_MIN, "max": SCALE_MAX},
                    field=field_name,
                )
            answer.scale = scale
        else:
            answer.text = checks.text(
                value,
                field_name,
                label=_("Die Antwort"),
                required=False,
                max_length=ANSWER_MAX_LENGTH,
            )
            if not answer.text:
                if complete and question.required:
                    raise Invalid(
                        _("Bitte beantworten Sie die Frage „%(q)s“.") % {"q": question.text},
                        field=field_name,
                    )
                continue
        cleaned[question.pk] = answer
    return cleaned


def _receipt() -> str:
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(8))
        receipt = f"{code[:4]}-{code[4:]}"
        if not Response.objects.filter(receipt=receipt).exists():
            return receipt


def response_save(
    *,
    actor: Actor | None,
    answers: Mapping[Any, Any],
    submit: bool,
    questionnaire_id: int | None = None,
    token: str | None = None,
    language: str = "",
) -> Response:
    """Save a draft of one's answers, or submit them (final; a receipt number is issued).

    Either by a signed-in account for a public questionnaire (``questionnaire_id``), one
    response per account, or by invitation (``token``, no account), one per invitation.
    Refused once the questionnaire is closed or its deadline passed, and once submitted.
    ``language``: the interface language the answers are given in (one of ``LANGUAGES``)."""
    if not isinstance(submit, bool):
        raise Invalid(_("submit muss wahr oder falsch sein."), field="submit")
    if not isinstance(answers, Mapping):
        raise Invalid(
            _("Die Antworten müssen eine Zuordnung Frage → Antwort sein."), field="answers"
        )
    try:
        with transaction.atomic():
            invitation = None
            if token is not None:
                invitation = (
                    Invitation.objects.select_for_update()
                    .filter(token=token if isinstance(token, str) else "")
                    .first()
                )
                if invitation is None:
                    raise NotFound(_("Dieser Einladungslink ist ungültig."), field="token")
                questionnaire = Questionnaire.objects.get(pk=invitation.questionnaire_id)
                response = (
                    Response.objects.select_for_update().filter(invitation=invitation).first()
                )
            else:
                if not getattr(actor, "is_authenticated", False):
                    raise Forbidden(
                        _("Bitte melden Sie sich an, um diesen Fragebogen auszufüllen.")
                    )
                found = Questionnaire.objects.filter(
                    pk=checks.integer(questionnaire_id, "questionnaire")
                ).first()
                if found is None or found.status == Questionnaire.Status.DRAFT:
                    raise NotFound(_("Diesen Fragebogen gibt es nicht."), field="questionnaire")
                questionnaire = found
                if questionnaire.distribution != Questionnaire.Distribution.PUBLIC:
                    raise Forbidden(
                        _("Diesen Fragebogen beantworten nur Eingeladene über ihren Link.")
                    )
                response = (
                    Response.objects.select_for_update()
                    .filter(questionnaire=questionnaire, respondent=user_of(actor))
                    .first()
                )
            if response is not None and response.state == Response.State.SUBMITTED:
                raise Conflict(
                    _(
                        "Dieser Fragebogen ist schon abgeschickt (Eingangsnummer %(receipt)s); "
                        "er kann nur einmal beantwortet werden."
                    )
                    % {"receipt": response.receipt},
                    field="response",
                )
            now = _now()
            problem = accepting_problem(questionnaire, now)
            if problem:
                raise Conflict(problem, field="deadline")
            questions = list(questionnaire.questions.prefetch_related("choices").order_by("order"))
            cleaned = clean_answers(questions, answers, complete=submit)
            if response is None:
                response = Response.objects.create(
                    questionnaire=questionnaire,
                    respondent=None if invitation else user_of(actor),
                    invitation=invitation,
                    created_at=now,
                    updated_at=now,
                )
            _write_answers(response, questions, cleaned)
            response.updated_at = now
            if language in dict(settings.LANGUAGES):
                response.language = language
            if submit:
                response.state = Response.State.SUBMITTED
                response.submitted_at = now
                response.receipt = _receipt()
            response.save()
    except IntegrityError:
        # Two first saves of the same respondent at once: the database let one through.
        raise Conflict(
            _("Dieser Fragebogen wurde gerade gleichzeitig gespeichert; bitte laden Sie neu."),
            field="response",
        ) from None
    return response


def _write_answers(
    response: Response, questions: Sequence[Question], cleaned: Mapping[int, CleanAnswer]
) -> None:
    existing = {answer.question_id: answer for answer in response.answers.all()}
    unanswered = [existing[q.pk].pk for q in questions if q.pk in existing and q.pk not in cleaned]
    if unanswered:
        Answer.objects.filter(pk__in=unanswered).delete()
    for question_id, clean in cleaned.items():
        answer = existing.get(question_id)
        if answer is None:
            answer = Answer(response=response, question=clean.question, goal=clean.question.goal)
        answer.scale = clean.scale
        answer.text = clean.text
        answer.save()
        if clean.question.has_choices:
            answer.choices.set(clean.choices)


def answer_link_goal(*, actor: Actor, answer_id: int, goal_id: int | None) -> Answer:
    """Link a free-text answer to a goal of its questionnaire's scope (or unlink it): it then
    appears in the evaluation of the rounds on that goal, like a comment on it."""
    with transaction.atomic():
        answer = (
            Answer.objects.select_for_update()
            .select_related("response__questionnaire", "question")
            .filter(
                pk=checks.integer(answer_id, "answer"),
                question__kind=Question.Kind.TEXT,
                response__state=Response.State.SUBMITTED,
            )
            .first()
        )
        if answer is None:
            raise NotFound(_("Diese Freitext-Antwort gibt es nicht."), field="answer")
        questionnaire = answer.response.questionnaire
        if actor is None or not can(actor, "participation.link_answer", questionnaire):
            raise Forbidden(_("Nur die Moderation und die Arbeitsgruppe ordnen Antworten zu."))
        goal = _scope_goal(questionnaire, goal_id)
        _require_undecided(answer)
        answer.goal = goal
        answer.save(update_fields=["goal"])
    return answer
