"""REST: public ideas, questions and opinions, reports, the moderation queue."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from api.pagination import Pagination, paginated
from deliberation import selectors as deliberation_selectors
from kernel.permissions import can
from kernel.times import utc_iso_or_none
from participation import payloads, selectors, services
from participation.access import (
    access_contribution,
)
from participation.api._common import NO_CONTRIBUTION, TAGS, _concept, _field, _valid
from participation.models import Contribution
from participation.serializers import (
    ContributionFilter,
    ContributionInput,
    ContributionOutput,
    GoalLinkInput,
    ModerationInput,
    ModerationQueueOutput,
    ReportCreatedOutput,
    ReportInput,
)
from participation.web import client_address


class ConceptContributionsApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=TAGS,
        operation_id="concepts_contributions_list",
        summary="The approved ideas, questions and opinions of a concept, newest first",
        parameters=[ContributionFilter],
        responses={200: ContributionOutput(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        concept = _concept(slug)
        query = _valid(ContributionFilter, request.query_params)
        found = selectors.public_contributions(
            concept,
            kinds=[query["kind"]] if "kind" in query else None,
            action_field=_field(concept, query.get("action_field")),
        )
        return paginated(
            request, self, found, lambda page: [payloads.contribution_data(c) for c in page]
        )

    @extend_schema(
        tags=TAGS,
        operation_id="concepts_contributions_create",
        summary="Submit an idea (until the concept's deadline), a question or an opinion",
        description="Registered, confirmed accounts only; it waits for moderation.",
        request=ContributionInput,
        responses={
            201: ContributionOutput,
            **error_responses(400, 401, 403, 404, 409, 429),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        concept = _concept(slug)
        data = _valid(ContributionInput, request.data)
        contribution = services.contribution_submit(
            actor=request.user,
            concept=concept,
            kind=data["kind"],
            action_field=_field(concept, data["action_field"]),
            title=data["title"],
            body=data["body"],
            website=data["website"],
        )
        found = selectors.contribution_by_id(contribution.pk)
        assert found is not None
        return Response(payloads.contribution_data(found), status=status.HTTP_201_CREATED)


class OwnContributionsApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        tags=TAGS,
        operation_id="contributions_mine",
        summary="Everything you submitted and what became of it",
        responses={200: ContributionOutput(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request,
            self,
            selectors.own_contributions(request.user),
            lambda page: [payloads.contribution_data(c) for c in page],
        )


class ContributionDetailApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="contributions_retrieve",
        summary="A contribution (approved ones for everybody; others for author, moderation)",
        responses={200: ContributionOutput, **error_responses(404)},
    )
    def get(self, request: Request, contribution_id: int) -> Response:
        return Response(
            payloads.contribution_data(
                access_contribution(request.user, contribution_id, message=NO_CONTRIBUTION)
            )
        )


class ContributionReportApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="contributions_report",
        summary="Report a public contribution to moderation",
        request=ReportInput,
        responses={201: ReportCreatedOutput, **error_responses(400, 404, 429)},
    )
    def post(self, request: Request, contribution_id: int) -> Response:
        data = _valid(ReportInput, request.data)
        report = services.contribution_report(
            actor=request.user,
            contribution_id=access_contribution(
                request.user, contribution_id, message=NO_CONTRIBUTION
            ).pk,
            reason=data["reason"],
            client_key=client_address(request),
        )
        return Response({"id": report.pk}, status=status.HTTP_201_CREATED)


def _queue_item(contribution: Contribution) -> dict[str, Any]:
    data = payloads.contribution_data(contribution)
    data["open_reports"] = getattr(contribution, "open_reports", 0)
    return data


class ModerationQueueApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="moderation_queue",
        summary="What waits for your moderation: new and reported contributions, counts",
        responses={200: ModerationQueueOutput, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        concept = deliberation_selectors.current_concept()
        if not (
            request.user.is_staff
            or (concept and can(request.user, "participation.moderate_contribution", concept))
        ):
            raise exceptions.PermissionDenied(_("Nur die Moderation sieht die Warteschlange."))
        queue = selectors.moderation_queue(request.user)
        return Response(
            {
                "stats": {
                    "pending": queue.stats.pending,
                    "by_kind": queue.stats.by_kind,
                    "oldest": utc_iso_or_none(queue.stats.oldest),
                    "reported": queue.stats.reported,
                },
                "pending": [payloads.contribution_data(c) for c in queue.pending],
                "reported": [_queue_item(c) for c in queue.reported],
            }
        )


class ContributionModerateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="contributions_moderate",
        summary="Approve or reject a contribution, or dismiss the reports about it",
        request=ModerationInput,
        responses={200: ContributionOutput, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, contribution_id: int) -> Response:
        contribution = access_contribution(request.user, contribution_id, message=NO_CONTRIBUTION)
        data = _valid(ModerationInput, request.data)
        if data["decision"] == "dismiss":
            services.contribution_reports_dismiss(
                actor=request.user, contribution_id=contribution.pk
            )
        else:
            services.contribution_moderate(
                actor=request.user,
                contribution_id=contribution.pk,
                decision=data["decision"],
                reason=data["reason"],
            )
        return Response(
            payloads.contribution_data(
                access_contribution(request.user, contribution.pk, message=NO_CONTRIBUTION)
            )
        )


class ContributionGoalApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="contributions_goal_update",
        summary="Link a contribution to a goal (or unlink) so the rounds evaluate it",
        request=GoalLinkInput,
        responses={200: ContributionOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, contribution_id: int) -> Response:
        contribution = access_contribution(request.user, contribution_id, message=NO_CONTRIBUTION)
        data = _valid(GoalLinkInput, request.data)
        services.contribution_link_goal(
            actor=request.user, contribution_id=contribution.pk, goal_id=data["goal"]
        )
        return Response(
            payloads.contribution_data(
                access_contribution(request.user, contribution.pk, message=NO_CONTRIBUTION)
            )
        )
