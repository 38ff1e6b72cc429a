"""The assistance over REST: a machine translation on demand.

``GET /api/v1/translations/?kind=comment&id=12&target=en`` answers with the translation,
marked as such, and the original. A text the caller may not see is a 404 (the same rules
as its page); with no translator configured, a 409 and no request leaves the server.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from assist.translation import KINDS, translation_get


class TranslationInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    id = serializers.IntegerField(min_value=1)
    target = serializers.CharField(max_length=16)


class TranslationOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    id = serializers.IntegerField()
    original = serializers.CharField(help_text="The text as its author wrote it.")
    text = serializers.CharField(help_text="The machine translation.")
    source_lang = serializers.CharField(allow_null=True)
    target_lang = serializers.CharField()
    provider = serializers.CharField()
    cached = serializers.BooleanField(help_text="Served from the cache: no provider was asked.")
    machine_translation = serializers.BooleanField(help_text="Always true: say so to readers.")
    marking = serializers.CharField(help_text='"Maschinell übersetzt" in the request language.')


class TranslationApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["assist"],
        operation_id="translation_get",
        summary="A machine translation of a comment, idea, answer, contribution or goal",
        description="Translated by the installation's provider (none by default: then 409) "
        "and cached per text and target language. Visible texts only: whatever its page would "
        "not show you is a 404 here too.",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=list(KINDS), required=True),
            OpenApiParameter("id", OpenApiTypes.INT, required=True),
            OpenApiParameter("target", OpenApiTypes.STR, required=True, description="e.g. en"),
        ],
        responses={200: TranslationOutput, **error_responses(400, 404, 409, 502)},
    )
    def get(self, request: Request) -> Response:
        data = TranslationInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        translation = translation_get(
            actor=request.user,
            kind=data.validated_data["kind"],
            object_id=data.validated_data["id"],
            target=data.validated_data["target"],
        )
        return Response(TranslationOutput(translation.as_dict()).data)
