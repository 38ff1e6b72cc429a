"""REST: linking the public's answers to goals and giving the public's feedback a disposition."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from api.pagination import Pagination
from deliberation import payloads as deliberation_payloads
from deliberation import selectors as deliberation_selectors
from deliberation.access import access_round
from deliberation.models import Circle
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds.feedback_sources import public_feedback
from deliberation.rounds.selectors import FeedbackItem
from deliberation.rounds.serializers import DispositionOutput, FeedbackItemOutput
from kernel.permissions import can
from participation import services
from participation.api._common import NO_CIRCLE, TAGS, _valid
from participation.models import Answer, Contribution
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


# --- the public's feedback a round evaluates (the room's evaluation workspace) ----------------


class PublicFeedbackSourceOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["questionnaire", *Contribution.Kind.values],
        help_text="questionnaire: a free-text answer; else the public contribution's kind.",
    )
    label = serializers.CharField(  # type: ignore[assignment]  # the metaclass pops it
        help_text="The kind in words, in the request's language."
    )
    title = serializers.CharField(help_text="The questionnaire's or the contribution's title.")
    question = serializers.CharField(
        allow_null=True, help_text="The question answered (questionnaire answers only)."
    )
    url = serializers.CharField(allow_null=True, help_text="The contribution's public page.")


class PublicFeedbackItemOutput(FeedbackItemOutput):
    source = PublicFeedbackSourceOutput()  # type: ignore[assignment]  # the metaclass pops it
    goal_title = serializers.CharField(allow_null=True, help_text="null: an unlinked idea.")


def _source(obj: Answer | Contribution) -> dict[str, Any]:
    if isinstance(obj, Answer):
        return {
            "kind": "questionnaire",
            "label": _("Antwort im Fragebogen"),
            "title": obj.question.questionnaire.title,
            "question": obj.question.text,
            "url": None,
        }
    return {
        "kind": obj.kind,
        "label": obj.get_kind_display(),
        "title": obj.title,
        "question": None,
        "url": reverse("participation:contribution", args=[obj.pk]),
    }


def public_feedback_data(item: FeedbackItem) -> dict[str, Any]:
    """A piece of the public's feedback as the evaluation workspace shows it. A
    questionnaire's respondents are not named (as in its CSV), a contribution's author is."""
    data = item.as_dict()
    if item.kind == "answer":
        data["author"] = None
    data["source"] = _source(item.obj)
    data["goal_title"] = item.obj.goal.title if item.obj.goal_id else None
    return data


class RoundPublicFeedbackApi(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = Pagination  # documents the page envelope in the schema

    @extend_schema(
        tags=["rounds"],
        operation_id="rounds_public_feedback",
        summary="The public's feedback a round evaluates: ideas, contributions, answers",
        description="Approved public contributions and free-text questionnaire answers linked "
        "to a goal on the round's agenda, and approved ideas for the field linked to no goal; "
        "feedback settled in another round is not listed again. Readable by whoever sees the "
        "room (as the round's report); dispositions are given with "
        "`PUT …/answers/<id>/disposition/` and `PUT …/contributions/<id>/disposition/`. "
        "Paginated (`limit`, `offset`), goal by goal in agenda order, then unlinked ideas.",
        responses={200: PublicFeedbackItemOutput(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str, number: int) -> Response:
        _circle, round_ = access_round(request.user, slug, number, message=NO_CIRCLE)
        goal_ids = [item.goal_id for item in round_selectors.round_agenda(round_)]
        found = public_feedback(round_, goal_ids=goal_ids)
        items = [item for goal_id in goal_ids for item in found.by_goal.get(goal_id, [])]
        items += found.ideas
        paginator = Pagination()
        page: list[FeedbackItem] = (
            paginator.paginate_queryset(items, request, view=self)  # type: ignore[arg-type]
            or []
        )
        return paginator.get_paginated_response([public_feedback_data(item) for item in page])
