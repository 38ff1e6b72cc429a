"""REST: a questionnaire's texts in another language (``services.questionnaire_translate``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from participation import selectors, services
from participation.access import access_questionnaire
from participation.api._common import NO_QUESTIONNAIRE, TAGS, _valid
from participation.localization import translation_values


class ChoiceTextsInput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField(  # type: ignore[assignment]
        allow_blank=True, required=False, default=""
    )


class QuestionTextsInput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True, required=False, default="")
    hint = serializers.CharField(allow_blank=True, required=False, default="")
    choices = ChoiceTextsInput(many=True, required=False, default=list)


class QuestionnaireTranslationInput(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, required=False, default="")
    intro = serializers.CharField(allow_blank=True, required=False, default="")
    questions = QuestionTextsInput(
        many=True,
        required=False,
        default=list,
        help_text="Left out or empty: that text is shown in German.",
    )


class ChoiceTextsOutput(ChoiceTextsInput):
    original = serializers.CharField(help_text="The German label.")


class QuestionOriginalTextsOutput(serializers.Serializer):
    text = serializers.CharField()
    hint = serializers.CharField()


class QuestionTextsOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    hint = serializers.CharField()
    original = QuestionOriginalTextsOutput()
    choices = ChoiceTextsOutput(many=True)


class QuestionnaireOriginalTextsOutput(serializers.Serializer):
    title = serializers.CharField()
    intro = serializers.CharField()


class QuestionnaireTranslationOutput(serializers.Serializer):
    language = serializers.CharField()
    title = serializers.CharField()
    intro = serializers.CharField()
    original = QuestionnaireOriginalTextsOutput()
    questions = QuestionTextsOutput(many=True)


def _language(language: str) -> str:
    if language not in dict(services.translation_languages()):
        raise exceptions.NotFound(NO_QUESTIONNAIRE)
    return language


def _values(questionnaire_id: int, language: str) -> dict[str, Any]:
    questionnaire = selectors.questionnaire_by_id(questionnaire_id)
    assert questionnaire is not None
    return translation_values(
        questionnaire, selectors.questionnaire_questions(questionnaire), language
    )


class QuestionnaireTranslationApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_translation_retrieve",
        summary="A questionnaire's texts in one language, beside the German originals",
        responses={200: QuestionnaireTranslationOutput, **error_responses(404)},
    )
    def get(self, request: Request, questionnaire_id: int, language: str) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        return Response(_values(questionnaire.pk, _language(language)))

    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_translation_update",
        summary="Set a questionnaire's texts in one language (staff, moderators of its scope)",
        request=QuestionnaireTranslationInput,
        responses={200: QuestionnaireTranslationOutput, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, questionnaire_id: int, language: str) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        language = _language(language)
        data = _valid(QuestionnaireTranslationInput, request.data)
        services.questionnaire_translate(
            actor=request.user,
            questionnaire_id=questionnaire.pk,
            language=language,
            title=data["title"],
            intro=data["intro"],
            questions={
                question["id"]: {
                    "text": question["text"],
                    "hint": question["hint"],
                    "choices": {choice["id"]: choice["label"] for choice in question["choices"]},
                }
                for question in data["questions"]
            },
        )
        return Response(_values(questionnaire.pk, language))
