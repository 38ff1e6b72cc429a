"""The plain-language twin of a goal over REST (``deliberation.plain``): read it with the
version it belongs to and whether it is out of date; the drafters write it for the current
version. The write is the same service call as the goal page's form, and the same
``goal.plain_text_set`` room event."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from api.fields import UtcDateTimeField
from deliberation import plain, selectors
from kernel.errors import NotFound


class PlainVersionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class PlainTextOutput(serializers.Serializer):
    text = serializers.CharField(help_text="Markdown.")
    html = serializers.CharField()
    version = PlainVersionOutput(help_text="The version the twin was written for.")
    outdated = serializers.BooleanField(
        help_text="True when a later binding version exists: the twin describes an older one."
    )
    updated_at = UtcDateTimeField()


class PlainTextState(serializers.Serializer):
    goal = serializers.IntegerField()
    binding_version = PlainVersionOutput(
        help_text="The goal's current version: the binding text, the one voted on."
    )
    plain = PlainTextOutput(allow_null=True)


class PlainTextInput(serializers.Serializer):
    text = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text="Markdown, at most 20,000 characters; empty removes the twin.",
    )


def _state(goal_id: int) -> dict[str, object]:
    goal = selectors.goal_by_id(goal_id)
    if goal is None or goal.current_version is None:
        raise NotFound(_("Dieses Ziel gibt es nicht."), field="goal")
    version = goal.current_version
    return {
        "goal": goal.pk,
        "binding_version": {"id": version.pk, "number": version.number},
        "plain": plain.plain_data(version),
    }


class PlainTextApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=["goals"],
        operation_id="goals_plain_text_retrieve",
        summary="The plain-language twin (Leichte Sprache) of a goal's current version",
        responses={200: PlainTextState, **error_responses(404)},
    )
    def get(self, request: Request, goal_id: int) -> Response:
        return Response(_state(goal_id))

    @extend_schema(
        tags=["goals"],
        operation_id="goals_plain_text_update",
        summary="Write the plain-language twin of the current version (drafters, moderators)",
        request=PlainTextInput,
        responses={200: PlainTextState, **error_responses(400, 403, 404)},
    )
    def put(self, request: Request, goal_id: int) -> Response:
        data = PlainTextInput(data=request.data)
        data.is_valid(raise_exception=True)
        plain.plain_text_set(actor=request.user, goal_id=goal_id, text=data.validated_data["text"])
        return Response(_state(goal_id))
