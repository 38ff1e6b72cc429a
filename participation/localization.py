"""Reads of a questionnaire's texts in another language (``services.questionnaire_translate``
writes them). Each text falls back to the German original on its own."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from participation.models import Choice, Question, Questionnaire

QUESTIONNAIRE_TEXTS = ("title", "intro")
QUESTION_TEXTS = ("text", "hint")
CHOICE_TEXTS = ("label",)


def _base(language: str | None) -> str:
    return (language or settings.LANGUAGE_CODE).split("-")[0]


def _translated(obj: Any, language: str, name: str) -> str:
    texts = obj.translations.get(language) if isinstance(obj.translations, dict) else None
    value = texts.get(name) if isinstance(texts, dict) else None
    return value if isinstance(value, str) and value else ""


def _apply(obj: Any, language: str, names: tuple[str, ...]) -> None:
    """Show ``obj``'s texts in ``language`` (in memory only: never saved). ``text_lang`` names
    the language of the texts when it differs from the interface's (``lang`` attribute)."""
    fell_back = False
    for name in names:
        value = _translated(obj, language, name)
        if value:
            setattr(obj, name, value)
        elif getattr(obj, name):
            fell_back = True
    obj.text_lang = settings.LANGUAGE_CODE if fell_back else ""


def localize_questionnaire(
    questionnaire: Questionnaire, questions: list[Question], language: str | None
) -> None:
    """Put the texts in ``language`` in place of the German ones, for a page to show. The
    objects must not be saved afterwards (the pages that call this only read them)."""
    code = _base(language)
    if code == _base(settings.LANGUAGE_CODE):
        unchanged: list[Any] = [questionnaire, *questions]
        for obj in unchanged:
            obj.text_lang = ""
        return
    _apply(questionnaire, code, QUESTIONNAIRE_TEXTS)
    for question in questions:
        _apply(question, code, QUESTION_TEXTS)
        for choice in question.choices.all():
            _apply(choice, code, CHOICE_TEXTS)


def questionnaire_languages(questionnaire: Questionnaire, questions: list[Question]) -> list[str]:
    """The languages some text of the questionnaire is translated into."""
    found: set[str] = set()
    texts: list[Any] = [questionnaire, *questions, *(c for q in questions for c in q.choices.all())]
    for obj in texts:
        if isinstance(obj.translations, dict):
            found.update(code for code, texts in obj.translations.items() if texts)
    return [code for code, _name in settings.LANGUAGES if code in found]


def translation_values(
    questionnaire: Questionnaire, questions: list[Question], language: str
) -> dict[str, Any]:
    """The texts in ``language`` as ``services.questionnaire_translate`` takes them (empty
    where there is none), with the German originals beside them (``original``)."""

    def texts(obj: Question | Choice | Questionnaire, names: tuple[str, ...]) -> dict[str, str]:
        return {name: _translated(obj, language, name) for name in names}

    return {
        "language": language,
        **texts(questionnaire, QUESTIONNAIRE_TEXTS),
        "original": {name: getattr(questionnaire, name) for name in QUESTIONNAIRE_TEXTS},
        "questions": [
            {
                "id": question.pk,
                **texts(question, QUESTION_TEXTS),
                "original": {name: getattr(question, name) for name in QUESTION_TEXTS},
                "choices": [
                    {"id": choice.pk, **texts(choice, CHOICE_TEXTS), "original": choice.label}
                    for choice in question.choices.all()
                ],
            }
            for question in questions
        ],
    }
