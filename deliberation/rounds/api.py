"""The rounds REST API: one view per operation, each calling one service or selector.

Reading follows the ``deliberation.view_room`` rule (a private circle is a 404 for everyone
but its members and staff). Writes go through ``deliberation.rounds.services``, which decide
who may act in which phase; their domain errors become HTTP errors in
``api.errors.exception_handler`` (403 not allowed, 409 not in this phase, 400, 404).
Responses are the shapes of ``deliberation.payloads``, the same the room events carry.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from api.pagination import Pagination, paginated
from deliberation import payloads, selectors
from deliberation.access import access_circle
from deliberation.models import Circle, GoalVersion, Round
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds import services as round_services
from deliberation.rounds.diff import text_diff
from deliberation.rounds.report import build_round_report, report_csv, report_data, report_markdown
from deliberation.rounds.serializers import (
    DiffQuery,
    DispositionInput,
    DispositionOutput,
    FeedbackItemOutput,
    GoalDiffOutput,
    IdeaAcceptInput,
    IdeaDeclineInput,
    IdeaInput,
    IdeaOutput,
    OwnRatingOutput,
    RatingInput,
    RatingsOutput,
    ReportOutput,
    RoundOpenInput,
    RoundOutput,
    RoundPhaseInput,
    VersionPublishedOutput,
    VersionPublishInput,
)
from kernel.errors import Conflict
from kernel.permissions import can
from kernel.times import utc_iso

NO_CIRCLE = _("Kein sichtbarer Kreis mit diesem Kurznamen.")
NO_ROUND = _("Dieser Kreis hat keine Runde mit dieser Nummer.")
NO_GOAL = _("Kein Ziel mit dieser Nummer.")
NO_VERSION = _("Dieses Ziel hat keine Fassung mit dieser Nummer.")
NO_COMMENT = _("Kein sichtbarer Kommentar mit dieser Nummer.")

ROUNDS = ["rounds"]


def _round(circle: Circle, number: int) -> Round:
    round_ = round_selectors.round_by_number(circle, number)
    if round_ is None:
        raise exceptions.NotFound(NO_ROUND)
    return round_


def _active(circle: Circle, number: int) -> Round:
    """The round in the URL, which must be the active one for a write about it."""
    round_ = _round(circle, number)
    if round_.phase == Round.Phase.CLOSED:
        raise Conflict(_("Runde %(n)s ist abgeschlossen.") % {"n": number}, field="round")
    return round_


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _round_state(round_: Round) -> dict[str, Any]:
    round_.refresh_from_db()
    return round_selectors.round_state(round_)


class RoundsApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_list",
        summary="The circle's rounds, oldest first",
        responses={200: RoundOutput(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        return paginated(
            request,
            self,
            round_selectors.circle_rounds(circle),
            lambda page: [round_selectors.round_state(r) for r in page],
        )

    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_open",
        summary="Open the next round with an agenda (moderators)",
        description=(
            "A round still in revision is closed first. Drafts and revised goals on the "
            "agenda go into discussion."
        ),
        request=RoundOpenInput,
        responses={201: RoundOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(RoundOpenInput, request.data)
        round_ = round_services.round_open(
            actor=request.user,
            circle=circle,
            agenda=[dict(entry) for entry in data["agenda"]],
            ratings_public=data["ratings_public"],
        )
        return Response(round_selectors.round_state(round_), status=status.HTTP_201_CREATED)


class RoundDetailApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_retrieve",
        summary="One round with its agenda and countdown",
        responses={200: RoundOutput, **error_responses(404)},
    )
    def get(self, request: Request, slug: str, number: int) -> Response:
        return Response(
            round_selectors.round_state(
                _round(access_circle(request.user, slug, message=NO_CIRCLE), number)
            )
        )


class RoundPhaseApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_set_phase",
        summary="Move the round to its next phase (moderators)",
        description="discussion → evaluation → revision → closed; anything else is a 409.",
        request=RoundPhaseInput,
        responses={200: RoundOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, number: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        round_ = _active(circle, number)
        data = _valid(RoundPhaseInput, request.data)
        round_services.round_set_phase(
            actor=request.user,
            circle=circle,
            phase=data["phase"],
            expected_phase=data.get("expected_phase"),
        )
        return Response(_round_state(round_))


class AgendaItemStartApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_agenda_start",
        summary="Start an agenda item and its countdown (moderators)",
        request=None,
        responses={200: RoundOutput, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, slug: str, number: int, item_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        round_ = _active(circle, number)
        round_services.agenda_item_start(actor=request.user, circle=circle, item_id=item_id)
        return Response(_round_state(round_))


class RatingsApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_ratings",
        summary="The rating aggregate of every agenda goal, and your own ratings",
        responses={200: RatingsOutput, **error_responses(404)},
    )
    def get(self, request: Request, slug: str, number: int) -> Response:
        round_ = _round(access_circle(request.user, slug, message=NO_CIRCLE), number)
        return Response(
            {
                "aggregates": list(round_selectors.rating_aggregates(round_).values()),
                "own": [
                    payloads.rating_data(r)
                    for r in round_selectors.own_ratings(round_, request.user)
                ],
            }
        )


class OwnRatingApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_rating_set",
        summary="Set or change your rating of an agenda goal (during discussion)",
        request=RatingInput,
        responses={200: OwnRatingOutput, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, number: int, goal_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        round_ = _active(circle, number)
        data = _valid(RatingInput, request.data)
        rating = round_services.rating_set(
            actor=request.user,
            circle=circle,
            goal_id=goal_id,
            support=data["support"],
            needs_rework=data["needs_rework"],
        )
        return Response(
            {
                "rating": payloads.rating_data(rating),
                "aggregate": round_selectors.rating_aggregate(round_, goal_id),
            }
        )


class IdeasApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_ideas_list",
        summary="The ideas proposed in a round",
        responses={200: IdeaOutput(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str, number: int) -> Response:
        round_ = _round(access_circle(request.user, slug, message=NO_CIRCLE), number)
        return paginated(
            request,
            self,
            round_selectors.round_ideas(round_),
            lambda page: [payloads.idea_data(i) for i in page],
        )

    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_ideas_propose",
        summary="Propose a new goal (experts and moderators, during discussion)",
        description="The same client_key again returns the existing idea with 200.",
        request=IdeaInput,
        responses={
            201: IdeaOutput,
            200: OpenApiResponse(IdeaOutput, description="Already proposed with this key."),
            **error_responses(400, 403, 404, 409),
        },
    )
    def post(self, request: Request, slug: str, number: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        _active(circle, number)
        data = _valid(IdeaInput, request.data)
        idea, created = round_services.idea_propose(actor=request.user, circle=circle, **data)
        return Response(
            payloads.idea_data(idea),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class IdeaAcceptApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="ideas_accept",
        summary="Accept an idea as a draft goal of the field (moderators)",
        request=IdeaAcceptInput,
        responses={200: IdeaOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, idea_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(IdeaAcceptInput, request.data)
        idea = round_services.idea_accept(
            actor=request.user, circle=circle, idea_id=idea_id, **data
        )
        return Response(payloads.idea_data(idea))


class IdeaDeclineApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="ideas_decline",
        summary="Decline an idea with a reason (moderators)",
        request=IdeaDeclineInput,
        responses={200: IdeaOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, idea_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(IdeaDeclineInput, request.data)
        idea = round_services.idea_decline(
            actor=request.user, circle=circle, idea_id=idea_id, reason=data["reason"]
        )
        return Response(payloads.idea_data(idea))


class CommentDispositionApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="comments_disposition_set",
        summary="Give a comment its disposition (drafters and moderators, during evaluation)",
        request=DispositionInput,
        responses={200: DispositionOutput, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, comment_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(DispositionInput, request.data)
        disposition = round_services.disposition_set(
            actor=request.user, circle=circle, comment_id=comment_id, **data
        )
        return Response(payloads.disposition_data(disposition))


class IdeaDispositionApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="ideas_disposition_set",
        summary="Give an idea its disposition (drafters and moderators, during evaluation)",
        request=DispositionInput,
        responses={200: DispositionOutput, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, idea_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(DispositionInput, request.data)
        disposition = round_services.disposition_set(
            actor=request.user, circle=circle, idea_id=idea_id, **data
        )
        return Response(payloads.disposition_data(disposition))


class VoteReasonDispositionApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="vote_reasons_disposition_set",
        summary=(
            "Give a concern or veto from a vote its disposition (drafters and moderators, "
            "during evaluation)"
        ),
        request=DispositionInput,
        responses={200: DispositionOutput, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, vote_reason_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(DispositionInput, request.data)
        disposition = round_services.disposition_set(
            actor=request.user, circle=circle, vote_reason_id=vote_reason_id, **data
        )
        return Response(payloads.disposition_data(disposition))


def _version_note(version: GoalVersion) -> dict[str, Any]:
    return {
        "id": version.pk,
        "goal": version.goal_id,
        "number": version.number,
        "change_note": version.change_note,
        "created_at": utc_iso(version.created_at),
    }


class VersionPublishApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="goals_version_publish",
        summary="Publish a revised version with the feedback it takes up (during revision)",
        request=VersionPublishInput,
        responses={201: VersionPublishedOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, goal_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(VersionPublishInput, request.data)
        version = round_services.goal_version_publish(
            actor=request.user, circle=circle, goal_id=goal_id, **data
        )
        feedback = round_selectors.visible_feedback(
            round_selectors.version_feedback(version), request.user
        )
        return Response(
            {"version": _version_note(version), "feedback": [f.as_dict() for f in feedback]},
            status=status.HTTP_201_CREATED,
        )


class OpenFeedbackApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_open_feedback",
        summary="Earlier feedback on the round's goals that is still open (the carry-over)",
        responses={200: FeedbackItemOutput(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str, number: int) -> Response:
        round_ = _round(access_circle(request.user, slug, message=NO_CIRCLE), number)
        return paginated(
            request,
            self,
            round_selectors.open_feedback(round_),
            lambda page: [item.as_dict() for item in page],
        )


class ReportApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_report",
        summary="The round's evaluation report",
        description="Per goal: feedback, disposition, response and resulting change.",
        responses={200: ReportOutput, **error_responses(404)},
    )
    def get(self, request: Request, slug: str, number: int) -> Response:
        round_ = _round(access_circle(request.user, slug, message=NO_CIRCLE), number)
        return Response(report_data(build_round_report(round_)))


def _download(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content.encode("utf-8"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def report_filename(round_: Round, extension: str) -> str:
    return f"auswertung-{round_.circle.slug}-runde-{round_.number}.{extension}"


class ReportMarkdownApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_report_markdown",
        summary="The round's evaluation report as Markdown",
        responses={
            (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR),
            **error_responses(404),
        },
    )
    def get(self, request: Request, slug: str, number: int) -> HttpResponse:
        round_ = _round(access_circle(request.user, slug, message=NO_CIRCLE), number)
        return _download(
            report_markdown(build_round_report(round_)),
            content_type="text/markdown; charset=utf-8",
            filename=report_filename(round_, "md"),
        )


class ReportCsvApi(APIView):
    @extend_schema(
        tags=ROUNDS,
        operation_id="rounds_report_csv",
        summary="The round's evaluation report as CSV (one row per piece of feedback)",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), **error_responses(404)},
    )
    def get(self, request: Request, slug: str, number: int) -> HttpResponse:
        round_ = _round(access_circle(request.user, slug, message=NO_CIRCLE), number)
        return _download(
            report_csv(build_round_report(round_)),
            content_type="text/csv; charset=utf-8",
            filename=report_filename(round_, "csv"),
        )


class GoalDiffApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["goals"],
        operation_id="goals_diff",
        summary="Word-level difference between two versions of a goal",
        parameters=[DiffQuery],
        responses={200: GoalDiffOutput, **error_responses(400, 404)},
    )
    def get(self, request: Request, goal_id: int) -> Response:
        query = _valid(DiffQuery, request.query_params)
        goal = selectors.goal_by_id(goal_id)
        if goal is None:
            raise exceptions.NotFound(NO_GOAL)
        pair = round_selectors.version_pair(goal, old=query.get("old"), new=query.get("new"))
        if pair is None:
            raise exceptions.NotFound(NO_VERSION)
        old, new = pair
        return Response(
            {
                "goal": goal.pk,
                "from_version": _version_note(old),
                "to_version": _version_note(new),
                "text": text_diff(old.text, new.text).as_dict(),
                "rationale": text_diff(old.rationale, new.rationale).as_dict(),
            }
        )


class VersionFeedbackApi(APIView):
    permission_classes = [permissions.AllowAny]
    pagination_class = Pagination

    @extend_schema(
        tags=["goals"],
        operation_id="goals_versions_feedback",
        summary="The feedback that shaped a version (from rooms you may see)",
        responses={200: FeedbackItemOutput(many=True), **error_responses(404)},
    )
    def get(self, request: Request, goal_id: int, number: int) -> Response:
        version = round_selectors.goal_version(goal_id, number)
        if version is None:
            raise exceptions.NotFound(NO_VERSION)
        feedback = round_selectors.visible_feedback(
            round_selectors.version_feedback(version), request.user
        )
        return paginated(request, self, feedback, lambda page: [i.as_dict() for i in page])


class CommentTraceApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=ROUNDS,
        operation_id="comments_trace",
        summary="What became of a comment: disposition, response, versions that took it up",
        responses={200: FeedbackItemOutput, **error_responses(404)},
    )
    def get(self, request: Request, comment_id: int) -> Response:
        trace = round_selectors.comment_trace(comment_id)
        if trace is None or not can(request.user, "deliberation.view_room", trace.obj.circle):
            raise exceptions.NotFound(NO_COMMENT)
        return Response(trace.as_dict())
