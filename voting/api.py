"""The vote's REST API: one view per operation, each calling one service or selector.

Reading follows ``voting.view_motion`` (public circles for everybody, private ones for their
members, eligible voters and staff; a 404 for everyone else). Opening and closing are the
circle moderators'; a ballot is its voter's own and nobody else's, at any time (or, on a
motion that took a roll call, the ballot of an absent member that member's deputy casts). No
response carries a tally before close or a secret voter's choice ever.
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
from attendance import selectors as attendance_selectors
from attendance.serializers import DeputyBallotInputSerializer, DeputyRightSerializer
from deliberation.payloads import person
from kernel.permissions import can
from voting import export, payloads, selectors, services, tally
from voting.access import access_motion, access_motions_circle
from voting.models import Motion
from voting.serializers import (
    BallotInputSerializer,
    BallotSerializer,
    MotionCloseInputSerializer,
    MotionDetailSerializer,
    MotionForYouSerializer,
    MotionOpenInputSerializer,
    MotionResultWithElectorateSerializer,
    MotionSerializer,
)

NO_CIRCLE = _("Kein sichtbarer Kreis mit diesem Kurznamen.")
NO_MOTION = _("Keine sichtbare Abstimmung mit dieser Nummer.")
NO_CONCEPT = _("Kein Konzept mit diesem Kurznamen.")


def _motion_body(motion: Motion) -> dict[str, Any]:
    data = payloads.motion_data(
        motion,
        turnout=motion.turnout,  # type: ignore[attr-defined]
        eligible=motion.eligible_count,  # type: ignore[attr-defined]
    )
    return dict(MotionSerializer(data).data)


class CircleMotionListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=["votes"],
        operation_id="circle_motions_list",
        summary="The circle's motions, newest first (turnout only until close)",
        responses={200: MotionSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = access_motions_circle(request.user, slug)
        services.motions_close_due(circle=circle)
        return paginated(
            request,
            self,
            selectors.circle_motions(circle),
            lambda page: [_motion_body(m) for m in page],
        )


class MotionOpenApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["votes"],
        operation_id="circle_motions_open",
        summary="Open motions on one or several goals (circle moderators)",
        request=MotionOpenInputSerializer,
        responses={201: MotionSerializer(many=True), **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = access_motions_circle(request.user, slug)
        data = MotionOpenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        options = dict(data.validated_data)
        motions = services.motions_open(
            actor=request.user, circle=circle, goal_ids=options.pop("goals"), **options
        )
        bodies = [_motion_body(selectors.motion_by_id(m.pk)) for m in motions]  # type: ignore[arg-type]
        return Response(bodies, status=status.HTTP_201_CREATED)


class MotionDetailApi(APIView):
    @extend_schema(
        tags=["votes"],
        operation_id="motions_retrieve",
        summary="One motion: rule, subject, turnout; the result once closed",
        responses={200: MotionDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, motion_id: int) -> Response:
        motion = access_motion(request.user, motion_id)
        ballot = selectors.my_ballot(motion, request.user) if motion.is_open else None
        you = {
            "eligible": motion.is_open and can(request.user, "voting.cast_ballot", motion),
            "may_close": motion.is_open and can(request.user, "voting.close_motion", motion),
            "ballot": payloads.ballot_data(ballot) if ballot is not None else None,
        }
        electorate = None if motion.is_open else payloads.electorate_data(motion)
        return Response(
            {
                **_motion_body(motion),
                "you": MotionForYouSerializer(you).data,
                "electorate": electorate,
            }
        )


class MotionCloseApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["votes"],
        operation_id="motions_close",
        summary="Close a motion, count and publish the result (circle moderators)",
        request=MotionCloseInputSerializer,
        responses={200: MotionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, motion_id: int) -> Response:
        access_motion(request.user, motion_id)
        data = MotionCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.motion_close(
            actor=request.user,
            motion_id=motion_id,
            rejected_goal_status=data.validated_data["rejected_goal_status"],
        )
        return Response(_motion_body(access_motion(request.user, motion_id)))


class MyBallotApi(APIView):
    """The signed-in voter's own ballot on a motion; there is no way to ask for anyone else's."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["votes"],
        operation_id="motions_my_ballot_retrieve",
        summary="Your own ballot (404 if you cast none, or the secret vote is closed)",
        responses={200: BallotSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, motion_id: int) -> Response:
        motion = access_motion(request.user, motion_id)
        ballot = selectors.my_ballot(motion, request.user)
        if ballot is None:
            raise exceptions.NotFound(_("Sie haben hier (noch) keinen Stimmzettel."))
        return Response(BallotSerializer(payloads.ballot_data(ballot)).data)

    @extend_schema(
        tags=["votes"],
        operation_id="motions_my_ballot_cast",
        summary="Cast or change your ballot (eligible voters, while the motion is open)",
        request=BallotInputSerializer,
        responses={
            200: OpenApiResponse(BallotSerializer, description="Your ballot was changed."),
            201: OpenApiResponse(BallotSerializer, description="Your ballot was cast."),
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def put(self, request: Request, motion_id: int) -> Response:
        data = BallotInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ballot, created = services.ballot_cast(
            actor=request.user, motion_id=motion_id, **data.validated_data
        )
        return Response(
            BallotSerializer(payloads.ballot_data(ballot)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MyDeputyRightsApi(APIView):
    """The absent members whose ballot the signed-in deputy may cast (``docs/voting.md``,
    "Attendance and deputies"); the rights were fixed when the motion opened."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        tags=["attendance"],
        operation_id="motions_deputy_rights",
        summary="The absent members whose ballot you may cast on this motion, as their deputy",
        responses={200: DeputyRightSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, motion_id: int) -> Response:
        motion = access_motion(request.user, motion_id)
        rights = attendance_selectors.deputy_rights_of(motion, request.user)
        return paginated(
            request,
            self,
            rights,
            lambda page: [
                DeputyRightSerializer({"member": person(r.member), "used": r.used}).data
                for r in page
            ],
        )


class DeputyBallotApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["attendance"],
        operation_id="motions_deputy_ballot_cast",
        summary="As a deputy, cast (or change) the ballot of an absent member",
        request=DeputyBallotInputSerializer,
        responses={
            200: OpenApiResponse(description="The member's ballot was changed."),
            201: OpenApiResponse(description="The member's ballot was cast."),
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def put(self, request: Request, motion_id: int, member_id: int) -> Response:
        data = DeputyBallotInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _ballot, created = services.ballot_cast(
            actor=request.user, motion_id=motion_id, on_behalf_of=member_id, **data.validated_data
        )
        return Response(
            {"motion": motion_id, "member": member_id, "created": created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MotionResultApi(APIView):
    @extend_schema(
        tags=["votes"],
        operation_id="motions_result_retrieve",
        summary="The result of a closed motion with who could and who did vote (409 while open)",
        responses={200: MotionResultWithElectorateSerializer, **error_responses(404, 409)},
    )
    def get(self, request: Request, motion_id: int) -> Response:
        motion = access_motion(request.user, motion_id)
        if motion.is_open:
            return Response(
                {"code": "conflict", "detail": str(_("Die Abstimmung läuft noch."))},
                status=status.HTTP_409_CONFLICT,
            )
        body = {
            **payloads.result_data(motion.result),
            "electorate": payloads.electorate_data(motion),
        }
        return Response(MotionResultWithElectorateSerializer(body).data)


class MotionRecordApi(APIView):
    @extend_schema(
        tags=["votes"],
        operation_id="motions_record_retrieve",
        summary="The canonical record of a closed motion; its SHA-256 is the published digest",
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Canonical JSON bytes: `sha256sum` of the body equals the digest.",
            ),
            **error_responses(404, 409),
        },
    )
    def get(self, request: Request, motion_id: int) -> HttpResponse:
        motion = access_motion(request.user, motion_id)
        if motion.is_open:
            return Response(
                {"code": "conflict", "detail": str(_("Die Abstimmung läuft noch."))},
                status=status.HTTP_409_CONFLICT,
            )
        # The bytes themselves, not re-rendered: the body must hash to the digest.
        return HttpResponse(
            tally.canonical_json(motion.result.record),
            content_type="application/json; charset=utf-8",
        )


class ConceptMarkdownApi(APIView):
    @extend_schema(
        tags=["concepts"],
        operation_id="concepts_document_markdown",
        summary="The concept document (adopted goals per action field) as Markdown",
        responses={
            (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR),
            **error_responses(404),
        },
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        concept = selectors.concept_by_slug(slug)
        if concept is None:
            raise exceptions.NotFound(NO_CONCEPT)
        text = export.concept_markdown(concept, base_url=request.build_absolute_uri("/"))
        return HttpResponse(text, content_type="text/markdown; charset=utf-8")
