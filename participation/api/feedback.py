"""REST: linking the public's answers to goals and giving the public's feedback a disposition."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from deliberation import payloads as deliberation_payloads
from deliberation import selectors as deliberation_selectors
from deliberation.models import Circle
from deliberation.rounds.serializers import DispositionOutput
from kernel.permissions import can
from participation import services
from participation.api._common import NO_CIRCLE, TAGS, _valid
from participation.serializers import (
    FeedbackDispositionInput,
    GoalLinkInput,
    TextAnswerLinkedOutput,
)


class AnswerGoalApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="answers_goal_update",
        summary="Link a free-text answer to a goal of its questionnaire's scope (or unlink)",
        request=GoalLinkInput,
        responses={200: TextAnswerLinkedOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, answer_id: int) -> Response:
        data = _valid(GoalLinkInput, request.data)
        answer = services.answer_link_goal(
            actor=request.user, answer_id=answer_id, goal_id=data["goal"]
        )
        return Response({"id": answer.pk, "goal": answer.goal_id})


def _circle(request: Request, slug: str) -> Circle:
    circle = deliberation_selectors.circle_by_slug(slug)
    if circle is None or not can(request.user, "deliberation.view_room", circle):
        raise exceptions.NotFound(NO_CIRCLE)
    return circle


class AnswerDispositionApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["rounds"],
        operation_id="rounds_answers_disposition",
        summary="Give a free-text answer (linked to a goal of the field) its disposition",
        request=FeedbackDispositionInput,
        responses={200: DispositionOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, answer_id: int) -> Response:
        data = _valid(FeedbackDispositionInput, request.data)
        disposition = services.feedback_disposition_set(
            actor=request.user, circle=_circle(request, slug), answer_id=answer_id, **data
        )
        return Response(deliberation_payloads.disposition_data(disposition))


class ContributionDispositionApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["rounds"],
        operation_id="rounds_contributions_disposition",
        summary="Give an approved public contribution of the field its disposition",
        request=FeedbackDispositionInput,
        responses={200: DispositionOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, contribution_id: int) -> Response:
        data = _valid(FeedbackDispositionInput, request.data)
        disposition = services.feedback_disposition_set(
            actor=request.user,
            circle=_circle(request, slug),
            contribution_id=contribution_id,
            **data,
        )
        return Response(deliberation_payloads.disposition_data(disposition))
