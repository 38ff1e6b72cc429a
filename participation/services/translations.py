"""A questionnaire's texts in other languages: its title and introduction, each question's
text and hint, each option's label. German is the original; whoever manages the questionnaire
enters the others. A respondent sees the texts in the interface's language where they exist,
the German ones elsewhere (``participation.selectors.localize_questionnaire``). Answers refer
to the questions and options themselves, so the evaluation and the CSV merge the languages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kernel import checks
from kernel.errors import Conflict, Invalid
from kernel.types import Actor
from participation.models import Choice, Question, Questionnaire
from participation.services._common import (
    CHOICE_MAX_LENGTH,
    INTRO_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    _require_manage,
)
from participation.services.questionnaires import _locked_questionnaire


def translation_languages() -> list[tuple[str, str]]:
    """The languages a questionnaire can be translated into: the site's, but German."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _language(value: Any) -> str:
    codes = [code for code, _name in translation_languages()]
    if not isinstance(value, str) or value not in codes:
        raise Invalid(
            _("Unbekannte Sprache; möglich sind: %(codes)s") % {"codes": ", ".join(codes)},
            field="language",
        )
    return value


def _texts(current: Any, language: str, values: Mapping[str, str]) -> dict[str, Any]:
    """``current`` translations with ``language`` set to the non-empty ``values`` (removed
    when all are empty)."""
    result = dict(current) if isinstance(current, dict) else {}
    filled = {name: text for name, text in values.items() if text}
    if filled:
        result[language] = filled
    else:
        result.pop(language, None)
    return result


def _mapping(value: Any, field: str) -> Mapping[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Invalid(_("Erwartet ist eine Zuordnung."), field=field)
    return value


def questionnaire_translate(
    *,
    actor: Actor,
    questionnaire_id: int,
    language: str,
    title: Any = "",
    intro: Any = "",
    questions: Any = None,
) -> Questionnaire:
    """Set a questionnaire's texts in ``language`` (all at once: what is left out or empty
    falls back to German). ``questions`` maps a question's id to ``{"text", "hint",
    "choices": {option id: label}}``. Allowed until the questionnaire is closed."""
    language = _language(language)
    with transaction.atomic():
        questionnaire = _locked_questionnaire(questionnaire_id)
        _require_manage(actor, questionnaire)
        if questionnaire.status == Questionnaire.Status.CLOSED:
            raise Conflict(_("Dieser Fragebogen ist geschlossen."), field="status")
        questionnaire.translations = _texts(
            questionnaire.translations,
            language,
            {
                "title": checks.text(
                    title,
                    "title",
                    label=_("Der Titel"),
                    required=False,
                    max_length=TITLE_MAX_LENGTH,
                ),
                "intro": checks.text(
                    intro,
                    "intro",
                    label=_("Die Einleitung"),
                    required=False,
                    max_length=INTRO_MAX_LENGTH,
                ),
            },
        )
        given = _mapping(questions, "questions")
        own = {
            question.pk: question
            for question in questionnaire.questions.prefetch_related("choices")
        }
        by_id: dict[int, Mapping[Any, Any]] = {}
        for key, value in given.items():
            question_id = checks.integer(key, "questions")
            if question_id not in own:
                raise Invalid(
                    _("Frage %(id)s gehört nicht zu diesem Fragebogen.") % {"id": question_id},
                    field="questions",
                )
            by_id[question_id] = _mapping(value, f"questions.{question_id}")
        changed_choices: list[Choice] = []
        for question_id, question in own.items():
            texts = by_id.get(question_id, {})
            field = f"questions.{question_id}"
            question.translations = _texts(
                question.translations,
                language,
                {
                    "text": checks.text(
                        texts.get("text"),
                        f"{field}.text",
                        label=_("Die Frage"),
                        required=False,
                        max_length=QUESTION_MAX_LENGTH,
                    ),
                    "hint": checks.text(
                        texts.get("hint"),
                        f"{field}.hint",
                        label=_("Der Hinweis"),
                        required=False,
                        max_length=QUESTION_MAX_LENGTH,
                    ),
                },
            )
            labels = _mapping(texts.get("choices"), f"{field}.choices")
            choices = {choice.pk: choice for choice in question.choices.all()}
            for key in labels:
                if checks.integer(key, f"{field}.choices") not in choices:
                    raise Invalid(
                        _("Diese Antwortmöglichkeit gibt es nicht."), field=f"{field}.choices"
                    )
            wanted = {checks.integer(key, f"{field}.choices"): text for key, text in labels.items()}
            for choice_id, choice in choices.items():
                choice.translations = _texts(
                    choice.translations,
                    language,
                    {
                        "label": checks.text(
                            wanted.get(choice_id),
                            f"{field}.choices.{choice_id}",
                            label=_("Die Antwortmöglichkeit"),
                            required=False,
                            max_length=CHOICE_MAX_LENGTH,
                        )
                    },
                )
                changed_choices.append(choice)
        questionnaire.save(update_fields=["translations"])
        Question.objects.bulk_update(list(own.values()), ["translations"])
        Choice.objects.bulk_update(changed_choices, ["translations"])
    return questionnaire
