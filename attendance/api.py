"""The attendance REST API: one view per operation, each calling one service or selector.

Reading a roll call follows ``attendance.view_roll_call`` (a 404 for who may not see the
circle); the deputies are the members' and staff's; every write is the moderators'. The
deputy's ballot is the vote's door (``voting.api``): attendance sits below the vote.
"""

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
from attendance import payloads, selectors, services
from attendance.serializers import (
    DeputyChangeSerializer,
    DeputyInputSerializer,
    DeputySerializer,
    RollCallMarkInputSerializer,
    RollCallSerializer,
)
from deliberation import selectors as deliberation_selectors
from deliberation.models import Circle
from kernel.permissions import can

NO_CIRCLE = _("Kein sichtbarer Kreis mit diesem Kurznamen.")
NO_ROLL_CALL = _("In diesem Kreis wurde noch keine Anwesenheit festgestellt.")


def _visible_circle(request: Request, slug: str) -> Circle:
    circle = deliberation_selectors.circle_by_slug(slug)
    if circle is None or not can(request.user, "attendance.view_roll_call", circle):
        raise exceptions.NotFound(NO_CIRCLE)
    return circle


def _roll_call_body(circle: Circle) -> dict[str, Any]:
    roll_call = selectors.latest_roll_call(circle)
    if roll_call is None:
        raise exceptions.NotFound(NO_ROLL_CALL)
    roll_call = selectors.roll_call_by_id(roll_call.pk)
    assert roll_call is not None
    data = payloads.roll_call_data(roll_call, selectors.roll_call_entries(roll_call))
    return dict(RollCallSerializer(data).data)


class RollCallApi(APIView):
    @extend_schema(
        tags=["attendance"],
        operation_id="circle_roll_call_retrieve",
        summary="The circle's current roll call (the open one, else the last closed one)",
        responses={200: RollCallSerializer, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(_roll_call_body(_visible_circle(request, slug)))


class RollCallOpenApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["attendance"],
        operation_id="circle_roll_call_open",
        summary="Open a roll call, pre-filled from the room's presence (circle moderators)",
        request=None,
        responses={201: RollCallSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = _visible_circle(request, slug)
        services.roll_call_open(actor=request.user, circle=circle)
        return Response(_roll_call_body(circle), status=status.HTTP_201_CREATED)


class RollCallMarkApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["attendance"],
        operation_id="circle_roll_call_mark",
        summary="Confirm or correct one member's attendance (circle moderators)",
        request=RollCallMarkInputSerializer,
        responses={200: RollCallSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = _visible_circle(request, slug)
        data = RollCallMarkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.roll_call_mark(
            actor=request.user,
            circle=circle,
            user_id=data.validated_data["user"],
            present=data.validated_data["present"],
        )
        return Response(_roll_call_body(circle))


class RollCallCloseApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["attendance"],
        operation_id="circle_roll_call_close",
        summary="Close the roll call; motions opened with roll_call use it (circle moderators)",
        request=None,
        responses={200: RollCallSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = _visible_circle(request, slug)
        services.roll_call_close(actor=request.user, circle=circle)
        return Response(_roll_call_body(circle))


def _deputies_circle(request: Request, slug: str) -> Circle:
    circle = _visible_circle(request, slug)
    if not can(request.user, "attendance.view_deputies", circle):
        raise exceptions.PermissionDenied(_("Die Vertretungen sehen nur Mitglieder des Kreises."))
    return circle


class DeputyListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=["attendance"],
        operation_id="circle_deputies_list",
        summary="The deputies registered now, one per member at most (circle members)",
        responses={200: DeputySerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = _deputies_circle(request, slug)
        return paginated(
            request,
            self,
            selectors.active_deputies(circle),
            lambda page: [DeputySerializer(payloads.deputy_data(d)).data for d in page],
        )

    @extend_schema(
        tags=["attendance"],
        operation_id="circle_deputies_register",
        summary="Register a member's deputy; replaces an earlier one (circle moderators)",
        request=DeputyInputSerializer,
        responses={201: DeputySerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = _visible_circle(request, slug)
        data = DeputyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deputy = services.deputy_register(
            actor=request.user,
            circle=circle,
            member_id=data.validated_data["member"],
            deputy_id=data.validated_data["deputy"],
        )
        return Response(
            DeputySerializer(payloads.deputy_data(deputy)).data, status=status.HTTP_201_CREATED
        )


class DeputyRemoveApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["attendance"],
        operation_id="circle_deputies_remove",
        summary="Remove a member's deputy (circle moderators); the trail keeps it",
        responses={200: DeputySerializer, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, slug: str, member_id: int) -> Response:
        circle = _visible_circle(request, slug)
        deputy = services.deputy_remove(actor=request.user, circle=circle, member_id=member_id)
        return Response(DeputySerializer(payloads.deputy_data(deputy)).data)


class DeputyHistoryApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        tags=["attendance"],
        operation_id="circle_deputies_history",
        summary="Every registration and removal of a deputy, newest first (circle moderators)",
        responses={200: DeputyChangeSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = _visible_circle(request, slug)
        if not can(request.user, "attendance.manage_deputies", circle):
            raise exceptions.PermissionDenied(
                _("Den Verlauf der Vertretungen sieht die Moderation.")
            )
        changes = selectors.deputy_history(circle)
        return paginated(
            request,
            self,
            changes,
            lambda page: [DeputyChangeSerializer(payloads.change_data(c)).data for c in page],
        )
