"""Plain-data shapes of participation's objects, for the API (and anything else that needs
them as data). One function per shape."""

from __future__ import annotations

from typing import Any

from deliberation import payloads
from deliberation.models import Disposition
from kernel.rendering import render_markdown
from kernel.times import utc_iso_or_none
from participation import selectors
from participation.models import (
    Answer,
    Contribution,
    Invitation,
    Question,
    Questionnaire,
    Response,
)


def _iso(value: Any) -> str | None:
    return utc_iso_or_none(value)


def question_data(question: Question) -> dict[str, Any]:
    return {
        "id": question.pk,
        "order": question.order,
        "kind": question.kind,
        "text": question.text,
        "hint": question.hint,
        "required": question.required,
        "goal": question.goal_id,
        "choices": [{"id": c.pk, "label": c.label} for c in question.choices.all()],
    }


def questionnaire_data(
    questionnaire: Questionnaire, *, questions: list[Question] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": questionnaire.pk,
        "concept": questionnaire.concept.slug,
        "action_field": questionnaire.action_field.slug if questionnaire.action_field else None,
        "title": questionnaire.title,
        "intro": questionnaire.intro,
        "intro_html": render_markdown(questionnaire.intro),
        "distribution": questionnaire.distribution,
        "status": questionnaire.status,
        "deadline": _iso(questionnaire.deadline),
        "accepting": selectors.is_accepting(questionnaire),
        "created_at": _iso(questionnaire.created_at),
        "opened_at": _iso(questionnaire.opened_at),
        "closed_at": _iso(questionnaire.closed_at),
    }
    if questions is not None:
        data["questions"] = [question_data(q) for q in questions]
    return data


def invitation_data(invitation: Invitation, base_url: str) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "url": selectors.invitation_url(invitation, base_url),
        "token": invitation.token,
        "status": selectors.invitation_status(invitation),
    }


def response_data(response: Response) -> dict[str, Any]:
    values = selectors.response_values(response)
    kinds = dict(
        response.questionnaire.questions.values_list("pk", "kind")
        if response.questionnaire_id
        else []
    )
    answers = []
    for question_id, value in sorted(values.items()):
        kind = kinds.get(question_id)
        answers.append(
            {
                "question": question_id,
                "choice": value if kind == Question.Kind.SINGLE else None,
                "choices": value if kind == Question.Kind.MULTIPLE else [],
                "scale": value if kind == Question.Kind.SCALE else None,
                "text": value if kind == Question.Kind.TEXT else "",
            }
        )
    return {
        "state": response.state,
        "receipt": response.receipt or None,
        "updated_at": _iso(response.updated_at),
        "submitted_at": _iso(response.submitted_at),
        "answers": answers,
    }


def _disposition(obj: Answer | Contribution) -> dict[str, Any] | None:
    try:
        disposition = obj.disposition
    except Disposition.DoesNotExist:
        return None
    return payloads.disposition_data(disposition)


def results_data(results: selectors.Results) -> dict[str, Any]:
    questions = []
    for result in results.questions:
        mean = None
        if result.question.kind == Question.Kind.SCALE and result.answered:
            mean = round(
                sum(int(row.label) * row.count for row in result.rows) / result.answered, 2
            )
        questions.append(
            {
                "question": question_data(result.question),
                "answered": result.answered,
                "distribution": [{"label": r.label, "count": r.count} for r in result.rows],
                "mean": mean,
                "texts": [
                    {
                        "id": answer.pk,
                        "text": answer.text,
                        "receipt": answer.response.receipt,
                        "submitted_at": _iso(answer.response.submitted_at),
                        "goal": answer.goal_id,
                        "disposition": _disposition(answer),
                    }
                    for answer in result.texts
                ],
            }
        )
    return {
        "questionnaire": results.questionnaire.pk,
        "submitted": results.submitted,
        "drafts": results.drafts,
        "questions": questions,
    }


def contribution_data(contribution: Contribution) -> dict[str, Any]:
    return {
        "id": contribution.pk,
        "kind": contribution.kind,
        "concept": contribution.concept.slug,
        "action_field": contribution.action_field.slug if contribution.action_field else None,
        "title": contribution.title,
        "body": contribution.body,
        "body_html": contribution.body_html,
        "author": payloads.person(contribution.author),
        "state": contribution.state,
        "moderation_reason": contribution.moderation_reason or None,
        "goal": contribution.goal_id,
        "created_at": _iso(contribution.created_at),
        "disposition": _disposition(contribution),
    }
